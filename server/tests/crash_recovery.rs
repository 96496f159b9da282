//! `kill -9` of the real binary at the moments a crash must not lose or repeat anything, then a restart: during
//! a first load (after its first batch, search indexes deferred), during an incremental ingest, during the
//! deferred search-index build, and during an Event History sync (against the local `LookupEvents` server).
//! Afterwards the store holds exactly the source's event IDs, each once; every search index exists; and the
//! record of what was read (stored files, the sync cursor) agrees with the events. The kill lands where the
//! test means it to: `TRAILSCOPE_PAUSE_AT` makes the process stop at a named point and say so
//! (`app::ssr::fault_point`), and the test kills it then.
#[path = "common/archive_ids.rs"]
mod archive_ids;
// The fixture's CloudTrail client is for in-process syncs; this test runs the binary.
#[allow(dead_code)]
#[path = "common/fake_history.rs"]
mod fake_history;

use app::ssr::fault_point::{
    INDEX_BUILT, INGEST_BATCH_COMMITTED, PAUSE_AT_ENV, SYNC_PAGE_COMMITTED,
};
use archive_ids::{consistent, number, source_files, source_ids, stored_ids, strings};
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};

/// A `trailscope` command on the store in `data`.
fn trailscope(data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trailscope"));
    command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("TRAILSCOPE_LOG", "warn");
    command
}

/// Runs `command` until it pauses at `point`, then kills it with SIGKILL.
fn kill_at(mut command: Command, point: &str) {
    let mut child = command
        .env(PAUSE_AT_ENV, point)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut said = Vec::new();
    for line in stderr.lines() {
        let line = line.expect("stderr");
        if line == format!("paused at {point}") {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
            return;
        }
        said.push(line);
    }
    let status = child.wait().expect("reaped");
    panic!("never reached {point} ({status}): {said:#?}");
}

/// Runs `command` to the end; it must succeed.
fn run(mut command: Command) {
    let output = command.output().expect("runs");
    assert!(output.status.success(), "{output:?}");
}

/// A generated archive of `events` events over two days up to `end`, in `out`, of more log files than one
/// ingest batch holds.
fn demo(out: &Path, seed: &str, events: &str, end: &str) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trailscope"));
    command.args(["demo", "--out"]).arg(out).args([
        "--events", events, "--days", "2", "--end", end, "--seed", seed,
    ]);
    run(command);
}

/// The names of the indexes a store has.
fn indexes(db: &Path) -> Vec<String> {
    strings(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
    )
}

/// The store in `data` holds exactly the events of `archives`, once each; every index of a new store; and
/// exactly their log files as stored files, adding up to the events.
fn equals_source(data: &Path, archives: &[&Path]) {
    let db = data.join("trailscope.db");
    let expected: Vec<String> = source_ids(archives).into_iter().collect();
    assert_eq!(stored_ids(&db), expected, "nothing lost, nothing twice");
    let fresh = tempfile::tempdir().expect("tmp");
    app::ssr::store::Store::open_in(fresh.path()).expect("a new store");
    assert_eq!(indexes(&db), indexes(&fresh.path().join("trailscope.db")));
    let mut keys: Vec<String> = archives
        .iter()
        .flat_map(|a| source_files(a).into_keys())
        .collect();
    keys.sort();
    assert_eq!(strings(&db, "SELECT key FROM files ORDER BY key"), keys);
    assert!(consistent(&db));
}

#[test]
fn a_load_killed_after_a_batch_or_during_the_index_build_or_an_incremental_ingest_completes_exactly()
 {
    let archives = tempfile::tempdir().expect("tmp");
    let (first, second) = (archives.path().join("a"), archives.path().join("b"));
    demo(&first, "3", "20000", "2026-10-01");
    demo(&second, "4", "20000", "2026-11-01");
    assert!(
        source_files(&first).len() > 2000 && source_files(&second).len() > 2000,
        "each archive needs more than one batch (2,000 files), and a deferred index build"
    );
    let ingest = |data: &Path, archive: &Path| {
        trailscope(data, &["ingest", archive.to_str().expect("utf-8")])
    };

    // A first load killed after its first batch, with its search indexes dropped, then run again.
    let data = tempfile::tempdir().expect("tmp");
    kill_at(ingest(data.path(), &first), INGEST_BATCH_COMMITTED);
    let db = data.path().join("trailscope.db");
    let committed = number(&db, "SELECT count(*) FROM files");
    assert!(committed > 0, "the first batch committed before the kill");
    run(ingest(data.path(), &first));
    equals_source(data.path(), &[&first]);

    // An incremental ingest killed after its first batch, then run again.
    kill_at(ingest(data.path(), &second), INGEST_BATCH_COMMITTED);
    assert!(number(&db, "SELECT count(*) FROM files") > committed);
    run(ingest(data.path(), &second));
    equals_source(data.path(), &[&first, &second]);

    // A first load killed while it builds its deferred search indexes, then run again.
    let data = tempfile::tempdir().expect("tmp");
    kill_at(ingest(data.path(), &second), INDEX_BUILT);
    run(ingest(data.path(), &second));
    equals_source(data.path(), &[&second]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_after_a_page_resumes_without_losing_or_repeating_events() {
    let history = std::sync::Arc::new(fake_history::History::default());
    let now = app::ssr::clock::now_secs();
    history.add((0..320).map(|i| now - 120 - i * 5));
    let endpoint = fake_history::serve(history.clone()).await;
    let data = tempfile::tempdir().expect("tmp");
    let sync = || {
        let mut command = trailscope(data.path(), &["sync", "--region", "us-east-1"]);
        command
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        command
    };
    let killed = sync();
    tokio::task::spawn_blocking(move || kill_at(killed, SYNC_PAGE_COMMITTED))
        .await
        .expect("killed");
    let db = data.path().join("trailscope.db");
    let partial = number(&db, "SELECT count(*) FROM events");
    assert!(
        partial > 0 && partial < 320,
        "{partial} stored before the kill"
    );

    let resumed = sync();
    tokio::task::spawn_blocking(move || run(resumed))
        .await
        .expect("resumed");
    let mut expected: Vec<String> = history
        .events
        .lock()
        .expect("events")
        .iter()
        .map(|(_, id)| id.clone())
        .collect();
    expected.sort();
    assert_eq!(stored_ids(&db), expected, "nothing lost, nothing twice");
    assert!(consistent(&db));

    // The cursor agrees: one more run reads nothing again.
    let again = sync();
    tokio::task::spawn_blocking(move || run(again))
        .await
        .expect("again");
    assert_eq!(stored_ids(&db), expected);
}
