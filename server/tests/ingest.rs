//! Ingest of generated and damaged archives into a real SQLite file.
mod common;

use app::ssr::store::Store;
use common::{END, count, ingest, small_demo, write_gz};

#[test]
fn stored_counts_equal_what_the_generator_wrote() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    let demo = small_demo(archive.path());
    let store = Store::open_in(data.path()).expect("store");
    let summary = ingest(&store, archive.path());

    assert!(summary.is_clean(), "{:?}", summary.problems);
    assert_eq!(
        (summary.files, summary.events, summary.duplicates),
        (demo.files, demo.events, 0)
    );
    assert_eq!(count(&store, "SELECT count(*) FROM events"), demo.events);
    assert_eq!(
        count(&store, "SELECT sum(events) FROM rollup_hourly"),
        demo.events,
        "rollups agree with events"
    );
    for ((account, region), stats) in &demo.streams {
        let filter = format!(
            "FROM events WHERE account = (SELECT id FROM strings WHERE value = '{account}') AND region = (SELECT id FROM strings WHERE value = '{region}')"
        );
        assert_eq!(
            count(&store, &format!("SELECT count(*) {filter}")),
            stats.events,
            "{account} {region} events"
        );
        assert_eq!(
            count(
                &store,
                &format!("SELECT count(*) {filter} AND error_code IS NOT NULL")
            ),
            stats.errors,
            "{account} {region} errors"
        );
        assert_eq!(
            count(
                &store,
                &format!("SELECT count(*) {filter} AND read_only = 1")
            ),
            stats.read,
            "{account} {region} read"
        );
        assert_eq!(
            count(
                &store,
                &format!("SELECT count(*) {filter} AND category = 1")
            ),
            stats.data,
            "{account} {region} data events"
        );
    }
}

/// A first load builds the search indexes at the end; a store that lost them (a load killed half way) gets
/// them back when it is next opened.
#[test]
fn a_first_load_leaves_every_search_index_and_a_reopened_store_repairs_them() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    small_demo(archive.path());
    let store = Store::open_in(data.path()).expect("store");
    let summary = ingest(&store, archive.path());
    assert!(summary.files >= 2_000, "enough files to defer the indexes");
    let search_indexes = |store: &Store| {
        count(
            store,
            "SELECT count(*) FROM sqlite_master WHERE type = 'index'
             AND (name LIKE 'events_by_%' OR name = 'events_with_errors' OR name LIKE 'event_resources_by_%')",
        )
    };
    // events_by_event_id and events_by_time come with the table; the nine search indexes after the load.
    assert_eq!(search_indexes(&store), 2 + 9);
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    conn.execute_batch("DROP INDEX events_by_name; DROP INDEX event_resources_by_reversed_arn;")
        .expect("drop");
    drop((conn, store));
    let store = Store::open_in(data.path()).expect("reopened");
    assert_eq!(search_indexes(&store), 2 + 9);

    // A store from before `events_by_source` held account and Region gets the wider index when opened.
    let source_columns = |store: &Store| {
        count(
            store,
            "SELECT count(*) FROM pragma_index_info('events_by_source')",
        )
    };
    assert_eq!(source_columns(&store), 5);
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    conn.execute_batch(&format!(
        "DROP INDEX events_by_source; CREATE INDEX events_by_source ON events (event_source, event_time, read_only);
         PRAGMA user_version = {}",
        app::ssr::store::schema::version_before(app::ssr::store::schema::SOURCE_INDEX_MIGRATION)
    ))
    .expect("downgrade");
    drop((conn, store));
    let store = Store::open_in(data.path()).expect("reopened");
    assert_eq!(source_columns(&store), 5);
}

#[test]
fn every_event_leads_back_to_its_raw_record() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    small_demo(archive.path());
    let store = Store::open_in(data.path()).expect("store");
    ingest(&store, archive.path());
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let mut stmt = conn
        .prepare(
            "SELECT e.event_id, n.value, e.event_time FROM events e JOIN strings n ON n.id = e.event_name
             WHERE e.id % 97 = 0",
        )
        .expect("query");
    let sample: Vec<(app::ssr::store::event_id::StoredEventId, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(sample.len() > 100);
    for (event_id, event_name, event_time) in sample {
        let record = app::ssr::store::records::raw_record(&store, &event_id.0)
            .expect("readable")
            .expect("present");
        assert_eq!(record["eventID"], event_id.0.as_str());
        assert_eq!(record["eventName"], event_name.as_str());
        assert_eq!(
            record["eventTime"],
            app::model::time::format_rfc3339(event_time).as_str()
        );
    }
    assert!(
        app::ssr::store::records::raw_record(&store, "00000000-0000-4000-8000-000000000000")
            .expect("readable")
            .is_none()
    );
}

