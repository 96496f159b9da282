//! `trailscope backup DIR` as an operator runs it: while another process ingests into the same store, the copy
//! is a consistent store holding every event committed before it started, each with its raw record.
use app::ssr::store::event_id::StoredEventId;
use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};

fn trailscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(args)
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("runs")
}

fn demo(out: &Path, seed: &str) {
    let out = out.to_str().expect("utf-8");
    let run = trailscope(&[
        "demo", "--out", out, "--seed", seed, "--days", "2", "--events", "20000",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn event_ids(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).expect("opens");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("checks");
    assert_eq!(ok, "ok", "{}", db.display());
    let mut stmt = conn
        .prepare("SELECT event_id FROM events")
        .expect("prepares");
    stmt.query_map([], |r| r.get::<_, StoredEventId>(0))
        .expect("queries")
        .map(|r| r.expect("row").0)
        .collect()
}

#[test]
fn a_backup_taken_during_an_ingest_is_a_complete_consistent_store() {
    let work = tempfile::tempdir().expect("tmp");
    let (first, second) = (work.path().join("first"), work.path().join("second"));
    demo(&first, "1");
    demo(&second, "2");
    let data = work.path().join("data");
    let data_dir = data.to_str().expect("utf-8");
    let run = trailscope(&[
        "--data-dir",
        data_dir,
        "ingest",
        first.to_str().expect("utf-8"),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let before = event_ids(&data.join("trailscope.db"));
    assert!(before.len() > 20_000, "the first archive is stored");

    // A second archive goes in while the backup runs.
    let mut ingest = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args([
            "--data-dir",
            data_dir,
            "ingest",
            second.to_str().expect("utf-8"),
        ])
        .env("TRAILSCOPE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("ingest starts");
    let copy = work.path().join("copy");
    let run = trailscope(&[
        "--data-dir",
        data_dir,
        "backup",
        copy.to_str().expect("utf-8"),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).starts_with("backup: "));
    assert!(ingest.wait().expect("ingest ends").success());

    let copied = event_ids(&copy.join("trailscope.db"));
    let in_copy: HashSet<&String> = copied.iter().collect();
    let missing = before.iter().filter(|id| !in_copy.contains(id)).count();
    assert_eq!(
        missing, 0,
        "every event committed before the backup is in it"
    );
    // Each copied event's raw record reads back from the copied segments.
    let store = app::ssr::store::Store::open_in(&copy).expect("the copy opens as a store");
    for id in copied.iter().step_by(997) {
        let record = app::ssr::store::records::raw_record(&store, id)
            .expect("reads")
            .expect("present");
        assert_eq!(record["eventID"], id.as_str());
    }

    // A backup never overwrites.
    let again = trailscope(&[
        "--data-dir",
        data_dir,
        "backup",
        copy.to_str().expect("utf-8"),
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds files"));
}

/// The store and its backups hold password hashes and session IDs: other local users cannot read them, whatever
/// the umask.
#[cfg(unix)]
#[test]
fn the_store_and_its_backups_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().expect("tmp");
    let data = work.path().join("data");
    app::ssr::store::Store::open_in(&data).expect("store");
    let copy = work.path().join("copy");
    let run = trailscope(&[
        "--data-dir",
        data.to_str().expect("utf-8"),
        "backup",
        copy.to_str().expect("utf-8"),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    for dir in [&data, &copy] {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
        for file in ["trailscope.db", "trailscope-auth.db"] {
            assert_eq!(mode(&dir.join(file)), 0o600, "{}/{file}", dir.display());
        }
    }
}
