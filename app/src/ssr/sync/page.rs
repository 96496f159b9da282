//! One `LookupEvents` page as a stored "file": its events' full records (`CloudTrailEvent`, the same JSON a
//! trail delivers) wrapped as `{"Records": […]}` and gzipped, so Event History events are parsed, indexed and
//! kept raw exactly like archive events.
use crate::ssr::logs::key::LogKey;
use crate::ssr::logs::record::parse_log;
use crate::ssr::store::dictionary::Dictionary;
use crate::ssr::store::writer::{BatchFile, EncodedEvent};
use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;
use std::io::Write;

/// The full records of a `LookupEvents` page's events, in page order: each event's `CloudTrailEvent` string
/// (events without one are skipped). See
/// <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html>.
pub fn page_records(page: &LookupEventsOutput) -> Vec<String> {
    page.events()
        .iter()
        .filter_map(|e| e.cloud_trail_event().map(str::to_owned))
        .collect()
}

/// A page's `CloudTrailEvent` strings as the text of one log file, `{"Records":[…]}`, the form sync stores and
/// live mode reads: only whole JSON objects go in, so one bad record cannot spoil the page (or, spliced in,
/// change the others). Returns the text and, for each string left out, why
/// (`event N: CloudTrailEvent is not a JSON object`, N its position in the page).
pub fn page_log(records: &[&str]) -> (String, Vec<String>) {
    let mut json = String::from("{\"Records\":[");
    let mut rejected = Vec::new();
    let mut kept = 0usize;
    for (index, record) in records.iter().enumerate() {
        if serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(record).is_err() {
            rejected.push(format!(
                "event {index}: CloudTrailEvent is not a JSON object"
            ));
            continue;
        }
        if kept > 0 {
            json.push(',');
        }
        json.push_str(record);
        kept += 1;
    }
    json.push_str("]}");
    (json, rejected)
}

/// The page as a batch file named `key`, and the time of its oldest event. Records that are not JSON objects
/// or lack what every event has are counted as rejected, with the reasons kept on the file.
pub fn page_file(
    key: String,
    account: &str,
    region: &str,
    records: &[&str],
    dictionary: &Dictionary,
) -> Result<(BatchFile, Option<i64>), String> {
    let (json, mut rejected) = page_log(records);
    let log_key = LogKey {
        org_id: None,
        account_id: account.to_owned(),
        region: region.to_owned(),
        insight: false,
    };
    let parsed = parse_log(&json, &log_key).map_err(|e| e.to_string())?;
    rejected.extend(
        parsed
            .rejected
            .iter()
            .map(|r| format!("record {}: {}", r.ordinal, r.reason)),
    );
    let oldest = parsed.events.iter().map(|e| e.event_time).min();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(json.as_bytes())
        .and_then(|()| gz.flush())
        .map_err(|e| format!("cannot compress the page: {e}"))?;
    let gz_bytes = gz
        .finish()
        .map_err(|e| format!("cannot compress the page: {e}"))?;
    let events = EncodedEvent::encode_all(parsed.events, dictionary);
    Ok((
        BatchFile {
            key,
            gz_bytes,
            events,
            rejected_records: rejected.len() as u32,
            problem: (!rejected.is_empty()).then(|| rejected.join("; ")),
        },
        oldest,
    ))
}
