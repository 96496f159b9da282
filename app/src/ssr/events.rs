//! The Events service: search, one event in full, compare, and the streamed CSV / JSON-lines exports.
use crate::error::AppError;
use crate::model::event_detail::{self, CompareTable, EventDetail};
use crate::model::events::{COMPARE_MAX, EventPage, EventQuery, EventRequest, EventSummary};
use crate::ssr::audit::{self, Action, Outcome};
use crate::ssr::auth::{ClientAddress, Principal};
use crate::ssr::clock::now_secs;
use crate::ssr::state::AppState;
use crate::ssr::store::records::RecordReader;
use crate::ssr::store::search;

pub mod export;
pub mod live;

/// One page of stored events for `query`, parsed once into its filter and page (`Invalid` naming a bad key).
pub async fn search(state: &AppState, query: EventQuery) -> Result<EventPage, AppError> {
    let EventRequest { filter, page } = query.parse()?;
    let (size, cursor) = (page.size, page.cursor()?);
    state
        .blocking(move |store| store.read(|c| search::search(c, &filter, size, cursor, now_secs())))
        .await
}

/// The stored event with its record, or `NotFound`.
pub async fn detail(state: &AppState, event_id: String) -> Result<EventDetail, AppError> {
    let found = state
        .blocking(move |store| {
            store.read(|c| {
                search::summary(c, &event_id)?
                    .map(|(summary, at)| Ok((summary, RecordReader::new(store).read(c, at)?)))
                    .transpose()
            })
        })
        .await?;
    let (summary, record) = found.ok_or_else(|| AppError::NotFound {
        what: "event".to_owned(),
    })?;
    Ok(EventDetail {
        chain: event_detail::identity_chain(&record, &summary),
        resources: event_detail::resources(&record),
        summary,
        record,
    })
}

/// Up to [`COMPARE_MAX`] events side by side, in the order given.
pub async fn compare(state: &AppState, ids: Vec<String>) -> Result<CompareTable, AppError> {
    if ids.len() < 2 || ids.len() > COMPARE_MAX {
        return Err(AppError::invalid(
            "ids",
            format!("choose 2 to {COMPARE_MAX} events to compare"),
        ));
    }
    let found: Vec<(EventSummary, serde_json::Value)> = state
        .blocking(move |store| {
            store.read(|c| {
                let mut reader = RecordReader::new(store);
                let mut found = Vec::new();
                for id in &ids {
                    if let Some((summary, at)) = search::summary(c, id)? {
                        found.push((summary, reader.read(c, at)?));
                    }
                }
                Ok(found)
            })
        })
        .await?;
    if found.len() < 2 {
        return Err(AppError::NotFound {
            what: "events to compare".to_owned(),
        });
    }
    let (events, records): (Vec<_>, Vec<_>) = found.into_iter().unzip();
    Ok(CompareTable {
        rows: event_detail::compare(&records),
        events,
    })
}

/// Records an export in the audit log (who, what query, from where).
async fn audit_export(
    state: &AppState,
    principal: &Principal,
    client: Option<ClientAddress>,
    target: String,
) -> Result<(), AppError> {
    let entry = audit::Entry {
        actor: principal.actor(),
        action: Action::EventsExported,
        target: Some(target),
        client_ip: client.and_then(|c| c.0),
        outcome: Outcome::Succeeded,
    };
    crate::ssr::auth::audit(state, entry).await
}
