//! `/api/events/*`: the Events explorer. `search` takes the page's URL keys (see `model::events`); exports are
//! plain axum routes (`ssr::events::export`) because they stream.
use crate::error::AppError;
use crate::model::event_detail::{CompareTable, EventDetail};
use crate::model::events::{EventPage, EventQuery, LivePage};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// One page of events matching the filters, newest first, with the total and the next page's cursor.
#[server(prefix = "/api", endpoint = "events/search", input = GetUrl, output = crate::api::JsonStr)]
pub async fn search_events(
    /// The Events page's URL parameters.
    #[server(flatten)]
    #[server(default)]
    query: EventQuery,
) -> Result<EventPage, AppError> {
    use crate::ssr::{auth, events, state::AppState};
    crate::api::with_status(
        async {
            auth::authorize(auth::Role::Viewer).await?;
            events::search(&expect_context::<AppState>(), query).await
        }
        .await,
    )
}

/// One stored event: its summary, the record as CloudTrail wrote it, its resources and identity chain.
#[server(prefix = "/api", endpoint = "events/event", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_event(
    /// The event's `eventID`.
    id: String,
) -> Result<EventDetail, AppError> {
    use crate::ssr::{auth, events, state::AppState};
    crate::api::with_status(
        async {
            auth::authorize(auth::Role::Viewer).await?;
            events::detail(&expect_context::<AppState>(), id).await
        }
        .await,
    )
}

/// Two to five events side by side (`ids` comma-separated), every field of their records aligned.
#[server(prefix = "/api", endpoint = "events/compare", input = GetUrl, output = crate::api::JsonStr)]
pub async fn compare_events(
    /// Two to five `eventID`s, comma-separated.
    ids: String,
) -> Result<CompareTable, AppError> {
    use crate::ssr::{auth, events, state::AppState};
    crate::api::with_status(
        async {
            auth::authorize(auth::Role::Viewer).await?;
            let ids = ids
                .split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect();
            events::compare(&expect_context::<AppState>(), ids).await
        }
        .await,
    )
}

/// Whether live mode can answer here: `false` when no AWS account is configured (the demo, or an archive
/// only), so the Events page does not offer it.
#[server(prefix = "/api", endpoint = "events/live/available", input = GetUrl, output = crate::api::JsonStr)]
pub async fn live_mode_available() -> Result<bool, AppError> {
    use crate::ssr::{auth, events, state::AppState};
    crate::api::with_status(
        async {
            auth::authorize(auth::Role::Viewer).await?;
            Ok(events::live::available(&expect_context::<AppState>()))
        }
        .await,
    )
}

/// Live mode: the filters asked of Event History (LookupEvents) for one configured account and Region; one
/// call per page, within the account-Region's 2 calls/s. Nothing is stored.
#[server(prefix = "/api", endpoint = "events/live", input = GetUrl, output = crate::api::JsonStr)]
pub async fn live_events(
    /// The Events page's URL parameters, with `account` and `region` naming a configured account-Region.
    #[server(flatten)]
    #[server(default)]
    query: EventQuery,
) -> Result<LivePage, AppError> {
    use crate::ssr::{auth, events, state::AppState};
    crate::api::with_status(
        async {
            auth::authorize(auth::Role::Viewer).await?;
            events::live::live(&expect_context::<AppState>(), query).await
        }
        .await,
    )
}
