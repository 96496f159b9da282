//! What `ingest` reads from a folder and what it refuses: log files under any trail prefix (one that is itself
//! `AWSLogs`, Control Tower's `o-ORG/AWSLogs/o-ORG/…`, a custom one) are stored under their own accounts; a
//! folder holding no log file in CloudTrail's layout is an error naming the layout (never "0 events" and
//! success); a file that decompresses past `ingest_max_file_bytes` and a record past `ingest_max_record_bytes`
//! are reported by key and ordinal while the rest is stored.
mod common;

use app::ssr::ingest::{IngestError, IngestLimits, ingest_folder};
use app::ssr::store::Store;
use common::write_gz;
use std::path::Path;
use std::process::{Command, Output};

/// One management event as CloudTrail writes it, told apart by its `eventName` and `eventID`.
fn record(account: &str, event_name: &str, request_parameters: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLEPRINCIPAL","arn":"arn:aws:iam::{account}:user/pat","accountId":"{account}","accessKeyId":"AKIAEXAMPLEKEY000001","userName":"pat"}},"eventTime":"2026-11-27T15:01:00Z","eventSource":"ec2.amazonaws.com","eventName":"{event_name}","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":{request_parameters},"responseElements":null,"requestID":"req-{event_name}","eventID":"id-{account}-{event_name}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{account}","eventCategory":"Management"}}"#
    )
}

fn log_file(records: &[String]) -> Vec<u8> {
    format!("{{\"Records\":[{}]}}", records.join(",")).into_bytes()
}

/// A delivered log file's key: `PREFIX/AWSLogs/[ORG/]ACCOUNT/CloudTrail/eu-west-1/2026/11/27/NAME`.
fn key(prefix: &str, org: Option<&str>, account: &str, unique: &str) -> String {
    let org = org.map_or_else(String::new, |o| format!("{o}/"));
    format!(
        "{prefix}AWSLogs/{org}{account}/CloudTrail/eu-west-1/2026/11/27/{account}_CloudTrail_eu-west-1_20261127T1505Z_{unique}.json.gz"
    )
}

/// The three layouts of one bucket: a trail prefix that is itself `AWSLogs`, Control Tower, a custom prefix.
fn write_layouts(root: &Path) {
    let describe = |a: &str, n: &str| record(a, n, "{\"maxResults\":5}");
    write_gz(
        root,
        &key("AWSLogs/", None, "111122223333", "AwsLogsTwice0001"),
        &log_file(&[
            describe("111122223333", "DescribeInstances"),
            describe("111122223333", "DescribeVolumes"),
        ]),
    );
    write_gz(
        root,
        &key(
            "o-a1b2c3d4e5/",
            Some("o-a1b2c3d4e5"),
            "444455556666",
            "ControlTower0001",
        ),
        &log_file(&[
            describe("444455556666", "DescribeVpcs"),
            describe("444455556666", "DescribeSubnets"),
        ]),
    );
    write_gz(
        root,
        &key("custom-prefix/", None, "777788889999", "CustomPrefix0001"),
        &log_file(&[describe("777788889999", "DescribeImages")]),
    );
}

/// Strings the store holds for a dictionary-coded events column, as `value:count`, sorted.
fn column(store: &Store, column: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let sql = format!(
        "SELECT s.value || ':' || count(*) FROM events e JOIN strings s ON s.id = e.{column} GROUP BY s.value ORDER BY s.value"
    );
    let mut stmt = conn.prepare(&sql).expect(&sql);
    stmt.query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn trailscope(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(args)
        .envs(env.iter().copied())
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("runs")
}

#[test]
fn every_trail_prefix_layout_is_read_under_its_own_account() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    write_layouts(archive.path());
    let store = Store::open_in(data.path()).expect("store");
    let summary = common::ingest(&store, archive.path());
    assert!(summary.is_clean(), "{:?}", summary.problems);
    assert_eq!(
        (summary.files, summary.events, summary.skipped()),
        (3, 5, 0)
    );
    assert_eq!(
        column(&store, "account"),
        ["111122223333:2", "444455556666:2", "777788889999:1"]
    );

    // A copy from below AWSLogs/ beside them is skipped, counted and named in the summary.
    let below = "111122223333/CloudTrail/eu-west-1/2026/11/27/111122223333_CloudTrail_eu-west-1_20261127T1510Z_CopiedBelow00001.json.gz";
    write_gz(
        archive.path(),
        &format!("copy/{below}"),
        &log_file(&[record("111122223333", "RunInstances", "{}")]),
    );
    std::fs::write(archive.path().join("notes.txt"), "not a log").expect("write");
    let summary = common::ingest(&store, archive.path());
    assert_eq!((summary.skipped_known, summary.skipped_other), (3, 2));
    assert!(
        summary
            .line()
            .contains(&format!("2 other, e.g. copy/{below})")),
        "{}",
        summary.line()
    );
}

