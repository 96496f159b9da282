//! A signed trail archive for the integrity tests, built in memory and written to a folder (digest metadata in
//! `KEY.meta.json` sidecars) or put into S3 (as object metadata): two accounts × two Regions, one trail
//! (`main`, home us-east-1), hourly digests signed as CloudTrail signs them (AWS-FACTS §4.2) with a test key,
//! with empty hours, a starting digest after a delivery gap, and (111122223333, us-east-1) a backfill digest.
//! Tampering helpers change the built archive before it is written.
#![allow(dead_code)]
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::{Generate, PrivateKey};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

pub const BUCKET: &str = "trail-archive";
pub const ACCOUNTS: [&str; 2] = ["111122223333", "444455556666"];
pub const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
pub const TRAIL: &str = "main";
pub const HOME: &str = "us-east-1";
/// 2026-11-20T00:05:12Z: digest `h` ends at `T0 + h` hours.
pub const T0: i64 = 1_795_133_112;
/// Digest hours 1..=10; hour 6 has none (logging stopped), so hour 7's digest is a starting digest, as is 1's.
pub const HOURS: std::ops::RangeInclusive<i64> = 1..=10;
pub const STOPPED_HOUR: i64 = 6;
/// Hours whose digests list no log file.
pub const EMPTY_HOURS: [i64; 2] = [2, 9];

/// The signing keys: the trail's, and another that AWS does not list.
pub struct Keys {
    pub main: PrivateKey,
    pub other: PrivateKey,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        main: PrivateKey::generate(),
        other: PrivateKey::generate(),
    })
}

/// PKCS#1 DER of a key's public half, as `ListPublicKeys` returns it.
pub fn public_der(key: &PrivateKey) -> Vec<u8> {
    key.to_public_key()
        .to_pkcs1_der()
        .expect("DER")
        .as_bytes()
        .to_vec()
}

