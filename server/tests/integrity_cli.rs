//! Differential test against the real CLI: the signed archive, tampered case by case, is put into moto S3 with
//! its signature metadata (moto started from a wrapper that adds `ListPublicKeys`); then `aws cloudtrail
//! validate-logs --verbose` (PyPI awscli 1.46, `.tools/awscli`) runs for each account and Region and
//! `trailscope validate s3://…` once for all. Both must give the same exit code and the same verdict for every
//! digest and log file, and the same gaps. What Trailscope says beyond the CLI (every one of consecutive deleted
//! digests, log files no digest lists) is left out of the comparison and asserted on its own.
#[path = "common/digests.rs"]
mod digests;
#[path = "common/integrity_run.rs"]
mod integrity_run;
#[path = "common/moto.rs"]
mod moto;

use app::model::integrity::{ChainReport, DigestKind, DigestVerdict, IntegrityReport};
use digests::{ACCOUNTS, Archive, BUCKET, HOME, REGIONS, TRAIL, digest_key, end_of, keys};
use moto::Moto;
use std::path::PathBuf;

const A: &str = ACCOUNTS[0];
const R: &str = REGIONS[0];
/// The window of every run: the whole archive (the CLI needs a start).
const START: &str = "2026-11-19T23:00:00Z";
const END: &str = "2026-11-21T00:00:00Z";

fn aws_cli() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/awscli/bin/aws")
}

/// moto holding `archive` in [`BUCKET`], answering `ListPublicKeys` with the trail's key only.
fn moto_with(archive: &Archive, dir: &std::path::Path) -> Moto {
    let keys_json = dir.join("public-keys.json");
    let main = &keys().main;
    let value = {
        use base64ct::Encoding;
        base64ct::Base64::encode_string(&digests::public_der(main))
    };
    let listed = serde_json::json!([{
        "Value": value, "Fingerprint": digests::fingerprint(main),
        "ValidityStartTime": end_of(0) - 86_400, "ValidityEndTime": end_of(0) + 7 * 86_400,
    }]);
    std::fs::write(&keys_json, listed.to_string()).expect("keys");
    let moto = Moto::start_with_public_keys(&keys_json);
    moto.create_bucket(BUCKET);
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(moto.endpoint())
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        for (key, bytes) in &archive.objects {
            let metadata = archive
                .metadata
                .get(key)
                .map(|m| m.clone().into_iter().collect());
            client
                .put_object()
                .bucket(BUCKET)
                .key(key)
                .body(bytes.clone().into())
                .set_metadata(metadata)
                .send()
                .await
                .unwrap_or_else(|e| panic!("put {key}: {e}"));
        }
    });
    moto
}

/// `aws cloudtrail validate-logs` for one account and Region: exit code and its findings, one line each
/// (`digest|backfill|log LOCATION VERDICT`, `gap FROM TO`), valid files included.
fn aws_validate(
    moto: &Moto,
    account: &str,
    region: &str,
    window: (&str, &str),
) -> (i32, Vec<String>) {
    let output = std::process::Command::new(aws_cli())
        .args([
            "cloudtrail",
            "validate-logs",
            "--verbose",
            "--s3-bucket",
            BUCKET,
            "--region",
            region,
        ])
        .args([
            "--trail-arn",
            &format!("arn:aws:cloudtrail:{HOME}:{account}:trail/{TRAIL}"),
        ])
        .args(["--start-time", window.0, "--end-time", window.1])
        .envs(moto.sdk_env())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("the AWS CLI runs (scripts/setup.sh installs it in .tools/awscli)");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let code = output.status.code().expect("exit code");
    assert!(code <= 1, "the CLI failed:\n{text}");
    let mut lines: Vec<String> = text.lines().filter_map(cli_line).collect();
    lines.sort();
    (code, lines)
}

