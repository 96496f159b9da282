//! The log-file parser: everything `trailscope ingest` does to one file's bytes before the writer stores them
//! (`app::ssr::ingest::load_file`: gunzip within the file bound, blank records over the record bound, UTF-8
//! check, parse, encode), then what event detail does to read a stored record back (`record_spans`).
//!
//! Input: one mode byte, then the file. Mode bit 0 set: the rest is the decompressed text, gzipped here, so
//! mutations reach the JSON parser; clear: the rest is the file as delivered, so they reach gunzip. The other
//! bits pick the record bound (64 bytes to 8 KiB), so records over it are common. The file bound is 1 MiB.
//!
//! Besides "no panic, no hang, no unbounded memory", a stored file must satisfy what event detail relies on:
//! each stored event's record is found at its ordinal by the span scan, and it is that event's record.
#![no_main]

use app::ssr::ingest::{Fetched, IngestLimits, load_file};
use app::ssr::logs::gzip::gunzip;
use app::ssr::logs::key::LogKey;
use app::ssr::logs::record_size::record_spans;
use app::ssr::store::dictionary::Dictionary;
use app::ssr::store::event_id::EventIdKey;
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::LazyLock;

const KEY: &str = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/30/111122223333_CloudTrail_eu-west-1_20261130T0105Z_fuzz.json.gz";

static DICTIONARY: LazyLock<Dictionary> = LazyLock::new(Dictionary::default);

fn gzip(text: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text).expect("compress in memory");
    encoder.finish().expect("compress in memory")
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, file)) = data.split_first() else {
        return;
    };
    let limits = IngestLimits {
        max_file_bytes: 1 << 20,
        max_record_bytes: 64 * (1 + usize::from(mode >> 1)),
    };
    let gz_bytes = if mode & 1 == 1 {
        gzip(file)
    } else {
        file.to_vec()
    };
    let fetched = Fetched {
        key: KEY.to_owned(),
        log_key: LogKey {
            org_id: None,
            account_id: "111122223333".to_owned(),
            region: "eu-west-1".to_owned(),
            insight: false,
        },
        gz_bytes: Ok(gz_bytes.clone()),
    };
    let Ok(stored) = load_file(fetched, &DICTIONARY, &limits) else {
        return;
    };
    assert_eq!(
        stored.gz_bytes, gz_bytes,
        "the block is the file as delivered"
    );
    assert_eq!(
        stored.problem.is_some(),
        stored.rejected_records > 0,
        "a file with rejected records says why: {:?}",
        stored.problem
    );
    // Event detail: the block decompressed, split by the span scan, the record at the event's ordinal.
    let json = gunzip(&stored.gz_bytes, usize::MAX).expect("a stored file decompresses");
    let spans = record_spans(&json);
    for event in &stored.events {
        let Some(&(start, end)) = spans.get(event.ordinal as usize) else {
            panic!(
                "event {} (ordinal {}) is stored but event detail finds {} records in its file",
                describe(&event.event_id),
                event.ordinal,
                spans.len()
            );
        };
        let record: serde_json::Value =
            serde_json::from_slice(&json[start..end]).unwrap_or_else(|e| {
                panic!(
                    "record {} is stored but cannot be read back: {e}",
                    event.ordinal
                )
            });
        if let Some(id) = record.get("eventID").and_then(serde_json::Value::as_str) {
            assert_eq!(
                EventIdKey::new(id.to_owned()),
                event.event_id,
                "record {} read back is another event's",
                event.ordinal
            );
        }
    }
});

fn describe(id: &EventIdKey) -> String {
    format!("{id:?}")
}
