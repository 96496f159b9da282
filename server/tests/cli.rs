//! The `trailscope` binary as scripts and operators use it.
mod common;

use std::process::Command;

fn trailscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(args)
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("runs")
}

#[test]
fn ingest_reports_each_damaged_file_and_exits_non_zero() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    let dir = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20";
    common::write_gz(
        archive.path(),
        &format!("{dir}/ok.json.gz"),
        br#"{"Records":[{"eventTime":"2026-11-20T10:00:00Z","eventID":"a","eventSource":"s3.amazonaws.com","eventName":"ListBuckets"}]}"#,
    );
    common::write_gz(
        archive.path(),
        &format!("{dir}/broken.json.gz"),
        b"{\"Records\": [",
    );
    let data_dir = data.path().to_str().expect("utf-8");
    let archive_dir = archive.path().to_str().expect("utf-8");

    let run = trailscope(&["--data-dir", data_dir, "ingest", archive_dir]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert_eq!(run.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "problem: {dir}/broken.json.gz: not a CloudTrail log file"
        )),
        "{stderr}"
    );
    assert!(
        stdout.starts_with("ingest: files 1, events 1, duplicates 0,"),
        "{stdout}"
    );
    assert!(
        stdout.contains("failed 1 (1 files, 0 records)") && stdout.contains(" events/s"),
        "{stdout}"
    );

    std::fs::remove_file(archive.path().join(format!("{dir}/broken.json.gz"))).expect("rm");
    let clean = trailscope(&["--data-dir", data_dir, "ingest", archive_dir]);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert!(
        String::from_utf8_lossy(&clean.stdout)
            .contains("files 0, events 0, duplicates 0, skipped 1 (1 already stored")
    );
}

#[test]
fn errors_go_to_stderr_with_a_non_zero_exit() {
    let data = tempfile::tempdir().expect("tmp");
    let data_dir = data.path().to_str().expect("utf-8");
    let run = trailscope(&["--data-dir", data_dir, "ingest", "/no/such/archive"]);
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr)
            .contains("cannot read archive folder /no/such/archive")
    );
    assert!(
        !data.path().join("trailscope.db").exists(),
        "no store is created for a wrong path"
    );
    let out = data.path().join("demo");
    let run = trailscope(&[
        "demo",
        "--out",
        out.to_str().expect("utf-8"),
        "--end",
        "yesterday",
    ]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("--end \"yesterday\""));
    for sub in ["serve", "demo", "ingest", "healthcheck", "user", "token"] {
        assert!(
            trailscope(&[sub, "--help"]).status.success(),
            "{sub} --help"
        );
    }
}

#[test]
fn a_store_filled_by_ingest_is_never_mixed_with_demo_data() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    common::write_gz(
        archive.path(),
        "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/x.json.gz",
        br#"{"Records":[{"eventTime":"2026-11-20T10:00:00Z","eventID":"only","eventSource":"s3.amazonaws.com","eventName":"ListBuckets"}]}"#,
    );
    let store = app::ssr::store::Store::open_in(data.path()).expect("store");
    common::ingest(&store, archive.path());
    let config = trailscope::config::Config {
        data_dir: data.path().to_owned(),
        ..Default::default()
    };
    trailscope::serve::prepare_demo(&store, &config).expect("prepare");
    assert_eq!(common::count(&store, "SELECT count(*) FROM events"), 1);
    assert!(
        !data.path().join("demo").exists(),
        "no demo archive was written"
    );
}

fn trailscope_with_stdin(args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(args)
        .env("TRAILSCOPE_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write");
    child.wait_with_output().expect("output")
}

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fails_with(o: &std::process::Output, text: &str) {
    assert!(!o.status.success(), "should fail: {}", out(o));
    assert!(err(o).contains(text), "{text:?} not in {}", err(o));
}

