//! `GET /api/events/export.csv` and `/api/events/export.jsonl`: every event matching the Events page's filters
//! (the same URL keys), streamed in keyset chunks so an export of millions of events holds one chunk in memory.
//! CSV has one row per event with the table's fields; JSON lines has each record as CloudTrail wrote it.
use super::audit_export;
use crate::error::AppError;
use crate::model::events::{EventQuery, EventSummary, category_label};
use crate::model::time::format_rfc3339;
use crate::ssr::auth::{ClientAddress, Principal};
use crate::ssr::clock::now_secs;
use crate::ssr::state::AppState;
use crate::ssr::store::records::RecordReader;
use crate::ssr::store::search::for_each_chunk;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, http::header};
use std::borrow::Cow;

/// Events read from the store per chunk sent.
const CHUNK: u32 = 2_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

pub async fn csv(
    state: State<AppState>,
    principal: Option<Extension<Principal>>,
    client: Option<Extension<ClientAddress>>,
    query: Query<EventQuery>,
) -> Response {
    export(Format::Csv, state, principal, client, query).await
}

pub async fn json_lines(
    state: State<AppState>,
    principal: Option<Extension<Principal>>,
    client: Option<Extension<ClientAddress>>,
    query: Query<EventQuery>,
) -> Response {
    export(Format::JsonLines, state, principal, client, query).await
}

async fn export(
    format: Format,
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    client: Option<Extension<ClientAddress>>,
    Query(query): Query<EventQuery>,
) -> Response {
    let Some(Extension(principal)) = principal else {
        return AppError::Unauthorized.into_response();
    };
    let query = query.filters_only();
    let filter = match query.validate() {
        Ok(filter) => filter,
        Err(error) => return error.into_response(),
    };
    let (extension, content_type) = match format {
        Format::Csv => ("csv", "text/csv; charset=utf-8"),
        Format::JsonLines => ("jsonl", "application/x-ndjson"),
    };
    let target = format!("{extension} {}", query.to_query_string());
    if let Err(error) = audit_export(&state, &principal, client.map(|c| c.0), target).await {
        return error.into_response();
    }
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let send = |bytes: Vec<u8>| sender.blocking_send(Ok(bytes)).is_ok();
        let mut failure = None;
        let result = store.read(|conn| {
            let mut reader = RecordReader::new(&store);
            if format == Format::Csv && !send(csv_header().into_bytes()) {
                return Ok(());
            }
            for_each_chunk(conn, &filter, now_secs(), CHUNK, |chunk| {
                let mut out = Vec::with_capacity(chunk.len() * 400);
                for (summary, at) in chunk {
                    match format {
                        Format::Csv => out.extend(csv_row(&summary).into_bytes()),
                        Format::JsonLines => match reader.read(conn, at) {
                            Ok(record) => {
                                out.extend(record.to_string().into_bytes());
                                out.push(b'\n');
                            }
                            Err(error) => {
                                failure = Some(error);
                                return false;
                            }
                        },
                    }
                }
                send(out)
            })
        });
        if let Some(error) = result.err().or(failure) {
            // The status is sent already: cutting the stream short tells the client the file is incomplete.
            tracing::error!("event export failed: {error}");
            let _ = sender.blocking_send(Err(std::io::Error::other(error.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let file_name = format!(
        "trailscope-events-{}.{extension}",
        format_rfc3339(now_secs()).replace(':', "")
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

const CSV_COLUMNS: [&str; 16] = [
    "event_time",
    "event_id",
    "account",
    "region",
    "event_source",
    "event_name",
    "identity",
    "identity_type",
    "identity_arn",
    "access_key",
    "source_ip",
    "user_agent",
    "error_code",
    "read_only",
    "category",
    "origin",
];

fn csv_header() -> String {
    let mut line = CSV_COLUMNS.join(",");
    line.push_str("\r\n");
    line
}

/// One event as a CSV line (RFC 4180, CRLF).
fn csv_row(e: &EventSummary) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let cells = [
        format_rfc3339(e.time),
        e.event_id.clone(),
        e.account.clone(),
        e.region.clone(),
        e.event_source.clone(),
        e.event_name.clone(),
        text(&e.identity),
        text(&e.identity_type),
        text(&e.identity_arn),
        text(&e.access_key),
        text(&e.source_ip),
        text(&e.user_agent),
        text(&e.error_code),
        e.read_only.map(|r| r.to_string()).unwrap_or_default(),
        category_label(e.category).to_owned(),
        if e.from_event_history {
            "event-history"
        } else {
            "trail"
        }
        .to_owned(),
    ];
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A CSV cell that a spreadsheet shows as text. A cell starting with `= + - @`, tab or CR would run as a
/// formula (CSV injection: user agents and request values are chosen by whoever called AWS), so it gets a
/// leading `'`; cells with separators, quotes or line breaks are quoted.
fn csv_cell(value: &str) -> Cow<'_, str> {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let value: Cow<'_, str> = if formula {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    };
    if value.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_separators_quoted() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tcmd"), "'\tcmd");
        assert_eq!(csv_cell("aws-cli/2.15, python"), "\"aws-cli/2.15, python\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_cell("ConsoleLogin"), "ConsoleLogin");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn a_row_has_every_column_in_header_order() {
        let event = EventSummary {
            event_id: "e1".into(),
            time: 1_793_491_200,
            account: "111122223333".into(),
            region: "us-east-1".into(),
            event_source: "cloudtrail.amazonaws.com".into(),
            event_name: "StopLogging".into(),
            identity: Some("Admin/mallory".into()),
            identity_type: Some("AssumedRole".into()),
            identity_arn: None,
            access_key: Some("ASIAEXAMPLE".into()),
            source_ip: Some("203.0.113.9".into()),
            user_agent: Some("=cmd|' /C calc'!A0".into()),
            error_code: None,
            read_only: Some(false),
            category: 0,
            from_event_history: true,
        };
        let row = csv_row(&event);
        assert_eq!(
            row,
            "2026-11-01T00:00:00Z,e1,111122223333,us-east-1,cloudtrail.amazonaws.com,StopLogging,Admin/mallory,AssumedRole,,ASIAEXAMPLE,203.0.113.9,'=cmd|' /C calc'!A0,,false,Management,event-history\r\n"
        );
        assert_eq!(row.split(',').count(), csv_header().split(',').count());
    }
}