fn cli_line(line: &str) -> Option<String> {
    let (backfill, line) = match line.strip_prefix("(backfill) ") {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    if let Some(gap) = line.strip_prefix("No log files were delivered by CloudTrail between ") {
        let (from, to) = gap.split_once(" and ")?;
        return Some(format!(
            "{}gap {from} {to}",
            if backfill { "backfill " } else { "" }
        ));
    }
    let mut fields = line.split('\t');
    let (what, location, verdict) = (fields.next()?, fields.next()?, fields.next()?);
    let what = match (what, backfill) {
        ("Digest file", false) => "digest",
        ("Digest file", true) => "backfill",
        ("Log file", _) => "log",
        _ => return None,
    };
    Some(format!("{what} {location} {verdict}"))
}

/// One chain of Trailscope's report in the CLI's terms, and what it says beyond them.
fn ours(chain: &ChainReport) -> (Vec<String>, Vec<String>) {
    let (mut same, mut more) = (Vec::new(), Vec::new());
    for digest in &chain.digests {
        if digest.inferred {
            more.push(format!("inferred {}", digest.location));
            continue;
        }
        let what = match digest.kind {
            DigestKind::Standard => "digest",
            DigestKind::Backfill => "backfill",
        };
        let verdict = match &digest.verdict {
            // The CLI words a missing signature as a failed verification.
            DigestVerdict::NoSignature => DigestVerdict::SignatureFailed.text(),
            verdict => verdict.text(),
        };
        same.push(format!("{what} {} {verdict}", digest.location));
    }
    for log in &chain.logs {
        same.push(format!("log {} {}", log.location, log.verdict.text()));
    }
    for gap in &chain.gaps {
        let time = app::model::time::format_rfc3339;
        let mark = if gap.kind == DigestKind::Backfill {
            "backfill "
        } else {
            ""
        };
        same.push(format!(
            "{mark}gap {} {}",
            time(gap.from_secs),
            time(gap.to_secs)
        ));
    }
    more.extend(
        chain
            .unlisted_logs
            .iter()
            .map(|log| format!("unlisted {}", log.location)),
    );
    same.sort();
    more.sort();
    (same, more)
}

/// Runs both on `archive` in `window`; asserts they agree; returns what Trailscope said beyond the CLI.
fn compare(archive: &Archive, window: (&str, &str)) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let moto = moto_with(archive, dir.path());
    let env: Vec<(&str, String)> = moto
        .sdk_env()
        .into_iter()
        .chain([("AWS_REGION", "us-east-1".to_owned())])
        .collect();
    let url = format!("s3://{BUCKET}");
    let (code, report): (i32, IntegrityReport) =
        integrity_run::validate(&[&url, "--start", window.0, "--end", window.1], &env);
    let mut cli_failed = false;
    let mut more = Vec::new();
    for account in ACCOUNTS {
        for region in REGIONS {
            let (cli_code, cli) = aws_validate(&moto, account, region, window);
            assert!(
                cli.iter().any(|line| line.starts_with("digest ")),
                "{account} {region}: the CLI validated no digest: {cli:?}"
            );
            cli_failed |= cli_code == 1;
            let chain = report
                .chains
                .iter()
                .find(|c| c.account_id == account && c.region == region);
            let (same, beyond) = chain.map(ours).unwrap_or_default();
            assert_eq!(
                same, cli,
                "{account} {region}: Trailscope (left) and the CLI (right) differ"
            );
            more.extend(beyond);
        }
    }
    assert_eq!(code, i32::from(cli_failed), "exit codes differ: {more:?}");
    more.iter()
        .map(|line| line.replace(&format!("s3://{BUCKET}/"), ""))
        .collect()
}

fn whole(archive: &Archive) -> Vec<String> {
    compare(archive, (START, END))
}

fn hour(h: i64) -> String {
    digest_key(A, R, end_of(h), false)
}

/// `unlisted KEY` for each log file the digest of `account`, `region`, hour `h` lists: when that digest fails
/// its checks, Trailscope reports them as no digest lists them (the CLI does not look).
fn unlisted_of(archive: &Archive, account: &str, region: &str, h: i64) -> Vec<String> {
    archive
        .logs_listed(account, region, h)
        .iter()
        .map(|k| format!("unlisted {k}"))
        .collect()
}

fn sorted(mut lines: Vec<String>) -> Vec<String> {
    lines.sort();
    lines
}

#[test]
fn an_untouched_archive() {
    assert_eq!(whole(&Archive::generate()), Vec::<String>::new());
}

#[test]
fn tampered_log_files() {
    let mut archive = Archive::generate();
    let logs = archive.logs_listed(A, R, 3);
    archive
        .objects
        .insert(logs[0].clone(), digests::gzip(b"{}"));
    archive.objects.remove(&logs[1]);
    let other = archive.logs_listed(ACCOUNTS[1], REGIONS[1], 4)[0].clone();
    archive
        .objects
        .get_mut(&other)
        .expect("log")
        .extend_from_slice(b"appended");
    assert_eq!(whole(&archive), Vec::<String>::new());
}

#[test]
fn a_modified_digest_and_one_without_signature() {
    let mut archive = Archive::generate();
    archive.edit_digest(&hour(4), |json| {
        json["logFiles"][0]["hashValue"] = "0".repeat(64).into()
    });
    archive
        .metadata
        .remove(&digest_key(ACCOUNTS[1], R, end_of(8), false));
    let mut more = unlisted_of(&archive, A, R, 4);
    more.extend(unlisted_of(&archive, ACCOUNTS[1], R, 8));
    assert_eq!(sorted(whole(&archive)), sorted(more));
}

