//! The top-10 lists read from `rollup_top` equal a count of every matching event, on a real store filled by
//! ingesting demo archives, for windows on and off hour and day boundaries and every filter Activity offers: after
//! a first load, after an incremental ingest and Event History (sync) writes, duplicates included, and on a store
//! made before the rollup (or its user agents list) existed once it is opened.
mod filter_choices;
mod packed;
mod search_totals;
mod timeline;
mod weeks;
use super::*;
use crate::model::filter::ReadWrite;
use crate::ssr::demo::{DemoOptions, write_demo};
use crate::ssr::ingest::{IngestLimits, ingest_into};
use crate::ssr::store::writer::{EventWriter, ORIGIN_EVENT_HISTORY};
use crate::ssr::store::{Store, schema, timeline_rollup};
use std::io::Read;
use std::path::{Path, PathBuf};

/// 2026-11-01T00:00:00Z, the demo archives' end.
const END: i64 = 1_793_491_200;
/// "now" for relative ranges: inside the archive's last hours, off any hour boundary, so that "24h" (15-minute
/// buckets) starts and ends inside an hour that holds events.
const NOW: i64 = END - 2 * HOUR + 37 * 60 + 13;

/// A demo archive of `events` background events over `days` days up to [`END`], written under `dir/name`.
fn demo_archive(dir: &Path, name: &str, seed: u64, days: u32, events: u64) -> PathBuf {
    let archive = dir.join(name);
    let options = DemoOptions {
        seed,
        days,
        events,
        end: END,
    };
    write_demo(&archive, &options).expect("demo archive");
    archive
}

fn ingest(store: &Store, archive: &Path) {
    ingest_into(store, archive, &IngestLimits::default(), &mut |_| {}).expect("ingest");
}

/// A store in `dir/data` holding a demo archive of `events` events over `days` days up to [`END`].
fn store_of(dir: &Path, seed: u64, days: u32, events: u64) -> Store {
    let archive = demo_archive(dir, "archive", seed, days, events);
    let store = Store::open_in(&dir.join("data")).expect("store");
    ingest(&store, &archive);
    store
}

fn demo_store(dir: &Path) -> Store {
    store_of(dir, 11, 3, 6_000)
}

/// The lists counted from every matching event of the window, as before the rollups.
fn scanned(conn: &Connection, filter: &ActivityFilter, now: i64) -> TopLists {
    let w = resolve_window(conn, filter.range, now).expect("window");
    let mut tallies = Tallies::default();
    if let Some((conds, params)) = conditions(conn, filter, Table::Events).expect("conditions") {
        tallies
            .scan(conn, (&conds, &params), (w.start, w.end), false)
            .expect("scan");
    }
    let lists = TopLists {
        start: w.start,
        end: w.end,
        ..Default::default()
    };
    tallies.into_lists(conn, lists).expect("lists")
}

/// The value of `events.column` (a string ID column) that the most events have, among events that have one.
fn busiest(conn: &Connection, column: &str) -> rusqlite::Result<String> {
    conn.query_row(
        &format!(
            "SELECT value FROM strings WHERE id = (SELECT {column} FROM events
             WHERE {column} IS NOT NULL GROUP BY {column} ORDER BY count(*) DESC LIMIT 1)"
        ),
        [],
        |r| r.get(0),
    )
}

/// Every range kind (the presets, all, and absolute windows whose ends cut an hour and a day), each with every
/// read/write and errors choice, and the account and Region filters.
fn filters(conn: &Connection) -> Vec<ActivityFilter> {
    let busiest = |column: &str| busiest(conn, column).expect(column);
    let base = ActivityFilter {
        range: RangeSpec::All,
        account: None,
        region: None,
        read_write: ReadWrite::All,
        errors_only: false,
    };
    let ranges = [
        RangeSpec::All,
        RangeSpec::Last(DAY),
        RangeSpec::Last(7 * DAY),
        RangeSpec::Last(30 * DAY),
        // Starts and ends inside an hour and inside a day, whole days between.
        RangeSpec::Between(
            END - 2 * DAY - 3 * HOUR + 17 * 60 + 5,
            END - 7 * HOUR - 31 * 60,
        ),
        // Across midnight, no whole day: hours only, with partial hours at both ends.
        RangeSpec::Between(END - 26 * HOUR - 42 * 60, END - 22 * HOUR - 11 * 60),
        // Inside one hour: events only.
        RangeSpec::Between(END - 40 * 60, END - 5 * 60),
        // Exactly whole days.
        RangeSpec::Between(END - 2 * DAY, END),
        // Over 60 days (daily buckets), ending inside an hour.
        RangeSpec::Between(END - 95 * DAY, END - 3 * HOUR - 10 * 60),
    ];
    let mut all = Vec::new();
    for range in ranges {
        for read_write in [ReadWrite::All, ReadWrite::Read, ReadWrite::Write] {
            for errors_only in [false, true] {
                all.push(ActivityFilter {
                    range,
                    read_write,
                    errors_only,
                    ..base.clone()
                });
            }
        }
        all.push(ActivityFilter {
            range,
            account: Some(busiest("account")),
            ..base.clone()
        });
        all.push(ActivityFilter {
            range,
            region: Some(busiest("region")),
            read_write: ReadWrite::Write,
            ..base.clone()
        });
    }
    all
}

