//! S3 archive ingest through the real AWS SDK against moto: `trailscope ingest s3://bucket/prefix` (a child
//! process, since the SDK takes moto's endpoint and credentials from the environment) stores what a folder
//! ingest of the same archive stores, organization folder and an SSE-KMS object included; reports a corrupt
//! file by its key and goes on; and, by its cursors, reads only new files on later runs. `serve` does the same
//! in the background for `s3_archives`.
mod common;
#[path = "common/moto.rs"]
mod moto;

use app::ssr::store::Store;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use moto::Moto;
use std::path::Path;
use std::process::{Command, Output};

const BUCKET: &str = "trail-archive";
const PREFIX: &str = "org/prod";

/// The real S3 client, pointed at moto.
fn s3(moto: &Moto) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(moto.endpoint())
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

async fn put(client: &aws_sdk_s3::Client, bucket: &str, key: &str, body: Vec<u8>) {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key}: {e}"));
}

fn gz(json: &str) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(json.as_bytes()).expect("gzip");
    encoder.finish().expect("gzip")
}

/// A log file of two events with these IDs.
fn log_file(id: &str) -> Vec<u8> {
    gz(&format!(
        r#"{{"Records":[{{"eventTime":"2026-11-01T00:30:00Z","eventID":"{id}-1","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","recipientAccountId":"444455556666","eventCategory":"Data"}},{{"eventTime":"2026-11-01T00:31:00Z","eventID":"{id}-2","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","recipientAccountId":"444455556666","readOnly":false}}]}}"#
    ))
}

/// Uploads every file below `dir` under `prefix/`, 16 at a time; returns the keys, sorted.
async fn upload_folder(client: &aws_sdk_s3::Client, dir: &Path, prefix: &str) -> Vec<String> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("below").to_string_lossy();
                files.push((format!("{prefix}/{relative}"), path));
            }
        }
    }
    let mut keys = Vec::new();
    for chunk in files.chunks(16) {
        let mut uploads = tokio::task::JoinSet::new();
        for (key, path) in chunk {
            let (client, key, body) = (
                client.clone(),
                key.clone(),
                std::fs::read(path).expect("read"),
            );
            uploads.spawn(async move { put(&client, BUCKET, &key, body).await });
        }
        uploads.join_all().await;
        keys.extend(chunk.iter().map(|(key, _)| key.clone()));
    }
    keys.sort();
    keys
}

fn trailscope(moto: &Moto, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(args)
        .envs(moto.sdk_env())
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("trailscope runs")
}

/// `trailscope ingest s3://BUCKET/PREFIX`: exit code, summary line, stderr.
fn ingest_s3(moto: &Moto, data: &Path) -> (Option<i32>, String, String) {
    let url = format!("s3://{BUCKET}/{PREFIX}");
    let run = trailscope(
        moto,
        &["--data-dir", data.to_str().expect("utf-8"), "ingest", &url],
    );
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("ingest: "))
        .unwrap_or_else(|| panic!("no summary line: {stdout}{stderr}"))
        .to_owned();
    (run.status.code(), line, stderr)
}