#[test]
fn a_folder_copied_from_below_awslogs_is_an_error_that_shows_the_layout() {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    let below = "111122223333/CloudTrail/us-east-1/2026/11/27/111122223333_CloudTrail_us-east-1_20261127T2105Z_SyncedBelow00001.json.gz";
    write_gz(
        archive.path(),
        below,
        &log_file(&[record("111122223333", "CreateUser", "{}")]),
    );
    let folder = archive.path().to_str().expect("utf-8");
    let run = trailscope(
        &[
            "--data-dir",
            data.path().to_str().expect("utf-8"),
            "ingest",
            folder,
        ],
        &[],
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert_eq!(run.status.code(), Some(1), "{stdout}{stderr}");
    for says in [
        format!("no CloudTrail log file found under {folder}"),
        "AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/".to_owned(),
        below.to_owned(),
        "point at the folder that contains AWSLogs/".to_owned(),
        "copy the files with their AWSLogs/ prefix".to_owned(),
    ] {
        assert!(stderr.contains(&says), "{says:?} in {stderr}");
    }
    assert!(!stdout.contains("events 0"), "{stdout}");

    // An empty folder, or one of other files, says so too.
    let empty = tempfile::tempdir().expect("tmp");
    std::fs::write(empty.path().join("README.txt"), "x").expect("write");
    let store = Store::open_in(data.path()).expect("store");
    let error = ingest_folder(&store, empty.path(), &IngestLimits::default(), &mut |_| {})
        .expect_err("nothing to read");
    assert!(
        matches!(&error, IngestError::NoLogFiles { example: None, .. }),
        "{error}"
    );
}

#[test]
fn a_file_or_record_over_its_bound_is_reported_and_the_rest_is_stored() {
    let archive = tempfile::tempdir().expect("tmp");
    let day = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/27";
    let name = |unique: &str| {
        format!("{day}/111122223333_CloudTrail_eu-west-1_20261127T1505Z_{unique}.json.gz")
    };
    // One ordinary record and 8 MiB of whitespace after it: valid JSON, a few kilobytes compressed.
    let bomb = format!(
        "{{\"Records\":[{}{}]}}",
        record("111122223333", "GetBomb", "{}"),
        " ".repeat(8 << 20)
    );
    write_gz(archive.path(), &name("GzipBomb00000001"), bomb.as_bytes());
    let bomb_size = std::fs::metadata(archive.path().join(name("GzipBomb00000001")))
        .expect("stat")
        .len();
    assert!(bomb_size < 64 << 10, "{bomb_size} bytes compressed");
    write_gz(
        archive.path(),
        &name("Ordinary00000001"),
        &log_file(&[
            record("111122223333", "ListUsers", "{}"),
            record("111122223333", "ListRoles", "{}"),
        ]),
    );
    let huge = format!("{{\"policyDocument\":\"{}\"}}", "a".repeat(100_000));
    write_gz(
        archive.path(),
        &name("HugeRecord000001"),
        &log_file(&[
            record("111122223333", "GetUser", "{}"),
            record("111122223333", "PutRolePolicy", &huge),
            record("111122223333", "GetRole", "{}"),
        ]),
    );
    let folder = archive.path().to_str().expect("utf-8");

    let data = tempfile::tempdir().expect("tmp");
    let bounded = [
        ("TRAILSCOPE_INGEST_MAX_FILE_BYTES", "1048576"),
        ("TRAILSCOPE_INGEST_MAX_RECORD_BYTES", "65536"),
    ];
    let data_dir = data.path().to_str().expect("utf-8");
    let run = trailscope(&["--data-dir", data_dir, "ingest", folder], &bounded);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert_eq!(run.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "problem: {}: decompresses to more than 1 MiB (limit ingest_max_file_bytes)",
            name("GzipBomb00000001")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "problem: {}: 1 of 3 records not stored: record 1: larger than 64 KiB (limit ingest_max_record_bytes)",
            name("HugeRecord000001")
        )),
        "{stderr}"
    );
    assert!(
        stdout.contains("files 2, events 4,") && stdout.contains("failed 2 (1 files, 1 records)"),
        "{stdout}"
    );
    let store = Store::open_in(data.path()).expect("store");
    assert_eq!(
        column(&store, "event_name"),
        ["GetRole:1", "GetUser:1", "ListRoles:1", "ListUsers:1"]
    );

    // With the default bounds the same archive is read whole: the bounds, not the files, refused them.
    let unbounded = tempfile::tempdir().expect("tmp");
    let run = trailscope(
        &[
            "--data-dir",
            unbounded.path().to_str().expect("utf-8"),
            "ingest",
            folder,
        ],
        &[],
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("files 3, events 6,"), "{stdout}");
}