/// Asserts that every filter's lists equal the scan's; returns the unfiltered lists of everything.
fn assert_lists_match_the_events(store: &Store) -> TopLists {
    store
        .read(|conn| {
            for filter in filters(conn) {
                let lists = top_lists(conn, &filter, NOW)?;
                assert_eq!(lists, scanned(conn, &filter, NOW), "{filter:?}");
            }
            top_lists(conn, &filters(conn)[0], NOW)
        })
        .expect("queries")
}

#[test]
fn top_lists_from_rollups_equal_a_scan_of_the_events() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    let all = assert_lists_match_the_events(&store);
    assert!(all.events > 6_000, "the whole archive is counted");
    assert_eq!(all.event_names.len(), TOP_N);
    assert!(!all.error_codes.is_empty() && !all.identities.is_empty());
    assert!(all.user_agents.len() > 3, "{:?}", all.user_agents);
    let rows: i64 = store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM rollup_top", [], |r| r.get(0))?))
        .expect("rows");
    assert!(rows > 0, "the lists were read from the rollup");
}

/// The records of one log file of `archive`, as JSON strings.
fn records_of_a_file(archive: &Path) -> Vec<String> {
    let file = walk(archive)
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(".json.gz"))
        .expect("a log file");
    let mut json = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(file).expect("open"))
        .read_to_string(&mut json)
        .expect("gunzip");
    let log: serde_json::Value = serde_json::from_str(&json).expect("json");
    log["Records"]
        .as_array()
        .expect("Records")
        .iter()
        .map(|r| r.to_string())
        .collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn rollups_follow_incremental_ingest_and_event_history_writes() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    // A second archive over the same hours: its events land in hours and days the rollup already counts.
    let more = demo_archive(dir.path(), "more", 12, 3, 3_000);
    let before = assert_lists_match_the_events(&store).events;
    ingest(&store, &more);
    let after_ingest = assert_lists_match_the_events(&store).events;
    assert!(
        after_ingest > before + 3_000,
        "{before} then {after_ingest}"
    );

    // Event History pages: the same records as an archive file (all duplicates by event ID), and those
    // records again under new event IDs (each counted once, however often the page is written).
    let records = records_of_a_file(&dir.path().join("archive"));
    let fresh: Vec<String> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut record: serde_json::Value = serde_json::from_str(r).expect("record");
            record["eventID"] = format!("00000000-0000-4000-8000-{i:012}").into();
            record.to_string()
        })
        .collect();
    let mut writer = EventWriter::new(&store).expect("writer");
    let mut pages = 0;
    let mut write_page = |records: &[String]| {
        let records: Vec<&str> = records.iter().map(String::as_str).collect();
        pages += 1;
        let (file, _) = crate::ssr::sync::page::page_file(
            format!("event-history/page-{pages}"),
            "111122223333",
            "us-east-1",
            &records,
            writer.dictionary(),
        )
        .expect("page");
        writer
            .write_then(vec![file], ORIGIN_EVENT_HISTORY, |_| Ok(()))
            .expect("write")
    };
    let duplicates = write_page(&records);
    assert_eq!(
        (duplicates.events, duplicates.duplicates),
        (0, records.len() as u64)
    );
    let new = write_page(&fresh);
    assert_eq!(new.events, fresh.len() as u64);
    let again = write_page(&fresh);
    assert_eq!(again.events, 0);
    let after_sync = assert_lists_match_the_events(&store).events;
    assert_eq!(after_sync, after_ingest + fresh.len() as u64);
}