#[test]
fn re_ingesting_adds_nothing_and_copies_are_deduplicated_by_event_id() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    let demo = small_demo(archive.path());
    let store = Store::open_in(data.path()).expect("store");
    ingest(&store, archive.path());

    let again = ingest(&store, archive.path());
    assert_eq!(
        (again.files, again.events, again.skipped_known),
        (0, 0, demo.files)
    );

    // The same log file delivered under a second key: every event in it is a duplicate.
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let (key, events): (String, i64) = conn
        .query_row(
            "SELECT key, events FROM files ORDER BY events DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a file");
    let copy = key.replace(".json.gz", "_copy.json.gz");
    std::fs::copy(archive.path().join(&key), archive.path().join(&copy)).expect("copy");
    let third = ingest(&store, archive.path());
    assert_eq!(
        (third.files, third.events, third.duplicates),
        (1, 0, events as u64)
    );
    assert_eq!(count(&store, "SELECT count(*) FROM events"), demo.events);
}

const GOOD: &str = r#"{"Records":[{"eventTime":"2026-11-20T10:00:00Z","eventID":"good-1","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","recipientAccountId":"123456789012","readOnly":true},{"eventTime":"2026-11-20T10:01:00Z","eventID":"good-2","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","recipientAccountId":"123456789012","readOnly":false,"errorCode":"Client.UnauthorizedOperation"}]}"#;

#[test]
fn corrupt_files_are_reported_by_key_and_the_rest_goes_in() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    let root = archive.path();
    let dir = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20";
    write_gz(root, &format!("{dir}/good.json.gz"), GOOD.as_bytes());
    write_gz(
        root,
        &format!("{dir}/invalid-json.json.gz"),
        b"{\"Records\":[{\"eventTime\":",
    );
    write_gz(
        root,
        &format!("{dir}/no-records.json.gz"),
        b"{\"records\":[]}",
    );
    write_gz(
        root,
        &format!("{dir}/one-bad-record.json.gz"),
        br#"{"Records":[{"eventID":"no-time","eventSource":"s3.amazonaws.com","eventName":"GetObject"},{"eventTime":"2026-11-20T11:00:00Z","eventID":"kept","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}"#,
    );
    let mut truncated = std::fs::read(root.join(format!("{dir}/good.json.gz"))).expect("read");
    truncated.truncate(truncated.len() / 2);
    std::fs::write(root.join(format!("{dir}/truncated.json.gz")), truncated).expect("write");
    std::fs::write(root.join(format!("{dir}/plain.json.gz")), GOOD).expect("write");
    std::fs::create_dir_all(
        root.join("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20"),
    )
    .expect("mkdir");
    std::fs::write(
        root.join("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/d.json.gz"),
        b"x",
    )
    .expect("write");
    std::fs::write(root.join("notes.txt"), b"hello").expect("write");

    let store = Store::open_in(data.path()).expect("store");
    let summary = ingest(&store, root);
    let problems: Vec<(String, String)> = summary
        .problems
        .iter()
        .map(|p| {
            (
                p.key.rsplit('/').next().unwrap_or_default().to_owned(),
                p.reason.clone(),
            )
        })
        .collect();
    let reason = |name: &str| {
        problems
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("{name} not reported: {problems:?}"))
    };
    assert!(
        reason("invalid-json.json.gz").contains("not a CloudTrail log file"),
        "{problems:?}"
    );
    assert!(
        reason("no-records.json.gz").contains("no \"Records\""),
        "{problems:?}"
    );
    assert!(reason("truncated.json.gz").contains("gzip"), "{problems:?}");
    assert!(reason("plain.json.gz").contains("gzip"), "{problems:?}");
    assert_eq!(
        reason("one-bad-record.json.gz"),
        "1 of 2 records not stored: record 0: no eventTime"
    );
    assert_eq!(problems.len(), 5);
    assert!(!summary.is_clean());
    assert_eq!(
        (
            summary.files,
            summary.events,
            summary.failed_files,
            summary.rejected_records
        ),
        (2, 3, 4, 1)
    );
    assert_eq!((summary.skipped_digests, summary.skipped_other), (1, 1));
    assert_eq!(count(&store, "SELECT count(*) FROM events"), 3);

    // Unreadable files stay unread and are reported again; the partly stored one is not read twice.
    let again = ingest(&store, root);
    assert_eq!(
        (
            again.files,
            again.events,
            again.failed_files,
            again.skipped_known
        ),
        (0, 0, 4, 2)
    );
}

