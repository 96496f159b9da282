//! The demo archive's digests, validated by `trailscope validate DIR --public-keys DIR/public-keys` as a user
//! would run it on a freshly written demo: every chain valid but for the one log file the intruder edited
//! (named, exit 1), the development trail's stop reported as a gap (not an error), the backfill digest valid,
//! empty hours valid, no log file left unlisted.
#[path = "common/digests.rs"]
mod digests;
#[path = "common/integrity_run.rs"]
mod integrity_run;

use app::model::integrity::{DigestKind, LogVerdict};
use app::model::time::{DAY, HOUR, MINUTE, format_rfc3339};
use app::ssr::demo::{DemoOptions, public_keys_folder, write_demo};
use std::io::Read;

/// 2026-11-20T12:00:00Z, as the other demo fixtures.
const END: i64 = 1_795_694_400;
const STAGING: &str = "210987654321";
/// When the intruder's first call happened; the record was deleted from its log file later.
const DELETED_RECORD_AT: i64 = END - 3 * DAY - 7 * HOUR + 21 * MINUTE + 9;
/// When `dev-trail` was stopped and started again.
const DEV_STOPPED: i64 = END - 9 * DAY - 4 * HOUR + 12 * MINUTE;
const DEV_STARTED: i64 = DEV_STOPPED + 3 * HOUR + 25 * MINUTE;

fn gunzip(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_string(&mut text)
        .expect("gzip");
    text
}

#[test]
fn the_demo_archive_validates_but_for_its_planted_tampering() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = write_demo(
        dir.path(),
        &DemoOptions {
            seed: DemoOptions::DEFAULT_SEED,
            days: 10,
            events: 20_000,
            end: END,
        },
    )
    .expect("demo");
    let root = dir.path().display().to_string();
    let keys = public_keys_folder(dir.path()).display().to_string();
    let end = format_rfc3339(END);
    let (code, report) = integrity_run::validate(
        &[root.as_str(), "--public-keys", keys.as_str(), "--end", &end],
        &[],
    );
    let counts = report.counts();
    assert_eq!(code, 1, "the tampered log file fails validation");

    // One chain per validating trail and Region it logs: org-trail and staging's trail everywhere, the
    // development account's two single-Region trails.
    let mut chains: Vec<String> = report
        .chains
        .iter()
        .map(|c| format!("{} {} {}", c.account_id, c.region, c.trail_name))
        .collect();
    chains.sort();
    let mut expected = Vec::new();
    for region in ["ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"] {
        expected.push(format!("123456789012 {region} org-trail"));
        expected.push(format!("210987654321 {region} management-events"));
    }
    expected.push("444455556666 us-east-1 dev-trail".to_owned());
    expected.push("444455556666 us-west-2 dev-usw2".to_owned());
    expected.sort();
    assert_eq!(chains, expected);
    assert!(report.chains.iter().all(|c| c.error.is_none()));

    // Exactly one invalid file: the staging us-east-1 log file delivered after the deleted record's five
    // minutes, its hash no longer the one its digest signed.
    let invalid: Vec<_> = report
        .chains
        .iter()
        .flat_map(|c| &c.logs)
        .filter(|l| !l.verdict.is_valid())
        .collect();
    assert_eq!(invalid.len(), 1, "{invalid:#?}");
    assert_eq!(invalid[0].verdict, LogVerdict::HashMismatch);
    let slot_end = DELETED_RECORD_AT - DELETED_RECORD_AT % (5 * MINUTE) + 5 * MINUTE;
    let delivered = (1..=4)
        .map(|m| {
            let compact = app::model::integrity::chain::format_compact_date(slot_end + m * MINUTE);
            format!("{STAGING}_CloudTrail_us-east-1_{}Z_", &compact[..13])
        })
        .collect::<Vec<_>>();
    assert!(
        invalid[0]
            .location
            .contains("/AWSLogs/210987654321/CloudTrail/us-east-1/")
            && delivered.iter().any(|d| invalid[0].location.contains(d)),
        "{}",
        invalid[0].location
    );
    // The file on disk (what ingest reads) no longer holds the intruder's call.
    let edited = gunzip(std::path::Path::new(&invalid[0].location));
    assert!(edited.contains("\"Records\""), "still a log file");
    assert!(
        !edited.contains("svc-backup"),
        "the intruder's record is gone"
    );
    assert_eq!(
        (
            counts.digests_invalid,
            counts.backfill_invalid,
            counts.logs_invalid
        ),
        (0, 0, 1)
    );
    assert_eq!((counts.unlisted_logs, counts.errors), (0, 0));

    // The development trail's stop: one gap, from the end of the last digest before it to the start of the
    // starting digest after it; not counted as invalid.
    let gaps: Vec<_> = report
        .chains
        .iter()
        .flat_map(|c| c.gaps.iter().map(move |g| (c.trail_name.as_str(), g)))
        .collect();
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    let (trail, gap) = gaps[0];
    assert_eq!((trail, gap.kind), ("dev-trail", DigestKind::Standard));
    assert_eq!(gap.to_secs, DEV_STARTED);
    assert!(
        gap.from_secs > DEV_STOPPED && gap.from_secs <= DEV_STOPPED + 75 * MINUTE,
        "{gap:?}"
    );

    // One backfill digest, valid, with the late log file it lists.
    let backfill: Vec<_> = report
        .chains
        .iter()
        .flat_map(|c| &c.digests)
        .filter(|d| d.kind == DigestKind::Backfill)
        .collect();
    assert_eq!(backfill.len(), 1);
    assert!(backfill[0].verdict.is_valid());
    assert!(backfill[0].location.ends_with("_backfill.json.gz"));
    let backfilled: Vec<_> = report
        .chains
        .iter()
        .flat_map(|c| &c.logs)
        .filter(|l| l.kind == DigestKind::Backfill)
        .collect();
    assert_eq!(backfilled.len(), 1);
    assert_eq!(backfilled[0].verdict, LogVerdict::Valid);

    // Every digest the demo wrote was walked, and valid; among them hours with no log file.
    assert_eq!(
        (counts.digests_valid + counts.backfill_valid) as u64,
        demo.digest_files
    );
    let empty = report
        .chains
        .iter()
        .flat_map(|c| &c.digests)
        .filter(|d| gunzip(std::path::Path::new(&d.location)).contains("\"logFiles\":[]"))
        .count();
    assert!(empty > 0, "some hours deliver no log file");
}
