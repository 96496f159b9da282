//! The Activity service: runs the store's activity queries off the async runtime and translates errors.
use crate::error::AppError;
use crate::model::activity::{FilterChoices, Timeline, TopLists};
use crate::model::filter::ActivityFilter;
use crate::ssr::state::AppState;
use crate::ssr::store::{StoreError, account_regions, activity};

async fn read<T: Send + 'static>(
    state: &AppState,
    query: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    state.blocking(move |store| store.read(query)).await
}

/// The Activity timeline for `filter`, now. Errors: [`AppError::Internal`] when the store cannot be read.
pub async fn timeline(state: &AppState, filter: ActivityFilter) -> Result<Timeline, AppError> {
    read(state, move |c| {
        activity::timeline(c, &filter, crate::ssr::clock::now_secs())
    })
    .await
}

/// The top lists for `filter`, now. Errors: [`AppError::Internal`] when the store cannot be read.
pub async fn top_lists(state: &AppState, filter: ActivityFilter) -> Result<TopLists, AppError> {
    read(state, move |c| {
        activity::top_lists(c, &filter, crate::ssr::clock::now_secs())
    })
    .await
}

/// The accounts and Regions the store holds events for. Errors: [`AppError::Internal`] when the store cannot be
/// read.
pub async fn filter_choices(state: &AppState) -> Result<FilterChoices, AppError> {
    read(state, account_regions::filter_choices).await
}