#[test]
fn a_deleted_digest() {
    let mut archive = Archive::generate();
    archive.objects.remove(&hour(4));
    let unlisted: Vec<String> = archive
        .logs_listed(A, R, 4)
        .iter()
        .map(|k| format!("unlisted {k}"))
        .collect();
    assert_eq!(
        whole(&archive),
        unlisted,
        "Trailscope also names the lost digest's log files"
    );
}

#[test]
fn two_consecutive_deleted_digests() {
    let mut archive = Archive::generate();
    archive.objects.remove(&hour(8));
    archive.objects.remove(&hour(9));
    let mut more = vec![format!("inferred {}", hour(8))];
    more.extend(
        archive
            .logs_listed(A, R, 8)
            .iter()
            .map(|k| format!("unlisted {k}")),
    );
    more.sort();
    assert_eq!(
        whole(&archive),
        more,
        "the CLI names only the newer deleted digest"
    );
}

#[test]
fn wrong_keys_and_a_broken_previous_signature() {
    let mut archive = Archive::generate();
    archive.resign(&hour(5), &keys().other);
    let other = digests::fingerprint(&keys().other);
    let key = digest_key(ACCOUNTS[1], REGIONS[1], end_of(5), false);
    archive.edit_digest(&key, |json| {
        json["digestPublicKeyFingerprint"] = other.into()
    });
    archive.resign(&key, &keys().other);
    archive.edit_digest(&digest_key(A, REGIONS[1], end_of(3), false), |json| {
        json["previousDigestSignature"] = "00".repeat(256).into();
    });
    let mut more = unlisted_of(&archive, A, R, 5);
    more.extend(unlisted_of(&archive, ACCOUNTS[1], REGIONS[1], 5));
    more.extend(unlisted_of(&archive, A, REGIONS[1], 3));
    assert_eq!(sorted(whole(&archive)), sorted(more));
}

#[test]
fn a_moved_digest_and_a_backfill_digest_without_metadata() {
    let mut archive = Archive::generate();
    archive.move_object(&hour(10), &digest_key(A, R, end_of(10) + 1, false));
    let backfill = digest_key(A, R, end_of(8) + 1200, true);
    archive
        .metadata
        .get_mut(&backfill)
        .expect("backfill")
        .remove("backfill-generation-timestamp");
    let late = archive.digests[&backfill].json["logFiles"][0]["s3Object"]
        .as_str()
        .expect("key")
        .to_owned();
    assert_eq!(whole(&archive), vec![format!("unlisted {late}")]);
}

#[test]
fn an_unlisted_log_file_and_the_time_window() {
    let mut archive = Archive::generate();
    let planted = archive.add_log(ACCOUNTS[1], R, end_of(4) - 1800, 9);
    let planted = planted["s3Object"].as_str().expect("key").to_owned();
    assert_eq!(
        whole(&archive),
        vec![format!("unlisted {planted}")],
        "the CLI never sees it"
    );
    let outside = archive.logs_listed(A, R, 10)[0].clone();
    archive.objects.remove(&outside);
    let time = app::model::time::format_rfc3339;
    let (start, end) = (time(end_of(3)), time(end_of(5)));
    assert_eq!(
        compare(&archive, (&start, &end)),
        vec![format!("unlisted {planted}")]
    );
}

#[test]
fn in_s3_a_log_file_over_ingests_bound_is_reported_and_the_rest_is_validated() {
    // Beyond the CLI (which would download and hash it whole): a gzip bomb in place of a listed log file,
    // 8 MiB of zeros in a few KiB, over a 1 MiB `ingest_max_file_bytes`. It is hashed as its body arrives and
    // named once past the bound; every other log file is validated.
    let mut archive = Archive::generate();
    let key = archive.logs_listed(ACCOUNTS[1], R, 5)[1].clone();
    archive
        .objects
        .insert(key.clone(), digests::gzip(&vec![0u8; 8 << 20]));
    let dir = tempfile::tempdir().expect("tempdir");
    let moto = moto_with(&archive, dir.path());
    let env: Vec<(&str, String)> = moto
        .sdk_env()
        .into_iter()
        .chain([
            ("AWS_REGION", "us-east-1".to_owned()),
            ("TRAILSCOPE_INGEST_MAX_FILE_BYTES", (1 << 20).to_string()),
        ])
        .collect();
    let url = format!("s3://{BUCKET}");
    let (code, report) = integrity_run::validate(&[&url, "--start", START, "--end", END], &env);
    assert_eq!(
        integrity_run::findings(&report, &url),
        integrity_run::with(vec![format!(
            "log {key} INVALID: decompresses to more than the limit ingest_max_file_bytes, not read further"
        )])
    );
    assert_eq!(code, 1);
    assert_eq!(report.counts().logs_valid, 4 * 14, "every other log file");
}