/// Hex MD5 of the DER: the fingerprint `ListPublicKeys` states.
pub fn fingerprint(key: &PrivateKey) -> String {
    use md5::Md5;
    hex::encode(Md5::digest(public_der(key)))
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

fn compact(secs: i64) -> String {
    app::model::integrity::chain::format_compact_date(secs)
}

fn day_folder(secs: i64) -> String {
    let p = app::model::time::utc_parts(secs);
    format!("{:04}/{:02}/{:02}", p.year, p.month, p.day)
}

pub fn digest_key(account: &str, region: &str, end: i64, backfill: bool) -> String {
    format!(
        "AWSLogs/{account}/CloudTrail-Digest/{region}/{}/{account}_CloudTrail-Digest_{region}_{TRAIL}_{HOME}_{}{}.json.gz",
        day_folder(end),
        compact(end),
        if backfill { "_backfill" } else { "" }
    )
}

pub fn log_key(account: &str, region: &str, delivered: i64, n: usize) -> String {
    let unique = format!(
        "{:0>16}",
        format!("LOG{n}{}", region.replace('-', "")).to_uppercase()
    );
    format!(
        "AWSLogs/{account}/CloudTrail/{region}/{}/{account}_CloudTrail_{region}_{}Z_{unique}.json.gz",
        day_folder(delivered),
        &compact(delivered)[..13],
    )
}

/// The end of hour `h`'s digest.
pub fn end_of(hour: i64) -> i64 {
    T0 + hour * 3600
}

/// A digest as built: its decompressed JSON (for re-signing) and where it is.
#[derive(Clone, Debug)]
pub struct BuiltDigest {
    pub key: String,
    pub json: Value,
}

/// The archive: every object (key → gzip bytes), digest metadata, and the digests' JSON.
#[derive(Clone, Debug, Default)]
pub struct Archive {
    pub objects: BTreeMap<String, Vec<u8>>,
    pub metadata: BTreeMap<String, BTreeMap<String, String>>,
    pub digests: BTreeMap<String, BuiltDigest>,
}

fn log_body(account: &str, region: &str, delivered: i64, n: usize) -> Vec<u8> {
    json!({"Records": [{
        "eventVersion": "1.08",
        "eventTime": app::model::time::format_rfc3339(delivered - 300),
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "awsRegion": region,
        "eventID": format!("{account}-{region}-{delivered}-{n}"),
        "recipientAccountId": account,
    }]})
    .to_string()
    .into_bytes()
}

impl Archive {
    /// The signed archive.
    pub fn generate() -> Self {
        let mut archive = Self::default();
        for account in ACCOUNTS {
            for region in REGIONS {
                archive.chain(account, region);
            }
        }
        archive.backfill(ACCOUNTS[0], REGIONS[0]);
        archive
    }

    /// The log files delivered in hour `h` (its digest's window): none in empty hours, else two.
    fn logs_of_hour(&mut self, account: &str, region: &str, hour: i64) -> Vec<Value> {
        if EMPTY_HOURS.contains(&hour) {
            return Vec::new();
        }
        (0..2)
            .map(|n| {
                let delivered = end_of(hour) - 3600 + 600 + n as i64 * 1200;
                let delivered = delivered - delivered % 60;
                self.add_log(account, region, delivered, n)
            })
            .collect()
    }

    /// Adds a log file; returns its `logFiles[]` entry.
    pub fn add_log(&mut self, account: &str, region: &str, delivered: i64, n: usize) -> Value {
        let key = log_key(account, region, delivered, n);
        let body = log_body(account, region, delivered, n);
        self.objects.insert(key.clone(), gzip(&body));
        json!({
            "s3Bucket": BUCKET, "s3Object": key,
            "hashValue": hex::encode(Sha256::digest(&body)), "hashAlgorithm": "SHA-256",
            "newestEventTime": app::model::time::format_rfc3339(delivered - 300),
            "oldestEventTime": app::model::time::format_rfc3339(delivered - 300),
        })
    }

    fn chain(&mut self, account: &str, region: &str) {
        let mut previous: Option<(String, String, String)> = None; // key, hash, signature
        for hour in HOURS {
            if hour == STOPPED_HOUR {
                previous = None;
                continue;
            }
            let logs = self.logs_of_hour(account, region, hour);
            let key = digest_key(account, region, end_of(hour), false);
            let json = digest_json(
                account,
                &key,
                end_of(hour) - 3600,
                end_of(hour),
                previous.as_ref(),
                logs,
            );
            let (hash, signature) = self.put_digest(&key, json, &keys().main, None);
            previous = Some((key, hash, signature));
        }
    }

    /// A backfill digest (its own starting digest) for one late log file of hour 3.
    fn backfill(&mut self, account: &str, region: &str) {
        let delivered = end_of(3) - 120;
        let log = self.add_log(account, region, delivered, 7);
        let generated = end_of(8) + 1200;
        let key = digest_key(account, region, generated, true);
        let json = digest_json(account, &key, end_of(2), end_of(3), None, vec![log]);
        self.put_digest(&key, json, &keys().main, Some(generated));
    }

    /// Stores a digest signed with `signer`; returns its content hash and signature (hex).
    pub fn put_digest(
        &mut self,
        key: &str,
        json: Value,
        signer: &PrivateKey,
        backfill_generated: Option<i64>,
    ) -> (String, String) {
        let content = json.to_string().into_bytes();
        let hash = hex::encode(Sha256::digest(&content));
        let signature = sign(&json, &hash, signer);
        self.objects.insert(key.to_owned(), gzip(&content));
        let mut metadata = BTreeMap::from([
            ("signature".to_owned(), signature.clone()),
            ("signature-algorithm".to_owned(), "SHA256withRSA".to_owned()),
        ]);
        if let Some(generated) = backfill_generated {
            metadata.insert(
                "backfill-generation-timestamp".to_owned(),
                app::model::time::format_rfc3339(generated),
            );
        }
        self.metadata.insert(key.to_owned(), metadata);
        self.digests.insert(
            key.to_owned(),
            BuiltDigest {
                key: key.to_owned(),
                json,
            },
        );
        (hash, signature)
    }

    /// Writes the archive below `dir`, each digest's metadata in its `KEY.meta.json`.
    pub fn write_folder(&self, dir: &Path) {
        for (key, bytes) in &self.objects {
            let path = dir.join(key);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, bytes).expect("write");
            if let Some(metadata) = self.metadata.get(key) {
                let sidecar = dir.join(format!("{key}.meta.json"));
                std::fs::write(sidecar, serde_json::to_vec(metadata).expect("json"))
                    .expect("write");
            }
        }
    }

    /// A folder holding the trail's public key (not the other key), as `--public-keys` reads it.
    pub fn write_public_keys(dir: &Path) {
        std::fs::create_dir_all(dir).expect("mkdir");
        let main = &keys().main;
        std::fs::write(
            dir.join(format!("{}.der", fingerprint(main))),
            public_der(main),
        )
        .expect("key");
    }

    /// The keys of the log files hour `h`'s digest lists.
    pub fn logs_listed(&self, account: &str, region: &str, hour: i64) -> Vec<String> {
        let key = digest_key(account, region, end_of(hour), false);
        self.digests[&key].json["logFiles"]
            .as_array()
            .expect("logFiles")
            .iter()
            .map(|log| log["s3Object"].as_str().expect("key").to_owned())
            .collect()
    }

    /// Rewrites a digest's JSON with `change`, keeping its metadata (its signature no longer matches).
    pub fn edit_digest(&mut self, key: &str, change: impl FnOnce(&mut Value)) {
        let digest = self.digests.get_mut(key).expect("digest");
        change(&mut digest.json);
        self.objects
            .insert(key.to_owned(), gzip(digest.json.to_string().as_bytes()));
    }

    /// Signs a digest again, as it is, with `signer`.
    pub fn resign(&mut self, key: &str, signer: &PrivateKey) {
        let json = self.digests[key].json.clone();
        let hash = hex::encode(Sha256::digest(json.to_string().as_bytes()));
        let signature = sign(&json, &hash, signer);
        self.metadata
            .get_mut(key)
            .expect("metadata")
            .insert("signature".to_owned(), signature);
    }

    /// Moves an object (and its metadata) to another key.
    pub fn move_object(&mut self, from: &str, to: &str) {
        let bytes = self.objects.remove(from).expect("object");
        self.objects.insert(to.to_owned(), bytes);
        if let Some(metadata) = self.metadata.remove(from) {
            self.metadata.insert(to.to_owned(), metadata);
        }
    }
}

