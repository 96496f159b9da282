//! The checks on bytes, in the CLI's order (AWS-FACTS §4; aws-cli `DigestProvider.fetch_digest`,
//! `DigestTraverser._load_and_validate_digest`, `Sha256RSADigestValidator`, `_download_log`): a digest's
//! gzip and JSON, its signature metadata, its fields, its RSA PKCS#1 v1.5 SHA-256 signature over the
//! documented string (AWS CloudTrail User Guide, "Custom implementations of CloudTrail log file integrity
//! validation"); a log file's single gzip stream and the SHA-256 of its decompressed bytes.
use crate::model::integrity::{DigestVerdict, LogVerdict};
use crate::model::time::parse_rfc3339;
use base64ct::{Base64, Encoding};
use md5::Md5;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::io::Read;

/// S3 object metadata of a digest (SDK map keys; `x-amz-meta-` dropped), or its folder sidecar.
pub type Metadata = HashMap<String, String>;

/// One `logFiles[]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedLog {
    /// `s3Bucket`.
    pub bucket: String,
    /// `s3Object`.
    pub key: String,
    /// Lower-case hex SHA-256 of the decompressed file.
    pub hash: String,
}

/// The most bytes a digest file may take, compressed or decompressed: 16 MiB. A digest lists an hour of one
/// Region's log files, about 200 bytes each, so a real one stays far below a megabyte; a larger one is refused
/// before it can exhaust memory (a gzip bomb planted as a digest; a chain's digests are read ahead together, so
/// the bound also caps what planted digests can make a run hold).
pub const MAX_DIGEST_BYTES: usize = 16 << 20;

/// Why a digest over [`MAX_DIGEST_BYTES`] is not read.
pub fn digest_too_large() -> String {
    format!(
        "digest file larger than {} (compressed or decompressed), not read",
        crate::ssr::ingest::limits::size_text(MAX_DIGEST_BYTES)
    )
}

/// A digest file read and parsed, not yet verified.
#[derive(Clone, Debug)]
pub struct Digest {
    /// Lower-case hex SHA-256 of the decompressed digest bytes.
    content_sha256: String,
    /// `digestEndTime` verbatim, as signed.
    end_time: String,
    /// `digestS3Bucket`, as signed.
    pub bucket: String,
    /// `digestS3Object`, as signed.
    pub key: String,
    /// `digestPublicKeyFingerprint`: lower-case hex MD5 of the signing public key's DER.
    pub fingerprint: String,
    previous_signature: Option<String>,
    /// `previousDigestS3Bucket` and `previousDigestS3Object`, when both are set.
    pub previous: Option<(String, String)>,
    start_time: Value,
    /// The `logFiles[]` it lists.
    pub log_files: Vec<ListedLog>,
    /// Hex RSA signature from the `signature` metadata.
    signature: String,
    /// The `backfill-generation-timestamp` metadata of a backfill digest.
    pub backfill_generated: Option<String>,
}

/// The fields the CLI requires in a digest (their values may be null).
const REQUIRED: [&str; 6] = [
    "digestPublicKeyFingerprint",
    "digestS3Bucket",
    "digestS3Object",
    "previousDigestSignature",
    "digestEndTime",
    "digestStartTime",
];

