//! The demo archive's digest files (AWS CloudTrail User Guide, "CloudTrail digest file structure"): for every
//! trail with log file validation on and every Region it logs, one digest an hour listing the log files
//! delivered in that hour with the SHA-256 of their decompressed bytes, chained to the previous digest and
//! signed as CloudTrail signs them (`SHA256withRSA`, AWS-FACTS §4.2), each signature in the digest's
//! `KEY.meta.json` sidecar (the folder form of its S3 object metadata). The history is a real one: hours with
//! no log file (`logFiles: []`), no digest while `dev-trail` was stopped and a starting digest (every
//! `previousDigest*` null) after it was started, no digest after staging's trail was stopped, and one backfill
//! digest listing a log file its hour's digest missed.
use super::catalog::ACCOUNTS;
use super::incidents::dev_trail_logging_off;
use super::key::public_der;
use super::streams::{LogFile, gzip};
use super::trails::{DigestTrail, digest_trails};
use super::{DemoError, in_parallel};
use crate::model::integrity::chain::format_compact_date;
use crate::model::time::{DAY, HOUR, MINUTE, format_rfc3339, utc_parts};
use crate::ssr::integrity::archive::SIDECAR_SUFFIX;
use crate::ssr::integrity::sign::{sign_hex, string_to_sign};
use crate::ssr::integrity::verify::fingerprint;
use rsa::PrivateKey;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// The Region and trail whose digest for the hour holding [`late_log_at`] misses its last log file, which a
/// backfill digest lists.
const BACKFILL_CHAIN: (usize, &str) = (0, "us-west-2");

/// A time in the hour whose last log file reached the backfill digest instead of the hour's digest.
fn late_log_at(end: i64) -> i64 {
    end - 4 * DAY - 5 * HOUR
}

/// How long after its hour the backfill digest was made (its `backfill-generation-timestamp`).
const BACKFILL_DELAY_SECS: i64 = 6 * HOUR + 12 * MINUTE;

/// The digest written just before a trail stops covers log files delivered up to this long after the stop.
const LAST_DELIVERY_AFTER_STOP_SECS: i64 = 15 * MINUTE;

/// A starting digest covers at least this long after logging started.
const SHORTEST_STARTING_DIGEST_SECS: i64 = 30 * MINUTE;

/// One chain to write: a trail in one Region, over the log files of its account and Region.
struct Chain<'a> {
    trail: &'a DigestTrail,
    region: &'static str,
    logs: &'a [LogFile],
    /// Seconds after each whole hour at which this chain's digests end.
    offset_secs: i64,
}

/// One digest's hour: `[start, end)` by delivery time; `starting`: its `previousDigest*` are null.
struct Window {
    start: i64,
    end: i64,
    starting: bool,
}

/// The hours a chain has digests for, from `start` to its trail's last delivery, with the dev trail's gap.
fn windows(chain: &Chain<'_>, start: i64, end: i64) -> Vec<Window> {
    let gap = (chain.trail.name == "dev-trail").then(|| dev_trail_logging_off(end));
    let last = end.min(chain.trail.last_delivery_secs);
    let mut windows = Vec::new();
    let mut previous_end = start;
    let mut digest_end = start - start.rem_euclid(HOUR) + HOUR + chain.offset_secs;
    while digest_end <= last {
        let mut window = Window {
            start: previous_end,
            end: digest_end,
            starting: windows.is_empty(),
        };
        if let Some((stopped, started)) = gap
            && previous_end >= stopped + LAST_DELIVERY_AFTER_STOP_SECS
            && previous_end < started
        {
            if digest_end < started + SHORTEST_STARTING_DIGEST_SECS {
                digest_end += HOUR;
                continue;
            }
            window.start = started;
            window.starting = true;
        }
        windows.push(window);
        previous_end = digest_end;
        digest_end += HOUR;
    }
    windows
}

fn digest_key(chain: &Chain<'_>, end: i64, backfill: bool) -> String {
    let account = &ACCOUNTS[chain.trail.account];
    let org = account.org_id.map(|o| format!("{o}/")).unwrap_or_default();
    let (id, region, p) = (account.id, chain.region, utc_parts(end));
    format!(
        "AWSLogs/{org}{id}/CloudTrail-Digest/{region}/{:04}/{:02}/{:02}/{id}_CloudTrail-Digest_{region}_{}_{}_{}{}.json.gz",
        p.year,
        p.month,
        p.day,
        chain.trail.name,
        chain.trail.home,
        format_compact_date(end),
        if backfill { "_backfill" } else { "" }
    )
}

/// A written digest, as the next one refers to it: key, content SHA-256 and signature (hex).
type Previous = (String, String, String);