#[test]
fn the_demo_is_byte_identical_for_a_seed_and_end() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    let options = app::ssr::demo::DemoOptions {
        seed: 5,
        days: 2,
        events: 3_000,
        end: END,
    };
    let first = app::ssr::demo::write_demo(a.path(), &options).expect("demo");
    let second = app::ssr::demo::write_demo(b.path(), &options).expect("demo");
    assert_eq!(first, second);
    let listing = |root: &std::path::Path| {
        let mut files = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).expect("read_dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push((
                        path.strip_prefix(root).expect("prefix").to_owned(),
                        std::fs::read(&path).expect("read"),
                    ));
                }
            }
        }
        files.sort();
        files
    };
    let (left, right) = (listing(a.path()), listing(b.path()));
    assert_eq!(
        left.len() as u64,
        first.files + 2 * first.digest_files + 2,
        "the log files, the digests with their sidecars, the public key and the trails snapshot"
    );
    assert!(left == right, "same seed and end must give the same files");
    let c = tempfile::tempdir().expect("tmp");
    app::ssr::demo::write_demo(
        c.path(),
        &app::ssr::demo::DemoOptions { seed: 6, ..options },
    )
    .expect("demo");
    assert!(
        listing(c.path()) != left,
        "another seed gives another archive"
    );
}

#[test]
fn the_demo_holds_what_a_security_engineer_looks_for() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    let demo = small_demo(archive.path());
    let store = Store::open_in(data.path()).expect("store");
    ingest(&store, archive.path());

    let accounts: std::collections::BTreeSet<&str> =
        demo.streams.keys().map(|(a, _)| a.as_str()).collect();
    let regions: std::collections::BTreeSet<&str> =
        demo.streams.keys().map(|(_, r)| r.as_str()).collect();
    assert!(
        accounts.len() >= 3 && regions.len() >= 4,
        "{accounts:?} {regions:?}"
    );
    assert!(
        std::fs::read_dir(archive.path().join("AWSLogs"))
            .expect("AWSLogs")
            .any(|e| e
                .expect("e")
                .file_name()
                .to_string_lossy()
                .starts_with("o-")),
        "one account under an organization prefix"
    );

    let q = |sql: &str| count(&store, sql);
    let named = |column: &str, value: &str| {
        format!("{column} = (SELECT id FROM strings WHERE value = '{value}')")
    };
    let errors =
        q("SELECT count(*) FROM events WHERE error_code IS NOT NULL") as f64 / demo.events as f64;
    assert!(
        (0.03..0.07).contains(&errors),
        "about 5% errors, got {errors}"
    );
    assert!(
        q("SELECT count(*) FROM events WHERE category = 1") > 0,
        "S3 and Lambda data events"
    );
    assert!(
        q(&format!(
            "SELECT count(*) FROM events WHERE {}",
            named("event_name", "ConsoleLogin")
        )) > 0,
        "console sign-ins"
    );
    for identity_type in [
        "IAMUser",
        "AssumedRole",
        "Root",
        "AWSService",
        "FederatedUser",
    ] {
        assert!(
            q(&format!(
                "SELECT count(*) FROM events WHERE {}",
                named("identity_type", identity_type)
            )) > 0,
            "{identity_type}"
        );
    }
    assert_eq!(
        q(&format!(
            "SELECT count(*) FROM events WHERE {} AND NOT {}",
            named("event_source", "iam.amazonaws.com"),
            named("region", "us-east-1")
        )),
        0,
        "global-service events are recorded in us-east-1"
    );
    assert_eq!(
        q(&format!(
            "SELECT count(*) FROM events WHERE {}",
            named("event_name", "StopLogging")
        )),
        1
    );
    assert_eq!(
        q(&format!(
            "SELECT count(*) FROM events WHERE {}",
            named("event_name", "AuthorizeSecurityGroupIngress")
        )),
        1
    );
    assert_eq!(
        q(&format!(
            "SELECT count(*) FROM events WHERE {} AND {}",
            named("event_name", "ConsoleLogin"),
            named("identity_type", "Root")
        )),
        1
    );
    let burst = q(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM events WHERE error_code IS NOT NULL AND access_key IS NOT NULL GROUP BY access_key, event_time / 300)",
    );
    assert!(
        burst >= 40,
        "an AccessDenied burst from one key, got {burst} in 5 minutes"
    );
}
