//! What an archive holds and what a store holds, read with the test's own gunzip, JSON parser and SQL, for
//! tests that compare the two exactly (crashes, full disks).
#![allow(dead_code)]
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Every log file below `archive` (keys relative to it, under a `CloudTrail` or `CloudTrail-Insight` folder)
/// with its event IDs.
pub fn source_files(archive: &Path) -> BTreeMap<String, Vec<String>> {
    let mut files = BTreeMap::new();
    let mut folders: Vec<PathBuf> = vec![archive.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).expect("read_dir") {
            let path = entry.expect("entry").path();
            let key = path
                .strip_prefix(archive)
                .expect("below")
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                folders.push(path);
            } else if key.ends_with(".json.gz")
                && (key.contains("/CloudTrail/") || key.contains("/CloudTrail-Insight/"))
            {
                let mut json = String::new();
                flate2::read::MultiGzDecoder::new(std::fs::File::open(&path).expect("open"))
                    .read_to_string(&mut json)
                    .expect("gunzip");
                let file: serde_json::Value = serde_json::from_str(&json).expect("json");
                let ids = file["Records"]
                    .as_array()
                    .expect("Records")
                    .iter()
                    .map(|r| r["eventID"].as_str().expect("eventID").to_owned())
                    .collect();
                files.insert(key, ids);
            }
        }
    }
    files
}

/// The event IDs of every log file below each of `archives`.
pub fn source_ids(archives: &[&Path]) -> BTreeSet<String> {
    archives
        .iter()
        .flat_map(|a| source_files(a).into_values().flatten())
        .collect()
}

/// One number from SQL on the event file at `db`.
pub fn number(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// Strings from SQL on the event file at `db`.
pub fn strings(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut stmt = conn.prepare(sql).expect(sql);
    stmt.query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// The event IDs the event file at `db` holds, as written (UUIDs are stored as 16 bytes), sorted; a
/// duplicate would show twice.
pub fn stored_ids(db: &Path) -> Vec<String> {
    let mut ids = strings(
        db,
        "SELECT CASE WHEN typeof(event_id) = 'blob' THEN lower(
           substr(hex(event_id), 1, 8) || '-' || substr(hex(event_id), 9, 4) || '-' ||
           substr(hex(event_id), 13, 4) || '-' || substr(hex(event_id), 17, 4) || '-' ||
           substr(hex(event_id), 21)) ELSE event_id END FROM events",
    );
    ids.sort();
    ids
}

/// Whether SQLite finds the file sound and every stored file's event count adds up to the events stored.
pub fn consistent(db: &Path) -> bool {
    let conn = rusqlite::Connection::open(db).expect("open");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    check == "ok"
        && number(
            db,
            "SELECT (SELECT count(*) FROM events) = (SELECT coalesce(sum(events), 0) FROM files)",
        ) == 1
}
