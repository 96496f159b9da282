//! `/api/activity/*`: the Activity page's data. Filters are the page's URL parameters (see `ActivityQuery`).
use crate::error::AppError;
use crate::model::activity::{FilterChoices, Timeline, TopLists};
use crate::model::filter::ActivityQuery;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Events per time bucket (read / write / other, errors) and totals for the filtered range.
#[server(prefix = "/api", endpoint = "activity/timeline", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_activity_timeline(
    /// The Activity page's URL parameters.
    #[server(flatten)]
    #[server(default)]
    query: ActivityQuery,
) -> Result<Timeline, AppError> {
    use crate::ssr::{activity, auth, state::AppState};
    crate::api::with_status(
        async {
            auth::authorize(auth::Role::Viewer).await?;
            activity::timeline(&expect_context::<AppState>(), query.parse()?).await
        }
        .await,
    )
}

/// The ten most frequent event names, sources, identities, source IPs, error codes and user agents in the
/// filtered range.
#[server(prefix = "/api", endpoint = "activity/top", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_activity_top(
    /// The Activity page's URL parameters.
    #[server(flatten)]
    #[server(default)]
    query: ActivityQuery,
) -> Result<TopLists, AppError> {
    use crate::ssr::{activity, auth, state::AppState};
    crate::api::with_status(
        async {
            auth::authorize(auth::Role::Viewer).await?;
            activity::top_lists(&expect_context::<AppState>(), query.parse()?).await
        }
        .await,
    )
}

/// The accounts and Regions the store holds events for.
#[server(prefix = "/api", endpoint = "activity/choices", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_filter_choices() -> Result<FilterChoices, AppError> {
    use crate::ssr::{activity, auth, state::AppState};
    crate::api::with_status(
        async {
            auth::authorize(auth::Role::Viewer).await?;
            activity::filter_choices(&expect_context::<AppState>()).await
        }
        .await,
    )
}