fn text(map: &Map<String, Value>, field: &str) -> Option<String> {
    map.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// A digest that failed a check before its signature. The log files it names count as listed by nothing: a
/// digest that cannot vouch for itself vouches for no log file.
#[derive(Debug)]
pub struct Rejected {
    /// Why it was rejected.
    pub verdict: DigestVerdict,
}

fn log_files(map: &Map<String, Value>) -> Option<Vec<ListedLog>> {
    match map.get("logFiles") {
        Some(Value::Array(entries)) => entries
            .iter()
            .map(|entry| {
                let entry = entry.as_object()?;
                Some(ListedLog {
                    bucket: text(entry, "s3Bucket")?,
                    key: text(entry, "s3Object")?,
                    hash: text(entry, "hashValue")?,
                })
            })
            .collect(),
        None | Some(Value::Null) => Some(Vec::new()),
        Some(_) => None,
    }
}

/// Reads a digest file (`gz`, as stored) and its `metadata`, checking what needs no key, in the CLI's order:
/// gzip and JSON, signature metadata, (backfill) generation metadata, required fields.
pub fn parse_digest(gz: &[u8], metadata: &Metadata, backfill: bool) -> Result<Digest, Rejected> {
    // One gzip member; bytes after it are ignored, as Python's zlib.decompress does. Read up to one byte past
    // the bound, so that a larger digest is refused without being held whole.
    let mut content = Vec::new();
    if flate2::read::GzDecoder::new(gz)
        .take(MAX_DIGEST_BYTES as u64 + 1)
        .read_to_end(&mut content)
        .is_err()
    {
        return Err(Rejected {
            verdict: DigestVerdict::InvalidFormat,
        });
    }
    if content.len() > MAX_DIGEST_BYTES {
        let reason = digest_too_large();
        return Err(Rejected {
            verdict: DigestVerdict::Unreadable { reason },
        });
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&content) else {
        return Err(Rejected {
            verdict: DigestVerdict::InvalidFormat,
        });
    };
    let logs = log_files(&map);
    let (Some(signature), Some(_)) = (
        metadata.get("signature"),
        metadata.get("signature-algorithm"),
    ) else {
        return Err(Rejected {
            verdict: DigestVerdict::NoSignature,
        });
    };
    let backfill_generated = metadata.get("backfill-generation-timestamp").cloned();
    if backfill && backfill_generated.is_none() {
        return Err(Rejected {
            verdict: DigestVerdict::InvalidFormat,
        });
    }
    if REQUIRED.iter().any(|field| !map.contains_key(*field)) {
        return Err(Rejected {
            verdict: DigestVerdict::InvalidFormat,
        });
    }
    let (Some(end_time), Some(bucket), Some(key), Some(log_files)) = (
        text(&map, "digestEndTime"),
        text(&map, "digestS3Bucket"),
        text(&map, "digestS3Object"),
        logs,
    ) else {
        return Err(Rejected {
            verdict: DigestVerdict::InvalidFormat,
        });
    };
    let previous = text(&map, "previousDigestS3Bucket").zip(text(&map, "previousDigestS3Object"));
    Ok(Digest {
        content_sha256: hex::encode(Sha256::digest(&content)),
        end_time,
        bucket,
        key,
        fingerprint: text(&map, "digestPublicKeyFingerprint").unwrap_or_default(),
        previous_signature: text(&map, "previousDigestSignature"),
        previous,
        start_time: map.get("digestStartTime").cloned().unwrap_or(Value::Null),
        log_files,
        signature: signature.clone(),
        backfill_generated,
    })
}

impl Digest {
    /// The string CloudTrail signs: end time, `bucket/key`, the content's SHA-256, the previous digest's
    /// signature (`null` for a starting digest), one per line.
    pub fn string_to_sign(&self) -> String {
        super::sign::string_to_sign(
            &self.end_time,
            &self.bucket,
            &self.key,
            &self.content_sha256,
            self.previous_signature.as_deref(),
        )
    }

    /// Verifies the signature with the public key `key_der` (PKCS#1 `RSAPublicKey` DER as `ListPublicKeys`
    /// returns it, or SubjectPublicKeyInfo DER).
    pub fn verify(&self, key_der: &[u8]) -> Result<(), DigestVerdict> {
        let key = rsa::PublicKey::from_pkcs1_der(key_der)
            .or_else(|_| rsa::PublicKey::from_public_key_der(key_der))
            .map_err(|_| DigestVerdict::PublicKeyUnreadable {
                fingerprint: self.fingerprint.clone(),
            })?;
        let signature = hex::decode(&self.signature).map_err(|_| DigestVerdict::SignatureFailed)?;
        key.pkcs1v15_verify::<Sha256>(self.string_to_sign().as_bytes(), &signature)
            .map_err(|_| DigestVerdict::SignatureFailed)
    }

    /// `digestStartTime` and `digestEndTime` in epoch seconds.
    pub fn times(&self) -> Result<(i64, i64), DigestVerdict> {
        let start = self.start_time.as_str().and_then(parse_rfc3339);
        let end = parse_rfc3339(&self.end_time);
        start.zip(end).ok_or_else(|| DigestVerdict::Unreadable {
            reason: format!(
                "Unable to parse date value: {}",
                if start.is_none() {
                    self.start_time.to_string()
                } else {
                    self.end_time.clone()
                }
            ),
        })
    }
}

/// Checks a log file (`gz`, as stored) against the digest's `hash`, as [`check_log_stream`] does.
pub fn check_log(gz: &[u8], hash: &str, max_bytes: usize) -> LogVerdict {
    check_log_stream(gz, hash, max_bytes)
}

/// Checks a log file read from `gz` against the digest's `hash`: one gzip stream with nothing after it, whose
/// decompressed bytes hash to `hash`. The file is read once, decompressed and hashed as it comes through a
/// fixed buffer, never held whole; past `max_bytes` decompressed it is [`LogVerdict::TooLarge`] (ingest's
/// bound, [`crate::ssr::ingest::IngestLimits::max_file_bytes`]). A read error is [`LogVerdict::InvalidFormat`],
/// as the CLI reports any other exception.
pub fn check_log_stream(gz: impl std::io::BufRead, hash: &str, max_bytes: usize) -> LogVerdict {
    let mut decoder = flate2::bufread::GzDecoder::new(gz);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0usize;
    loop {
        match decoder.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                total += n;
                if total > max_bytes {
                    return LogVerdict::TooLarge;
                }
                hasher.update(&buffer[..n]);
            }
            Err(_) => return LogVerdict::InvalidFormat,
        }
    }
    // The decoder consumes no byte past the gzip trailer: whatever the reader still has is trailing data.
    match decoder.into_inner().fill_buf() {
        Ok([]) => {}
        Ok(_) => return LogVerdict::TrailingData,
        Err(_) => return LogVerdict::InvalidFormat,
    }
    if hex::encode(hasher.finalize()) == hash {
        LogVerdict::Valid
    } else {
        LogVerdict::HashMismatch
    }
}