/// The number after `label ` in a summary line.
fn figure(line: &str, label: &str) -> u64 {
    let at = line
        .find(&format!("{label} "))
        .unwrap_or_else(|| panic!("{label} in {line}"));
    line[at + label.len() + 1..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{label} in {line}"))
}

fn event_ids(store: &Store) -> Vec<String> {
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let mut stmt = conn
        .prepare("SELECT hex(event_id) FROM events ORDER BY 1")
        .expect("query");
    stmt.query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_ingest_reads_what_a_folder_ingest_reads_and_then_only_new_files() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let client = s3(&moto);
    let archive = tempfile::tempdir().expect("tmp");
    let demo = trailscope(
        &moto,
        &[
            "demo",
            "--out",
            archive.path().to_str().expect("utf-8"),
            "--events",
            "2000",
            "--days",
            "1",
            "--end",
            "2026-11-01",
            "--seed",
            "7",
        ],
    );
    assert!(demo.status.success(), "{demo:?}");
    let keys = upload_folder(&client, archive.path(), PREFIX).await;
    let log_keys: Vec<&String> = keys.iter().filter(|k| k.ends_with(".json.gz")).collect();
    assert!(
        log_keys.iter().any(|k| k.contains("/AWSLogs/o-")),
        "the demo puts one account under an organization folder"
    );

    // One log file again, encrypted with SSE-KMS (S3 decrypts it for the reader).
    let kms_key = log_keys[log_keys.len() / 2].clone();
    let body = std::fs::read(archive.path().join(&kms_key[PREFIX.len() + 1..])).expect("read");
    client
        .put_object()
        .bucket(BUCKET)
        .key(&kms_key)
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .body(ByteStream::from(body))
        .send()
        .await
        .expect("put SSE-KMS");
    let head = client
        .head_object()
        .bucket(BUCKET)
        .key(&kms_key)
        .send()
        .await
        .expect("head");
    assert_eq!(
        head.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );

    // A corrupt file with a valid log key, in the middle of one Region's keys; and a digest, never listed.
    let region = format!("{PREFIX}/AWSLogs/444455556666/CloudTrail/us-east-1/");
    let corrupt = format!(
        "{region}2026/10/31/444455556666_CloudTrail_us-east-1_20261031T1200Z_CorruptCorrupt00.json.gz"
    );
    put(&client, BUCKET, &corrupt, b"not gzip at all".to_vec()).await;
    put(
        &client,
        BUCKET,
        &format!("{PREFIX}/AWSLogs/444455556666/CloudTrail-Digest/us-east-1/2026/10/31/444455556666_CloudTrail-Digest_us-east-1_main_us-east-1_20261031T120000Z.json.gz"),
        gz("{}"),
    )
    .await;
    let after_corrupt = log_keys
        .iter()
        .filter(|k| k.starts_with(&region) && **k > &corrupt)
        .count() as u64;
    assert!(after_corrupt > 10, "the corrupt file is mid-Region");

    let by_folder = tempfile::tempdir().expect("tmp");
    let folder_store = Store::open_in(by_folder.path()).expect("store");
    let folder = common::ingest(&folder_store, archive.path());
    assert!(folder.is_clean(), "{:?}", folder.problems);

    // First run: everything but the corrupt file, which is named by its key; exit 1.
    let data = tempfile::tempdir().expect("tmp");
    let (code, line, stderr) = ingest_s3(&moto, data.path());
    assert_eq!(code, Some(1), "{line}\n{stderr}");
    let problem = format!("problem: s3://{BUCKET}/{corrupt}: not a readable gzip file");
    assert!(stderr.contains(&problem), "{stderr}");
    assert_eq!(
        (figure(&line, "files"), figure(&line, "events")),
        (folder.files, folder.events),
        "{line}"
    );
    assert!(
        line.contains("duplicates 0,")
            && line.contains("0 digests")
            && line.contains("failed 1 (1 files, 0 records)"),
        "{line}"
    );
    let store = Store::open_in(data.path()).expect("store");
    assert_eq!(event_ids(&store), event_ids(&folder_store));
    let stored = |key: &str| {
        common::count(
            &store,
            &format!("SELECT count(*) FROM files WHERE key = 's3://{BUCKET}/{key}' AND events > 0"),
        )
    };
    assert_eq!(stored(&kms_key), 1, "the SSE-KMS object");
    assert!(
        common::count(
            &store,
            &format!(
                "SELECT count(*) FROM files WHERE key LIKE 's3://{BUCKET}/{PREFIX}/AWSLogs/o-%'"
            )
        ) > 0,
        "the organization's account"
    );

    // Second run: nothing read again. Only the corrupt file's Region is listed past its cursor (which stops
    // before the failed file); the keys after it are skipped by key.
    let (code, line, stderr) = ingest_s3(&moto, data.path());
    assert_eq!(code, Some(1), "{line}");
    assert!(
        stderr.contains(&problem),
        "retried and reported again: {stderr}"
    );
    assert_eq!(
        (figure(&line, "files"), figure(&line, "events")),
        (0, 0),
        "{line}"
    );
    assert_eq!(figure(&line, "skipped"), after_corrupt, "{line}");

    // Third run: exactly one new file.
    put(
        &client,
        BUCKET,
        &format!("{PREFIX}/AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/eu-west-1/2026/11/01/123456789012_CloudTrail_eu-west-1_20261101T0100Z_NewNewNewNew0001.json.gz"),
        log_file("new"),
    )
    .await;
    let (_, line, _) = ingest_s3(&moto, data.path());
    assert_eq!(
        (figure(&line, "files"), figure(&line, "events")),
        (1, 2),
        "{line}"
    );

    // The corrupt file repaired: read, and the run is clean; then the Region's cursor passes everything.
    put(&client, BUCKET, &corrupt, log_file("repaired")).await;
    let (code, line, stderr) = ingest_s3(&moto, data.path());
    assert_eq!(code, Some(0), "{line}\n{stderr}");
    assert_eq!(
        (figure(&line, "files"), figure(&line, "events")),
        (1, 2),
        "{line}"
    );
    let (code, line, _) = ingest_s3(&moto, data.path());
    assert_eq!(code, Some(0), "{line}");
    assert_eq!(
        (figure(&line, "files"), figure(&line, "skipped")),
        (0, 0),
        "{line}"
    );
}

/// `trailscope ingest URL` into `data`: exit code, stdout, stderr.
fn ingest_url(moto: &Moto, data: &Path, url: &str) -> (Option<i32>, String, String) {
    let run = trailscope(
        moto,
        &["--data-dir", data.to_str().expect("utf-8"), "ingest", url],
    );
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_trail_prefix_layout_is_found_in_a_bucket_and_a_bucket_without_one_is_an_error() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let client = s3(&moto);
    let name = |account: &str, unique: &str| {
        format!(
            "{account}/CloudTrail/us-east-1/2026/11/01/{account}_CloudTrail_us-east-1_20261101T0100Z_{unique}.json.gz"
        )
    };
    // A trail prefix that is itself AWSLogs, Control Tower's organization folder, a custom prefix.
    for (key, id) in [
        (
            format!(
                "AWSLogs/AWSLogs/{}",
                name("111122223333", "AwsLogsTwice0001")
            ),
            "twice",
        ),
        (
            format!(
                "o-a1b2c3d4e5/AWSLogs/o-a1b2c3d4e5/{}",
                name("444455556666", "ControlTower0001")
            ),
            "tower",
        ),
        (
            format!(
                "custom-prefix/AWSLogs/{}",
                name("777788889999", "CustomPrefix0001")
            ),
            "custom",
        ),
    ] {
        put(&client, BUCKET, &key, log_file(id)).await;
    }
    let data = tempfile::tempdir().expect("tmp");
    let (code, stdout, stderr) = ingest_url(&moto, data.path(), &format!("s3://{BUCKET}"));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("files 3, events 6, duplicates 0, skipped 0"),
        "{stdout}"
    );
    for (prefix, files) in [
        ("AWSLogs", 1),
        ("o-a1b2c3d4e5", 1),
        ("custom-prefix/AWSLogs", 1),
    ] {
        let data = tempfile::tempdir().expect("tmp");
        let url = format!("s3://{BUCKET}/{prefix}");
        let (code, stdout, stderr) = ingest_url(&moto, data.path(), &url);
        assert_eq!(code, Some(0), "{url}: {stdout}{stderr}");
        assert!(
            stdout.contains(&format!("files {files}, events 2,")),
            "{url}: {stdout}"
        );
    }

    // A copy from below AWSLogs/: no log folder; the error names the layout and a misplaced file.
    let below = format!("synced/{}", name("111122223333", "SyncedBelow00001"));
    put(&client, BUCKET, &below, log_file("below")).await;
    let url = format!("s3://{BUCKET}/synced");
    let (code, stdout, stderr) = ingest_url(&moto, data.path(), &url);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    for says in [
        format!("no CloudTrail log file found under {url}"),
        "AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/".to_owned(),
        below.clone(),
        "point at the folder that contains AWSLogs/".to_owned(),
    ] {
        assert!(stderr.contains(&says), "{says:?} in {stderr}");
    }
}