/// Whether the store's `meta` holds `key` (a migration asked for work at the next open).
fn asked(store: &Store, key: &str) -> bool {
    store
        .read(|c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM meta WHERE key = ?1)",
                [key],
                |r| r.get(0),
            )?)
        })
        .expect("meta")
}

/// Asserts that no open-time work on `rollup_top` is left asked for.
fn assert_nothing_asked(store: &Store) {
    for key in [
        top_rollup::BACKFILL_PENDING,
        top_rollup::packed::REPACK_PENDING,
        top_rollup::weeks::WEEKS_PENDING,
    ] {
        assert!(!asked(store, key), "{key} is left");
    }
}

/// Sets `store` (in `dir/data`) back to the schema before `migration` with `sql` (which undoes what that migration
/// and the later ones made), reopens it and asserts that it migrated to the current schema. A schema before
/// `top_rollup::packed` also gets its `rollup_top` rows of the fixed width, as the builds before it wrote them.
fn reopened_before(dir: &Path, store: Store, migration: &str, sql: &str) -> Store {
    store
        .write(|conn| {
            if schema::version_before(migration)
                < schema::version_before(top_rollup::packed::MIGRATION)
            {
                write_fixed_width(conn)?;
            }
            conn.execute_batch(&format!(
                "{sql}; PRAGMA user_version = {}",
                schema::version_before(migration)
            ))
        })
        .expect("downgrade");
    drop(store);
    let store = Store::open_in(&dir.join("data")).expect("reopen");
    assert_eq!(
        store.read(schema::version).expect("version"),
        schema::known_version()
    );
    store
}

/// Rewrites every `rollup_top` row as the builds before the packing wrote it (`packed::encode_fixed`).
fn write_fixed_width(conn: &Connection) -> rusqlite::Result<()> {
    let rows: Vec<(i64, i64, i64)> = conn
        .prepare("SELECT span, period, dimension FROM rollup_top")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (span, period, code) in rows {
        let dimension = top_rollup::DIMENSIONS
            .into_iter()
            .find(|d| *d as i64 == code)
            .expect("a list this build knows");
        let mut entries = Vec::new();
        top_rollup::for_each_entry(
            conn,
            span,
            (period, period + 1),
            Some(dimension),
            |_, e, n| entries.push((e, n)),
        )
        .expect("entries");
        let fixed = top_rollup::packed::encode_fixed(entries);
        conn.execute(
            "UPDATE rollup_top SET entries = ?4 WHERE span = ?1 AND period = ?2 AND dimension = ?3",
            rusqlite::params![span, period, code, fixed],
        )?;
    }
    Ok(())
}

/// Sets the store back to a schema before `migration` with `sql`, reopens it, and asserts that its lists equal
/// the events' once the store counted them, with the user agents listed, and that the count is not asked again.
fn assert_reopened_store_lists_the_events(dir: &Path, store: Store, migration: &str, sql: &str) {
    let all = |store: &Store| {
        store
            .read(|conn| Ok(scanned(conn, &filters(conn)[0], NOW)))
            .expect("lists")
    };
    let before = all(&store);
    let sql = format!(
        "{sql}; DELETE FROM meta WHERE key = '{}'",
        top_rollup::BACKFILL_PENDING
    );
    let store = reopened_before(dir, store, migration, &sql);
    let after = assert_lists_match_the_events(&store);
    assert_eq!(after, before);
    assert!(after.events > 6_000 && !after.user_agents.is_empty());
    assert_nothing_asked(&store);
}

#[test]
fn a_store_made_before_the_rollup_gives_the_same_lists_once_opened() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    // As a store written by the build before the migration that added `rollup_top` (17), so also before the one
    // after it (18, `findings_unreadable`).
    assert_reopened_store_lists_the_events(
        dir.path(),
        store,
        top_rollup::MIGRATION,
        "DROP TABLE rollup_top; DROP TABLE findings_unreadable; DROP TABLE rollup_timeline",
    );
}

#[test]
fn a_store_made_before_the_user_agents_list_lists_them_once_opened() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    // As the build before the user agents list wrote it: every list but that one.
    assert_reopened_store_lists_the_events(
        dir.path(),
        store,
        top_rollup::USER_AGENT_MIGRATION,
        &format!(
            "DELETE FROM rollup_top WHERE dimension = {}",
            top_rollup::Dimension::UserAgent as i64
        ),
    );
}
