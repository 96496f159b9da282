//! Hostile files in a folder archive, read by the real ingest into a real SQLite store: a gzip bomb, a record of
//! a gibibyte, JSON nested past any parser's patience, text that is not UTF-8, a `Records` that is not an array,
//! bytes that are not gzip, and symbolic links that loop, cycle or lead out of the archive. Each bad file is
//! named with its reason, the rest of the archive is stored, and memory stays bounded by
//! `ingest_max_file_bytes` (the gibibyte is never held whole). A record nested past serde_json's recursion
//! limit is stored (ingest skips the fields it does not index without recursing) and cannot hide the records
//! beside it when they are read back.
mod common;

use app::ssr::ingest::{IngestLimits, ingest_folder};
use app::ssr::store::Store;
use app::ssr::store::records::raw_record;
use common::write_gz;
use std::io::Write;
use std::path::Path;

const DAY: &str = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/27";

/// The key of a log file delivered on [`DAY`], told apart by `unique`.
fn name(unique: &str) -> String {
    format!("{DAY}/111122223333_CloudTrail_eu-west-1_20261127T1505Z_{unique}.json.gz")
}

/// One management event as CloudTrail writes it, with this `eventID` and `requestParameters` text.
fn record(id: &str, request_parameters: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/pat","accountId":"111122223333","userName":"pat"}},"eventTime":"2026-11-27T15:01:00Z","eventSource":"iam.amazonaws.com","eventName":"GetUser","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","requestParameters":{request_parameters},"eventID":"{id}","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"111122223333","eventCategory":"Management"}}"#
    )
}

/// One gzip member holding `data`.
fn member(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(data).expect("gzip");
    gz.finish().expect("gzip")
}

/// Writes at `key` a gzip file of `head`, then `mib` MiB of `fill` bytes, then `tail`, as concatenated members
/// (RFC 1952 allows them; CloudTrail's readers join them): the test holds one MiB, whatever the file expands to.
fn write_expanding(root: &Path, key: &str, head: &str, fill: u8, mib: usize, tail: &str) {
    let path = root.join(key);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    file.write_all(&member(head.as_bytes())).expect("write");
    let chunk = member(&vec![fill; 1 << 20]);
    for _ in 0..mib {
        file.write_all(&chunk).expect("write");
    }
    file.write_all(&member(tail.as_bytes())).expect("write");
    file.flush().expect("write");
}

/// The event IDs the store holds, sorted (the test's own SQL).
fn stored_ids(store: &Store) -> Vec<String> {
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let mut stmt = conn
        .prepare("SELECT event_id FROM events ORDER BY 1")
        .expect("query");
    stmt.query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// The most memory this process has held (`VmHWM`), in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("kB");
    kib >> 10
}