#[test]
fn a_missing_bucket_or_a_malformed_url_is_an_error_on_stderr() {
    let moto = Moto::start();
    let data = tempfile::tempdir().expect("tmp");
    let data_dir = data.path().to_str().expect("utf-8");
    let run = trailscope(
        &moto,
        &["--data-dir", data_dir, "ingest", "s3://no-such-bucket/p"],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot list s3://no-such-bucket/p/: NoSuchBucket"),
        "{stderr}"
    );
    let run = trailscope(&moto, &["--data-dir", data_dir, "ingest", "s3:///p"]);
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("names no bucket"),
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_ingests_configured_s3_archives_in_the_background() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let client = s3(&moto);
    let day = "AWSLogs/444455556666/CloudTrail/us-east-1/2026/11/01";
    for (n, id) in ["a", "b"].iter().enumerate() {
        let key = format!(
            "{day}/444455556666_CloudTrail_us-east-1_20261101T000{n}Z_Background00000{n}.json.gz"
        );
        put(&client, BUCKET, &key, log_file(id)).await;
    }
    let data = tempfile::tempdir().expect("tmp");
    let log = data.path().join("serve.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["--data-dir", data.path().to_str().expect("utf-8"), "serve"])
        .envs(moto.sdk_env())
        .env("TRAILSCOPE_ADDR", format!("127.0.0.1:{port}"))
        .env("TRAILSCOPE_S3_ARCHIVES", format!("s3://{BUCKET}"))
        .env("TRAILSCOPE_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("serve starts");
    let events = || {
        let conn = rusqlite::Connection::open(data.path().join("trailscope.db")).ok()?;
        conn.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
            .ok()
    };
    // The events commit before the run's summary is logged: wait for both.
    let logged = || std::fs::read_to_string(&log).is_ok_and(|l| l.contains("S3 archive ingested"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while (events() != Some(4) || !logged()) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let _ = serve.kill();
    let _ = serve.wait();
    let log = std::fs::read_to_string(&log).expect("log");
    assert_eq!(events(), Some(4), "{log}");
    assert!(log.contains("S3 archive ingested"), "{log}");
    assert!(
        !data.path().join("demo").exists(),
        "a configured archive turns the demo off"
    );
}
