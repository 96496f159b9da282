//! S3 ingest faced with a hostile bucket, through `trailscope ingest s3://…` and the real AWS SDK against moto:
//! a key with a `..` folder is named and not read.
mod common;
#[path = "common/moto.rs"]
mod moto;

use app::ssr::store::Store;
use moto::Moto;
use std::path::Path;

const BUCKET: &str = "trail-archive";
const REGION_PREFIX: &str = "AWSLogs/444455556666/CloudTrail/us-east-1/";

/// A log file key in [`REGION_PREFIX`] delivered at `hhmm` on 2026-11-01 (long ago: cursors may pass it).
fn log_key(hhmm: &str, unique: &str) -> String {
    format!(
        "{REGION_PREFIX}2026/11/01/444455556666_CloudTrail_us-east-1_20261101T{hhmm}Z_{unique}.json.gz"
    )
}

/// A log file of one event with this ID, gzip-compressed.
fn log_file(id: &str) -> Vec<u8> {
    use std::io::Write;
    let json = format!(
        r#"{{"Records":[{{"eventTime":"2026-11-01T00:30:00Z","eventID":"{id}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","recipientAccountId":"444455556666","eventCategory":"Data"}}]}}"#
    );
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(json.as_bytes()).expect("gzip");
    encoder.finish().expect("gzip")
}

/// `trailscope ingest s3://BUCKET` into `data` with the SDK pointed at `endpoint`: exit code, stdout, stderr.
fn ingest(moto: &Moto, endpoint: &str, data: &Path) -> (Option<i32>, String, String) {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["--data-dir", data.to_str().expect("utf-8"), "ingest"])
        .arg(format!("s3://{BUCKET}"))
        .envs(moto.sdk_env())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("trailscope runs");
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

/// The event IDs the store holds, sorted (the test's own SQL).
fn stored_ids(data: &Path) -> Vec<String> {
    let store = Store::open_in(data).expect("store");
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let mut stmt = conn
        .prepare("SELECT event_id FROM events ORDER BY 1")
        .expect("query");
    stmt.query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_with_a_dot_dot_folder_is_named_and_not_read() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    moto.put(
        BUCKET,
        &log_key("0005", "Ordinary00000001"),
        log_file("before"),
    )
    .await;
    // In the layout when read from its end, but its folders climb out of the Region prefix it is listed in.
    let climbing = format!(
        "{REGION_PREFIX}2026/11/01/../../../../{}",
        log_key("0010", "Climbing00000001")
    );
    moto.put(BUCKET, &climbing, log_file("climbing")).await;
    moto.put(
        BUCKET,
        &log_key("0015", "Ordinary00000002"),
        log_file("after"),
    )
    .await;

    let data = tempfile::tempdir().expect("tmp");
    let (code, stdout, stderr) = ingest(&moto, &moto.endpoint(), data.path());
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "problem: s3://{BUCKET}/{climbing}: not read: the key has a \".\" or \"..\" folder"
        )),
        "{stderr}"
    );
    assert_eq!(stored_ids(data.path()), ["after", "before"]);

    // Refused for good: the cursor passed it, so a later run neither reads nor reports it again.
    let (code, stdout, stderr) = ingest(&moto, &moto.endpoint(), data.path());
    assert_eq!(code, Some(0), "{stdout}{stderr}");
}
