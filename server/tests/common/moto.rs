//! moto on 127.0.0.1, started for a test and stopped when dropped: the AWS side of the SDK tests.
// Each test file uses the part of this fixture its service needs.
#![allow(dead_code)]
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub port: u16,
}

/// `moto_server` from `scripts/setup.sh` (`.tools/moto`), or `TRAILSCOPE_MOTO_SERVER`.
fn moto_server() -> PathBuf {
    std::env::var_os("TRAILSCOPE_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/moto/bin/moto_server")
        })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// One raw HTTP/1.0 request to moto; the status line's code.
pub fn http(port: u16, method: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}

impl Moto {
    pub fn start() -> Self {
        let server = moto_server();
        assert!(
            server.exists(),
            "{} is missing: run scripts/setup.sh (make test does)",
            server.display()
        );
        Self::spawn(Command::new(&server))
    }

    /// moto with CloudTrail's `ListPublicKeys` answering the keys of `keys_json` (see
    /// `moto_public_keys.py`), started by the Python of moto's venv.
    pub fn start_with_public_keys(keys_json: &std::path::Path) -> Self {
        let python = moto_server().with_file_name("python");
        let wrapper =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/common/moto_public_keys.py");
        let mut command = Command::new(python);
        command
            .arg(wrapper)
            .env("TRAILSCOPE_TEST_PUBLIC_KEYS", keys_json);
        Self::spawn(command)
    }

    fn spawn(mut command: Command) -> Self {
        let port = free_port();
        let child = command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // moto computes delivery times with mktime(utcnow()): right only in UTC.
            .env("TZ", "UTC")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let moto = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while http(port, "GET", "/moto-api/").is_none() {
            assert!(
                Instant::now() < deadline,
                "moto did not answer on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A bucket (moto checks that a trail's bucket exists; it does not check signatures).
    pub fn create_bucket(&self, name: &str) {
        assert_eq!(http(self.port, "PUT", &format!("/{name}")), Some(200));
    }

    /// The real CloudTrail client of `region`, pointed at this moto.
    pub fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let config = aws_sdk_cloudtrail::Config::builder()
            .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest())
            .region(aws_sdk_cloudtrail::config::Region::new(region.to_owned()))
            .endpoint_url(self.endpoint())
            .credentials_provider(aws_sdk_cloudtrail::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .build();
        aws_sdk_cloudtrail::Client::from_conf(config)
    }

    /// The real Identity Store client of `region`, pointed at this moto.
    pub fn identitystore(&self, region: &str) -> aws_sdk_identitystore::Client {
        let config = aws_sdk_identitystore::Config::builder()
            .behavior_version(aws_sdk_identitystore::config::BehaviorVersion::latest())
            .region(aws_sdk_identitystore::config::Region::new(
                region.to_owned(),
            ))
            .endpoint_url(self.endpoint())
            .credentials_provider(aws_sdk_identitystore::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .build();
        aws_sdk_identitystore::Client::from_conf(config)
    }

    /// The real S3 client, pointed at this moto (path style: moto answers on an IP address).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .force_path_style(true)
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// Uploads `body` at `key` of `bucket` through [`Self::s3`].
    pub async fn put(&self, bucket: &str, key: &str, body: Vec<u8>) {
        self.s3()
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(aws_sdk_s3::primitives::ByteStream::from(body))
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {key}: {e}"));
    }

    /// The environment that points the SDK in a `trailscope` process at this moto.
    pub fn sdk_env(&self) -> [(&'static str, String); 4] {
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
