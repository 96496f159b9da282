//! S3 ingest faced with a hostile bucket and a failing S3, through `trailscope ingest s3://…` and the real AWS
//! SDK against moto: a key with a `..` folder is named and not read; behind a small proxy that injects S3's
//! `500 InternalError` and bodies cut off part way, listings and downloads are retried, what still fails is
//! reported by its key (or folder), and the Region prefix's cursor stops before the file that failed, so the
//! next run reads it.
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

/// What the proxy does to a request whose request line holds a needle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// Answers `500 InternalError` itself, as S3 does now and then.
    InternalError,
    /// Passes the request on, then sends the answer's head and half its body and hangs up.
    CutBody,
}

/// A fault injected into the next `times` requests whose request line holds `needle`.
struct Rule {
    needle: String,
    fault: Fault,
    times: usize,
    /// Requests it matched, faulted or not.
    hits: usize,
}

/// A small HTTP proxy in front of moto that injects [`Fault`]s: the SDK talks to it as to S3.
struct FaultProxy {
    port: u16,
    rules: std::sync::Arc<std::sync::Mutex<Vec<Rule>>>,
}

impl FaultProxy {
    async fn start(upstream: u16) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let rules = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Rule>::new()));
        let shared = rules.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, upstream, shared.clone()));
            }
        });
        Self { port, rules }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Injects `fault` into the next `times` requests holding `needle` (`usize::MAX`: all of them).
    fn inject(&self, needle: &str, fault: Fault, times: usize) {
        self.rules.lock().expect("rules").push(Rule {
            needle: needle.to_owned(),
            fault,
            times,
            hits: 0,
        });
    }

    /// How many requests held `needle` (each rule with it saw every one).
    fn hits(&self, needle: &str) -> usize {
        let rules = self.rules.lock().expect("rules");
        rules
            .iter()
            .filter(|r| r.needle == needle)
            .map(|r| r.hits)
            .max()
            .unwrap_or(0)
    }

    fn clear(&self) {
        self.rules.lock().expect("rules").clear();
    }
}

/// `head` with its `Connection` header replaced by `Connection: close`: one exchange per connection.
fn closing(head: &str) -> String {
    let mut lines: Vec<&str> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    lines.insert(1, "Connection: close");
    lines.join("\r\n")
}

/// Relays one request from `client` to moto at `upstream` and its answer back, faulting it as a rule says.
async fn relay(
    mut client: tokio::net::TcpStream,
    upstream: u16,
    rules: std::sync::Arc<std::sync::Mutex<Vec<Rule>>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut request = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        let Ok(n) = client.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buf[..n]);
        if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while request.len() < head_end + 4 + length {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    // The request line with `/` unescaped, as the needles are written.
    let line = head.lines().next().unwrap_or_default().replace("%2F", "/");
    let fault = {
        let mut rules = rules.lock().expect("rules");
        rules
            .iter_mut()
            .filter(|r| line.contains(&r.needle))
            .fold(None, |fault, rule| {
                rule.hits += 1;
                if fault.is_none() && rule.times > 0 {
                    rule.times = rule.times.saturating_sub(1);
                    Some(rule.fault)
                } else {
                    fault
                }
            })
    };
    if fault == Some(Fault::InternalError) {
        let body = "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>";
        let answer = format!(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = client.write_all(answer.as_bytes()).await;
        return;
    }
    let Ok(mut moto) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await else {
        return;
    };
    let mut forwarded = closing(&head).into_bytes();
    forwarded.extend_from_slice(&request[head_end..]);
    if moto.write_all(&forwarded).await.is_err() {
        return;
    }
    let mut answer = Vec::new();
    if moto.read_to_end(&mut answer).await.is_err() {
        return;
    }
    let Some(at) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return;
    };
    let mut out = closing(&String::from_utf8_lossy(&answer[..at])).into_bytes();
    let body = &answer[at..];
    let body = match fault {
        Some(Fault::CutBody) => &body[..4 + (body.len() - 4) / 2],
        _ => body,
    };
    out.extend_from_slice(body);
    let _ = client.write_all(&out).await;
}

/// The saved cursor of the Region prefix `prefix` in the store at `data`.
fn cursor(data: &Path, prefix: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(data.join("trailscope.db")).expect("open");
    conn.query_row(
        "SELECT last_key FROM s3_cursors WHERE prefix = ?1",
        [prefix],
        |r| r.get(0),
    )
    .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_errors_are_retried_then_reported_by_key_and_the_cursor_waits_for_the_file() {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let names = ["Retried000000001", "Failing000000002", "Ordinary00000003"];
    for (n, name) in names.iter().enumerate() {
        let key = log_key(&format!("000{n}"), name);
        moto.put(BUCKET, &key, log_file(&format!("east-{n}"))).await;
    }
    let west = "AWSLogs/444455556666/CloudTrail/us-west-2/";
    moto.put(
        BUCKET,
        &format!("{west}2026/11/01/444455556666_CloudTrail_us-west-2_20261101T0000Z_WestFile00000001.json.gz"),
        log_file("west-0"),
    )
    .await;
    let proxy = FaultProxy::start(moto.port).await;
    let east_listing = &format!("prefix={REGION_PREFIX}");
    let west_listing = &format!("prefix={west}");
    // Transient: two 500s listing us-east-1, one 500 and one cut body downloading the first file.
    proxy.inject(east_listing, Fault::InternalError, 2);
    proxy.inject(names[0], Fault::InternalError, 1);
    proxy.inject(names[0], Fault::CutBody, 1);
    // Lasting: every download of the second file is cut off, every listing of us-west-2 fails.
    proxy.inject(names[1], Fault::CutBody, usize::MAX);
    proxy.inject(west_listing, Fault::InternalError, usize::MAX);

    let data = tempfile::tempdir().expect("tmp");
    let (code, stdout, stderr) = ingest(&moto, &proxy.endpoint(), data.path());
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let failing = log_key("0001", names[1]);
    assert!(
        stderr.contains(&format!(
            "problem: s3://{BUCKET}/{failing}: cannot download (3 attempts, each cut off)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("s3://{BUCKET}/{west}")),
        "the folder that could not be listed is named: {stderr}"
    );
    assert_eq!(stored_ids(data.path()), ["east-0", "east-2"]);
    assert!(proxy.hits(east_listing) >= 3, "the listing was retried");
    assert!(proxy.hits(names[0]) >= 3, "the download was retried");
    assert!(
        proxy.hits(names[1]) >= 3,
        "the cut-off download was read again"
    );
    // The cursor stops before the file that failed: it is listed and read again next run.
    let east = REGION_PREFIX;
    assert_eq!(cursor(data.path(), east), Some(log_key("0000", names[0])));
    assert_eq!(cursor(data.path(), west), None);

    proxy.clear();
    let (code, stdout, stderr) = ingest(&moto, &proxy.endpoint(), data.path());
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(
        stored_ids(data.path()),
        ["east-0", "east-1", "east-2", "west-0"]
    );
    assert_eq!(cursor(data.path(), east), Some(log_key("0002", names[2])));
}