#[test]
fn users_are_managed_from_the_command_line() {
    let data = tempfile::tempdir().expect("tmp");
    let dir = data.path().to_str().expect("utf-8");

    let added = trailscope_with_stdin(
        &[
            "--data-dir",
            dir,
            "user",
            "add",
            "alice",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "a fine long password\n",
    );
    assert!(added.status.success(), "{}", err(&added));
    assert_eq!(
        out(&added),
        "added user alice (admin)\n",
        "a password given on stdin is never echoed"
    );

    let generated = trailscope(&["--data-dir", dir, "user", "add", "bob", "--role", "viewer"]);
    assert!(generated.status.success(), "{}", err(&generated));
    let shown = out(&generated);
    let password = shown
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .expect("printed once");
    assert_eq!(password.len(), 24);
    let store = app::ssr::store::Store::open_in(data.path()).expect("store");
    let bob = app::ssr::auth::users::verify_password(&store, "bob", password).expect("verify");
    assert_eq!(
        bob.map(|u| u.role),
        Some(app::ssr::auth::Role::Viewer),
        "the printed password works"
    );

    let duplicate = trailscope_with_stdin(
        &[
            "--data-dir",
            dir,
            "user",
            "add",
            "Alice",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "another long password\n",
    );
    fails_with(&duplicate, "user Alice already exists");
    let weak = trailscope_with_stdin(
        &[
            "--data-dir",
            dir,
            "user",
            "passwd",
            "alice",
            "--password-stdin",
        ],
        "short\n",
    );
    fails_with(&weak, "at least 12 characters");
    let bad_role = trailscope(&["--data-dir", dir, "user", "add", "carol", "--role", "root"]);
    fails_with(&bad_role, "invalid value 'root'");

    let changed = trailscope_with_stdin(
        &[
            "--data-dir",
            dir,
            "user",
            "passwd",
            "alice",
            "--password-stdin",
        ],
        "the new long password\n",
    );
    assert!(changed.status.success(), "{}", err(&changed));
    assert!(
        app::ssr::auth::users::verify_password(&store, "alice", "the new long password")
            .expect("verify")
            .is_some()
    );

    let listed = out(&trailscope(&["--data-dir", dir, "user", "list"]));
    let rows: Vec<Vec<&str>> = listed
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().take(2).collect())
        .collect();
    assert_eq!(rows, [["alice", "admin"], ["bob", "viewer"]]);
    assert!(!listed.contains("argon2"), "no hash is ever printed");

    assert!(
        trailscope(&["--data-dir", dir, "user", "del", "bob"])
            .status
            .success()
    );
    let missing = trailscope(&["--data-dir", dir, "user", "del", "bob"]);
    fails_with(&missing, "no user bob");
}

#[test]
fn api_tokens_are_managed_from_the_command_line_and_audited() {
    let data = tempfile::tempdir().expect("tmp");
    let dir = data.path().to_str().expect("utf-8");
    let added = trailscope(&[
        "--data-dir",
        dir,
        "token",
        "add",
        "--name",
        "nightly",
        "--role",
        "viewer",
    ]);
    assert!(added.status.success(), "{}", err(&added));
    let added = out(&added);
    let token = added
        .lines()
        .find_map(|l| l.strip_prefix("token (shown once): "))
        .expect("the token is printed once")
        .to_owned();
    let store = app::ssr::store::Store::open_in(data.path()).expect("store");
    let found = app::ssr::auth::tokens::authenticate_token(&store, &token).expect("lookup");
    assert_eq!(found.map(|t| t.name).as_deref(), Some("nightly"));

    let listed = out(&trailscope(&["--data-dir", dir, "token", "list"]));
    assert!(
        listed.contains("nightly") && listed.contains(&token[..8]),
        "{listed}"
    );
    assert!(!listed.contains(&token), "the token is never listed");
    let duplicate = trailscope(&[
        "--data-dir",
        dir,
        "token",
        "add",
        "--name",
        "nightly",
        "--role",
        "admin",
    ]);
    fails_with(&duplicate, "token nightly already exists");

    out(&trailscope(&["--data-dir", dir, "token", "del", "nightly"]));
    let revoked = app::ssr::auth::tokens::authenticate_token(&store, &token).expect("lookup");
    assert_eq!(revoked, None);
    let audit: Vec<(String, String)> = app::ssr::audit::recent(&store, 10, None)
        .expect("audit")
        .into_iter()
        .map(|e| (e.actor, e.action))
        .collect();
    assert_eq!(
        audit,
        [
            ("cli".to_owned(), "token.revoke".to_owned()),
            ("cli".to_owned(), "token.add".to_owned())
        ]
    );
}

#[test]
fn a_bulk_command_runs_at_a_lower_cpu_priority_than_the_server() {
    let out = tempfile::tempdir().expect("tmp");
    let archive = out.path().join("archive");
    let mut demo = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["demo", "--events", "300000", "--days", "3", "--out"])
        .arg(&archive)
        .env("TRAILSCOPE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    let own = common::threads(std::process::id())[0].1;
    let mut seen = Vec::new();
    while demo.try_wait().expect("wait").is_none() {
        seen.extend(common::threads(demo.id()).into_iter().map(|(_, nice)| nice));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(demo.wait().expect("exit").success());
    let lowered = own.max(app::ssr::background::BACKGROUND_NICE);
    assert!(
        seen.contains(&lowered),
        "the demo's threads ran at {seen:?}, not at nice {lowered}"
    );
    // Once lowered, no thread of it runs at the server's priority (only the instant before it lowers).
    let first = seen.iter().position(|n| *n == lowered).expect("seen");
    assert!(seen[first..].iter().all(|n| *n == lowered), "{seen:?}");
}
