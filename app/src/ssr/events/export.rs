//! `GET /api/events/export.csv` and `/api/events/export.jsonl`: every event matching the Events page's filters
//! (the same URL keys), streamed in keyset chunks so an export of millions of events holds one chunk in memory.
//! CSV has one row per event with the table's fields; JSON lines has each record as CloudTrail wrote it.
use super::audit_export;
use crate::error::AppError;
use crate::model::events::{EventQuery, EventSummary, FIELDS};
use crate::model::time::format_rfc3339;
use crate::ssr::auth::{ClientAddress, Principal};
use crate::ssr::clock::now_secs;
use crate::ssr::state::AppState;
use crate::ssr::store::records::{RecordAt, RecordReader};
use crate::ssr::store::search::for_each_chunk;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, http::header};
use std::borrow::Cow;

/// Events read from the store per chunk sent.
const CHUNK: u32 = 2_000;

/// Exports running at once; another is refused (503) until one ends. Each holds one of the server's bounded
/// blocking threads until it is read to the end or its client goes away (then until its next chunk), and logins
/// share those threads, so exports left unread must not take them all.
pub const EXPORTS_MAX: usize = 4;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

/// `GET /api/events/export.csv`: every event matching the query's filters, as CSV (one row per event).
pub async fn csv(
    state: State<AppState>,
    principal: Option<Extension<Principal>>,
    client: Option<Extension<ClientAddress>>,
    query: Query<EventQuery>,
) -> Response {
    export(Format::Csv, state, principal, client, query).await
}

/// `GET /api/events/export.jsonl`: every matching event's record as CloudTrail wrote it, one JSON object per line.
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
    let filter = match query.parse() {
        Ok(request) => request.filter,
        Err(error) => return error.into_response(),
    };
    let (extension, content_type) = match format {
        Format::Csv => ("csv", "text/csv; charset=utf-8"),
        Format::JsonLines => ("jsonl", "application/x-ndjson"),
    };
    // Held by the blocking task until it returns: when the client goes away, the task stops at its next send.
    let Ok(permit) = state.exports.clone().try_acquire_owned() else {
        return AppError::Unavailable {
            what: format!("another export while {EXPORTS_MAX} are streaming"),
        }
        .into_response();
    };
    let target = format!("{extension} {}", query.to_query_string());
    if let Err(error) = audit_export(&state, &principal, client.map(|c| c.0), target).await {
        return error.into_response();
    }
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let send = |bytes: Vec<u8>| sender.blocking_send(Ok(bytes)).is_ok();
        let mut failure: Option<String> = None;
        let result = store.read(|conn| {
            let mut reader = RecordReader::new(&store);
            if format == Format::Csv {
                match csv_header() {
                    Ok(header) => {
                        if !send(header) {
                            return Ok(());
                        }
                    }
                    Err(error) => {
                        failure = Some(error.to_string());
                        return Ok(());
                    }
                }
            }
            for_each_chunk(conn, &filter, now_secs(), CHUNK, |chunk| {
                let out = match format {
                    Format::Csv => csv_rows(chunk.iter().map(|(summary, _)| summary))
                        .map_err(|error| error.to_string()),
                    Format::JsonLines => json_lines_of(&mut reader, conn, chunk),
                };
                match out {
                    Ok(out) => send(out),
                    Err(error) => {
                        failure = Some(error);
                        false
                    }
                }
            })
        });
        let result = result.map_err(|error| error.to_string());
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

/// Each event's record as CloudTrail wrote it, one JSON line each.
fn json_lines_of(
    reader: &mut RecordReader,
    conn: &rusqlite::Connection,
    chunk: Vec<(EventSummary, RecordAt)>,
) -> Result<Vec<u8>, String> {
    // Read block by block, so that each block of the chunk is decompressed once however many files its time
    // order interleaves (an organization trail's accounts and Regions), then written in the chunk's order.
    let mut order: Vec<usize> = (0..chunk.len()).collect();
    order.sort_by_key(|&i| chunk[i].1.block);
    let mut lines = vec![String::new(); chunk.len()];
    for i in order {
        let record = reader
            .read(conn, chunk[i].1)
            .map_err(|error| error.to_string())?;
        lines[i] = record.to_string();
    }
    let mut out = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        out.extend(line.into_bytes());
        out.push(b'\n');
    }
    Ok(out)
}

/// The CSV header line: every field's header, in [`FIELDS`] order.
fn csv_header() -> Result<Vec<u8>, csv::Error> {
    csv_lines([FIELDS.map(|f| Cow::Borrowed(f.csv_header))])
}

/// Events as CSV lines (RFC 4180 quoting, CRLF), one per event with every field of [`FIELDS`], formulas
/// defused.
fn csv_rows<'a>(events: impl IntoIterator<Item = &'a EventSummary>) -> Result<Vec<u8>, csv::Error> {
    csv_lines(
        events
            .into_iter()
            .map(|e| FIELDS.map(|f| Cow::Owned(defused(&e.export_cell(f.field)).into_owned()))),
    )
}

fn csv_lines<'a>(
    records: impl IntoIterator<Item = [Cow<'a, str>; FIELDS.len()]>,
) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for record in records {
        writer.write_record(record.iter().map(|c| c.as_bytes()))?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

/// A cell that a spreadsheet shows as text. A cell starting with `= + - @`, tab or CR would run as a formula
/// (CSV injection, OWASP "CSV Injection": user agents and request values are chosen by whoever called AWS),
/// so it gets a leading `'`. Quoting is the CSV writer's.
fn defused(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One cell as the export writes it: defused, then quoted by the CSV writer when it must be.
    fn csv_cell(value: &str) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer
            .write_record([defused(value).as_ref(), "next"])
            .expect("in memory");
        let line = String::from_utf8(writer.into_inner().expect("flushed")).expect("UTF-8");
        line.strip_suffix(",next\r\n")
            .expect("two cells")
            .to_owned()
    }

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
            category: crate::model::events::EventCategory::Management,
            from_event_history: true,
        };
        let row = String::from_utf8(csv_rows([&event]).expect("written")).expect("UTF-8");
        assert_eq!(
            row,
            "2026-11-01T00:00:00Z,e1,111122223333,us-east-1,cloudtrail.amazonaws.com,StopLogging,Admin/mallory,AssumedRole,,ASIAEXAMPLE,203.0.113.9,'=cmd|' /C calc'!A0,,false,Management,event-history\r\n"
        );
        let header = String::from_utf8(csv_header().expect("written")).expect("UTF-8");
        assert_eq!(row.split(',').count(), header.split(',').count());
        assert!(
            header.starts_with("event_time,event_id,") && header.ends_with(",category,origin\r\n")
        );
    }
}