/// Writes one signed digest and its sidecar; returns it as the next digest's previous.
#[allow(clippy::too_many_arguments)]
fn write_digest(
    out: &Path,
    chain: &Chain<'_>,
    window: &Window,
    logs: &[&LogFile],
    previous: Option<&Previous>,
    backfill_generated: Option<i64>,
    signer: &PrivateKey,
    key_fingerprint: &str,
) -> Result<Previous, DemoError> {
    let key = digest_key(chain, window.end, backfill_generated.is_some());
    let bucket = &chain.trail.bucket;
    let time = |secs: i64| json!(format_rfc3339(secs));
    let span = |pick: fn(&LogFile) -> i64, newest: bool| {
        let times = logs.iter().map(|log| pick(log));
        match if newest { times.max() } else { times.min() } {
            Some(secs) => time(secs),
            None => Value::Null,
        }
    };
    let entries: Vec<Value> = logs
        .iter()
        .map(|log| {
            json!({
                "s3Bucket": bucket,
                "s3Object": log.key,
                "hashValue": log.sha256_hex,
                "hashAlgorithm": "SHA-256",
                "newestEventTime": format_rfc3339(log.event_span_secs.1),
                "oldestEventTime": format_rfc3339(log.event_span_secs.0),
            })
        })
        .collect();
    let previous = previous.filter(|_| !window.starting);
    let digest = json!({
        "awsAccountId": ACCOUNTS[chain.trail.account].id,
        "digestStartTime": format_rfc3339(window.start),
        "digestEndTime": format_rfc3339(window.end),
        "digestS3Bucket": bucket,
        "digestS3Object": key,
        "digestPublicKeyFingerprint": key_fingerprint,
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": span(|log| log.event_span_secs.1, true),
        "oldestEventTime": span(|log| log.event_span_secs.0, false),
        "previousDigestS3Bucket": previous.map(|_| bucket),
        "previousDigestS3Object": previous.map(|p| &p.0),
        "previousDigestHashValue": previous.map(|p| &p.1),
        "previousDigestHashAlgorithm": previous.map(|_| "SHA-256"),
        "previousDigestSignature": previous.map(|p| &p.2),
        "logFiles": entries,
    });
    let path = out.join(&key);
    let fail = |source| DemoError::Write {
        path: path.clone(),
        source,
    };
    let content = serde_json::to_vec(&digest).map_err(|e| fail(std::io::Error::other(e)))?;
    let content_sha256 = hex::encode(Sha256::digest(&content));
    let to_sign = string_to_sign(
        &format_rfc3339(window.end),
        bucket,
        &key,
        &content_sha256,
        previous.map(|p| p.2.as_str()),
    );
    let signature = sign_hex(signer, &to_sign).map_err(DemoError::Options)?;
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(fail)?;
    }
    std::fs::write(&path, gzip(&content).map_err(fail)?).map_err(fail)?;
    let mut metadata = serde_json::Map::new();
    metadata.insert("signature".into(), json!(signature));
    metadata.insert("signature-algorithm".into(), json!("SHA256withRSA"));
    if let Some(generated) = backfill_generated {
        metadata.insert(
            "backfill-generation-timestamp".into(),
            json!(format_rfc3339(generated)),
        );
    }
    let mut sidecar = path.clone().into_os_string();
    sidecar.push(SIDECAR_SUFFIX);
    let sidecar = std::path::PathBuf::from(sidecar);
    let json = serde_json::to_vec(&metadata).map_err(|e| fail(std::io::Error::other(e)))?;
    std::fs::write(&sidecar, json).map_err(|source| DemoError::Write {
        path: sidecar.clone(),
        source,
    })?;
    Ok((key, content_sha256, signature))
}

/// Writes one chain's digests; returns how many.
fn write_chain(
    out: &Path,
    chain: &Chain<'_>,
    start: i64,
    end: i64,
    signer: &PrivateKey,
    key_fingerprint: &str,
) -> Result<u64, DemoError> {
    let late = ((chain.trail.account, chain.region) == BACKFILL_CHAIN).then(|| late_log_at(end));
    let mut previous = None;
    let mut written = 0;
    let mut next_log = 0;
    for window in windows(chain, start, end) {
        let from =
            next_log + chain.logs[next_log..].partition_point(|l| l.delivered_secs < window.start);
        next_log = from + chain.logs[from..].partition_point(|l| l.delivered_secs < window.end);
        let mut listed: Vec<&LogFile> = chain.logs[from..next_log].iter().collect();
        let backfilled = match late {
            Some(at) if (window.start..window.end).contains(&at) && listed.len() > 1 => {
                listed.pop()
            }
            _ => None,
        };
        let digest = write_digest(
            out,
            chain,
            &window,
            &listed,
            previous.as_ref(),
            None,
            signer,
            key_fingerprint,
        )?;
        previous = Some(digest);
        written += 1;
        if let Some(log) = backfilled {
            let backfill = Window {
                starting: true,
                ..window
            };
            let generated = backfill.end + BACKFILL_DELAY_SECS;
            write_digest(
                out,
                chain,
                &backfill,
                &[log],
                None,
                Some(generated),
                signer,
                key_fingerprint,
            )?;
            written += 1;
        }
    }
    Ok(written)
}

/// Writes the digests of every validating trail of the demo over `logs` (the log files of each stream, in
/// stream order: account-major, then Region, as `REGIONS`), signed with `signer`; returns how many.
pub fn write_digests(
    out: &Path,
    start: i64,
    end: i64,
    logs: &[Vec<LogFile>],
    signer: &PrivateKey,
) -> Result<u64, DemoError> {
    let key_fingerprint = fingerprint(&public_der(signer)?);
    let trails = digest_trails(end);
    let regions = super::catalog::REGIONS;
    let chains: Vec<Chain<'_>> = trails
        .iter()
        .flat_map(|trail| trail.regions.iter().map(move |region| (trail, *region)))
        .enumerate()
        .map(|(n, (trail, region))| {
            let stream = trail.account * regions.len()
                + regions.iter().position(|(r, _)| *r == region).unwrap_or(0);
            Chain {
                trail,
                region,
                logs: logs.get(stream).map_or(&[], Vec::as_slice),
                offset_secs: 4 * MINUTE + (n as i64 * 149) % (9 * MINUTE),
            }
        })
        .collect();
    let written = in_parallel(chains, |_, chain| {
        write_chain(out, &chain, start, end, signer, &key_fingerprint)
    });
    written.into_iter().sum()
}