#[test]
fn each_hostile_file_is_named_with_its_reason_and_the_rest_is_stored() {
    let archive = tempfile::tempdir().expect("tmp");
    let root = archive.path();
    let good = |id: &str| format!("{{\"Records\":[{}]}}", record(id, "{}"));
    write_gz(root, &name("Ordinary00000001"), good("good-1").as_bytes());
    write_gz(root, &name("Ordinary00000002"), good("good-2").as_bytes());

    // A gibibyte of zeros in about a megabyte, and a record whose one string is a gibibyte long.
    write_expanding(root, &name("GzipBomb00000001"), "", 0, 1024, "");
    let head = format!(r#"{{"Records":[{},"#, record("small", "{}"));
    let head = format!(r#"{head}{{"eventID":"huge","requestParameters":{{"policy":""#);
    write_expanding(
        root,
        &name("HugeRecord000001"),
        &head,
        b'a',
        1024,
        r#""}}]}"#,
    );
    assert!(
        std::fs::metadata(root.join(name("HugeRecord000001")))
            .expect("stat")
            .len()
            < 8 << 20
    );

    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let nested = format!(
        "{{\"Records\":[{},{}]}}",
        record("beside-deep", "{}"),
        record("deep", &deep)
    );
    write_gz(root, &name("DeepNesting00001"), nested.as_bytes());
    // "pat" as ISO 8859-1 would write "pét": a lone 0xE9 byte.
    let mut latin1 = good("latin-1").into_bytes();
    let at = latin1.windows(3).position(|w| w == b"pat").expect("pat");
    latin1[at + 1] = 0xe9;
    write_gz(root, &name("NotUtf8000000001"), &latin1);
    write_gz(
        root,
        &name("RecordsObject001"),
        format!("{{\"Records\":{}}}", record("in-an-object", "{}")).as_bytes(),
    );
    write_gz(
        root,
        &name("RecordsText00001"),
        br#"{"Records":"see attached"}"#,
    );
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00 not gzip at all";
    std::fs::write(root.join(name("ZipNotGzip000001")), zip).expect("write");

    // Links: a loop back up, a cycle of two, one out of the archive, and one to a file inside (read).
    let outside = tempfile::tempdir().expect("tmp");
    write_gz(outside.path(), "secret.json.gz", good("outside").as_bytes());
    let link = |target: &Path, key: &str| {
        std::os::unix::fs::symlink(target, root.join(key)).expect("symlink")
    };
    link(Path::new(".."), &format!("{DAY}/loop"));
    link(Path::new("cycle-b"), &format!("{DAY}/cycle-a"));
    link(Path::new("cycle-a"), &format!("{DAY}/cycle-b"));
    link(
        &outside.path().join("secret.json.gz"),
        &name("Escaping00000001"),
    );
    link(
        &root.join(name("Ordinary00000001")),
        &name("LinkedCopy000001"),
    );

    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open_in(data.path()).expect("store");
    let limits = IngestLimits {
        max_file_bytes: 16 << 20,
        ..IngestLimits::default()
    };
    let summary = ingest_folder(&store, root, &limits, &mut |_| {}).expect("ingest runs");
    assert!(
        peak_rss_mib() < 400,
        "peak RSS {} MiB: an expansion was held whole",
        peak_rss_mib()
    );

    let problems: Vec<(String, String)> = summary
        .problems
        .iter()
        .map(|p| (p.key.clone(), p.reason.clone()))
        .collect();
    let reason = |key: &str| {
        problems
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("{key} not reported: {problems:#?}"))
    };
    let too_large = "decompresses to more than 16 MiB (limit ingest_max_file_bytes)";
    assert_eq!(reason(&name("GzipBomb00000001")), too_large);
    assert_eq!(reason(&name("HugeRecord000001")), too_large);
    for (key, says) in [
        (name("NotUtf8000000001"), "not UTF-8 text"),
        (name("RecordsObject001"), "expected a sequence"),
        (name("RecordsText00001"), "expected a sequence"),
        (name("ZipNotGzip000001"), "not a readable gzip file"),
        (
            format!("{DAY}/loop"),
            "leads to a folder inside the archive",
        ),
        (format!("{DAY}/cycle-a"), "cannot resolve it"),
        (format!("{DAY}/cycle-b"), "cannot resolve it"),
        (name("Escaping00000001"), "leads outside the archive folder"),
    ] {
        let reason = reason(&key);
        assert!(reason.contains(says), "{key}: {reason}");
    }
    assert_eq!(problems.len(), 10, "{problems:#?}");
    assert_eq!(summary.failed_files, 10);

    // The good files went in, the linked copy was read (its events are already stored), nothing else. The
    // deeply nested record is stored too: its nesting is in a field ingest skips without recursing.
    assert_eq!(
        stored_ids(&store),
        ["beside-deep", "deep", "good-1", "good-2"]
    );
    assert_eq!((summary.files, summary.duplicates), (4, 1));

    // Its neighbour's record reads back whole; its own is refused with the reason, without overflowing a stack.
    let beside = raw_record(&store, "beside-deep")
        .expect("readable")
        .expect("stored");
    assert_eq!(beside["eventID"], "beside-deep");
    let deep = raw_record(&store, "deep").expect_err("too deep to show");
    assert!(
        deep.to_string().contains("recursion limit exceeded"),
        "{deep}"
    );
}

/// A record nested past the parser's limit is stored (above), and the detection rules cannot read it: it is
/// skipped, and the records after it are still evaluated — a trail stopped right after it is found, where one
/// unreadable record used to stop every later evaluation.
#[tokio::test]
async fn a_record_the_rules_cannot_read_does_not_hide_the_findings_after_it() {
    let (archive, data) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let stopped = record("stopped-after-deep", r#"{"name":"management-events"}"#)
        .replace(
            r#""eventSource":"iam.amazonaws.com","eventName":"GetUser""#,
            r#""eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging""#,
        )
        .replace(r#""readOnly":true"#, r#""readOnly":false"#)
        .replace("2026-11-27T15:01:00Z", "2026-11-27T15:02:00Z");
    assert!(stopped.contains("StopLogging"));
    // A call a rule reads `requestParameters` of (a log group's retention shortened), so the rules try to read it.
    let deep = record("deep", &deep).replace(
        r#""eventSource":"iam.amazonaws.com","eventName":"GetUser""#,
        r#""eventSource":"logs.amazonaws.com","eventName":"PutRetentionPolicy""#,
    );
    let file = format!(r#"{{"Records":[{deep},{stopped}]}}"#);
    write_gz(archive.path(), &name("DeepThenStop0001"), file.as_bytes());
    let store = Store::open(&data.path().join("trailscope.db")).expect("store");
    ingest_folder(
        &store,
        archive.path(),
        &IngestLimits::default(),
        &mut |_| {},
    )
    .expect("ingest");
    assert_eq!(stored_ids(&store), ["deep", "stopped-after-deep"]);

    let rules = app::ssr::findings::rules::RuleSet::load(None);
    app::ssr::findings::store::evaluate_new(&store, &rules).expect("evaluation goes on");
    let report =
        app::ssr::findings::api::report(&store, &rules, &Default::default()).expect("report");
    let stop = report
        .findings
        .iter()
        .find(|f| f.title == "CloudTrail logging stopped")
        .unwrap_or_else(|| {
            panic!(
                "{:?}",
                report.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
            )
        });
    assert_eq!(stop.count, 1);

    // The skipped record is not silent: the API and the Findings page count it and name it, with why.
    let (router, _) = common::served::serve_store(store);
    let viewer = common::served::viewer_cookie(&router).await;
    let api = common::served::json_of(
        "/api/findings",
        common::served::get_as(&router, &viewer, "/api/findings").await,
    );
    assert_eq!(api["unreadable"]["count"], 1, "{}", api["unreadable"]);
    let example = &api["unreadable"]["examples"][0];
    assert_eq!(example["event_id"], "deep");
    let reason = example["reason"].as_str().expect("reason");
    assert!(reason.contains("recursion limit"), "{reason}");
    let (status, html) = common::served::get_as(&router, &viewer, "/findings").await;
    assert_eq!(status, axum::http::StatusCode::OK);
    // `<!>` are hydration markers (erased views place them after text nodes).
    let page = html.replace("<!>", "");
    assert!(
        page.contains("1 record could not be evaluated") && page.contains("<code>deep</code>"),
        "{html}"
    );
}