/// A digest's JSON; `previous` is the previous digest's (key, content hash, signature), `None` for a starting
/// digest.
pub fn digest_json(
    account: &str,
    key: &str,
    start: i64,
    end: i64,
    previous: Option<&(String, String, String)>,
    logs: Vec<Value>,
) -> Value {
    let time = app::model::time::format_rfc3339;
    let (newest, oldest) = match logs.is_empty() {
        true => (Value::Null, Value::Null),
        false => (json!(time(end - 600)), json!(time(start))),
    };
    json!({
        "awsAccountId": account,
        "digestStartTime": time(start),
        "digestEndTime": time(end),
        "digestS3Bucket": BUCKET,
        "digestS3Object": key,
        "digestPublicKeyFingerprint": fingerprint(&keys().main),
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": newest,
        "oldestEventTime": oldest,
        "previousDigestS3Bucket": previous.map(|_| BUCKET),
        "previousDigestS3Object": previous.map(|p| p.0.clone()),
        "previousDigestHashValue": previous.map(|p| p.1.clone()),
        "previousDigestHashAlgorithm": previous.map(|_| "SHA-256"),
        "previousDigestSignature": previous.map(|p| p.2.clone()),
        "logFiles": logs,
    })
}

/// CloudTrail's signature over a digest (hex), as the app signs the demo's: SHA256withRSA of the documented
/// string to sign.
pub fn sign(json: &Value, content_hash: &str, signer: &PrivateKey) -> String {
    use app::ssr::integrity::sign::{sign_hex, string_to_sign};
    let text = |field: &str| json[field].as_str().unwrap_or("null").to_owned();
    let to_sign = string_to_sign(
        &text("digestEndTime"),
        &text("digestS3Bucket"),
        &text("digestS3Object"),
        content_hash,
        json["previousDigestSignature"].as_str(),
    );
    sign_hex(signer, &to_sign).expect("sign")
}