/// [`check_log_stream`] on the file at `path` below the archive folder `root`, opened by ingest's rule
/// ([`crate::ssr::ingest::folder::open_file`]): a file that is not there is [`LogVerdict::NotFound`], one
/// behind a symbolic link ingest would not follow is [`LogVerdict::LinkNotFollowed`] and is not read.
pub fn check_log_file(
    root: &std::path::Path,
    path: &std::path::Path,
    hash: &str,
    max_bytes: usize,
) -> LogVerdict {
    use crate::ssr::ingest::folder::{Unopened, open_file};
    match open_file(root, path) {
        Ok(file) => check_log_stream(
            std::io::BufReader::with_capacity(64 * 1024, file),
            hash,
            max_bytes,
        ),
        Err(Unopened::NotFound) => LogVerdict::NotFound,
        Err(Unopened::LinkNotFollowed(_)) => LogVerdict::LinkNotFollowed,
        Err(Unopened::Failed(_)) => LogVerdict::InvalidFormat,
    }
}

/// A public key's fingerprint as `ListPublicKeys` states it: lower-case hex MD5 of its DER bytes.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Md5::digest(der))
}

/// The DER bytes of a key file: PEM (`-----BEGIN …`), base64 text (what `aws cloudtrail list-public-keys`
/// prints), or DER itself.
pub fn key_file_der(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.starts_with(b"-----BEGIN") {
        return rsa::pkcs1::pem::decode_vec(bytes).ok().map(|(_, der)| der);
    }
    if bytes.first() == Some(&0x30) {
        return Some(bytes.to_vec());
    }
    let text: String = String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Base64::decode_vec(&text).ok()
}

/// Every fingerprint a key file's DER may be listed under: its own bytes', and those of the same key in the
/// other encoding (AWS lists PKCS#1 DER; `openssl rsa -pubout` writes SubjectPublicKeyInfo).
pub fn fingerprints(der: &[u8]) -> Vec<String> {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::EncodePublicKey;
    let mut found = vec![fingerprint(der)];
    let key =
        rsa::PublicKey::from_pkcs1_der(der).or_else(|_| rsa::PublicKey::from_public_key_der(der));
    if let Ok(key) = key {
        if let Ok(pkcs1) = key.to_pkcs1_der() {
            found.push(fingerprint(pkcs1.as_bytes()));
        }
        if let Ok(spki) = key.to_public_key_der() {
            found.push(fingerprint(spki.as_bytes()));
        }
    }
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_to_sign_is_the_documented_one() {
        // aws-cli's test_properly_signs_when_no_previous_signature.
        let digest = Digest {
            content_sha256: hex::encode(Sha256::digest(b"abc")),
            end_time: "a".into(),
            bucket: "b".into(),
            key: "c".into(),
            fingerprint: String::new(),
            previous_signature: None,
            previous: None,
            start_time: Value::Null,
            log_files: Vec::new(),
            signature: String::new(),
            backfill_generated: None,
        };
        assert_eq!(
            digest.string_to_sign(),
            "a\nb/c\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nnull"
        );
    }

    #[test]
    fn base64_key_text_decodes() {
        assert_eq!(
            key_file_der(b"MIIBCg==\n"),
            Some(vec![0x30, 0x82, 0x01, 0x0a])
        );
    }

    #[test]
    fn a_log_is_one_gzip_stream_with_its_hash() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{}").expect("gzip");
        let gz = gz.finish().expect("gzip");
        let hash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
        let max = 1 << 20;
        assert_eq!(check_log(&gz, hash, max), LogVerdict::Valid);
        assert_eq!(
            check_log(&gz, &"0".repeat(64), max),
            LogVerdict::HashMismatch
        );
        let mut trailing = gz.clone();
        trailing.extend_from_slice(&gz);
        assert_eq!(check_log(&trailing, hash, max), LogVerdict::TrailingData);
        assert_eq!(check_log(b"{}", hash, max), LogVerdict::InvalidFormat);
        assert_eq!(
            check_log(&gz, hash, 2),
            LogVerdict::Valid,
            "2 bytes is the bound"
        );
        assert_eq!(check_log(&gz, hash, 1), LogVerdict::TooLarge);
    }

    #[test]
    fn a_digest_that_decompresses_past_its_bound_is_refused() {
        use std::io::Write;
        // A gzip bomb as a digest: a few hundred KiB of zeros that decompress to more than the bound.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..=(MAX_DIGEST_BYTES >> 20) {
            gz.write_all(&zeros).expect("gzip");
        }
        let gz = gz.finish().expect("gzip");
        assert!(gz.len() < 1 << 20, "{} bytes compressed", gz.len());
        let rejected = parse_digest(&gz, &Metadata::new(), false).expect_err("refused");
        assert_eq!(
            rejected.verdict,
            DigestVerdict::Unreadable {
                reason: "digest file larger than 16 MiB (compressed or decompressed), not read"
                    .to_owned()
            }
        );
    }
}
