//! Shared fixtures: a small generated archive and a store built from it.
#![allow(dead_code)]

use app::ssr::demo::{DemoOptions, DemoSummary, write_demo};
use app::ssr::ingest::{IngestSummary, ingest_folder};
use app::ssr::store::Store;
use std::path::Path;

/// 2026-11-20T12:00:00Z: a fixed end so fixtures do not depend on the clock.
pub const END: i64 = 1_795_694_400;

pub fn small_demo(out: &Path) -> DemoSummary {
    let options = DemoOptions {
        seed: 11,
        days: 7,
        events: 20_000,
        end: END,
    };
    write_demo(out, &options).expect("demo archive")
}

pub fn ingest(store: &Store, dir: &Path) -> IngestSummary {
    ingest_folder(store, dir, &mut |_| {}).expect("ingest runs")
}

/// One number from SQL on the store file (the test's own connection, not the app's queries).
pub fn count(store: &Store, sql: &str) -> u64 {
    let conn = rusqlite::Connection::open(store.path()).expect("open store");
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql) as u64
}

/// Writes `json` gzip-compressed at `key` below `root`.
pub fn write_gz(root: &Path, key: &str, json: &[u8]) {
    use std::io::Write;
    let path = root.join(key);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json).expect("gzip");
    std::fs::write(path, gz.finish().expect("gzip")).expect("write");
}
