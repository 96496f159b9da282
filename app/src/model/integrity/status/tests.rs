use super::*;
use crate::model::integrity::summary::{IntegritySummary, ago};
use crate::model::integrity::timeline::{days, hours, stretches};
use crate::model::integrity::{DigestEntry, LogEntry, UnlistedLog};

/// 2026-11-20T00:00:00Z.
const DAY0: i64 = 1_795_132_800;
/// Digests end five minutes past the hour, as CloudTrail's do.
const OFFSET: i64 = 312;

fn end(hour: i64) -> i64 {
    DAY0 + hour * HOUR + OFFSET
}

fn digest(hour: i64, verdict: DigestVerdict) -> DigestEntry {
    let valid = verdict.is_valid();
    DigestEntry {
        location: format!("s3://b/digest-{hour}"),
        kind: DigestKind::Standard,
        verdict,
        start_secs: valid.then(|| end(hour) - HOUR),
        end_secs: Some(end(hour)),
        inferred: false,
    }
}

/// Digests ending at hours 1 to 6 (hours 0 to 5): 2 missing, a gap before 5, a modified log in 3 and an
/// unlisted log in 4.
fn report() -> ChainReport {
    ChainReport {
        account_id: "111122223333".into(),
        region: "us-east-1".into(),
        trail_name: "main".into(),
        home_region: "us-east-1".into(),
        digests: vec![
            digest(6, DigestVerdict::Valid),
            digest(5, DigestVerdict::Valid),
            digest(3, DigestVerdict::Valid),
            digest(2, DigestVerdict::NotFound),
            digest(1, DigestVerdict::Valid),
        ],
        logs: vec![LogEntry {
            location: "s3://b/log-3".into(),
            verdict: LogVerdict::HashMismatch,
            digest: "s3://b/digest-3".into(),
            kind: DigestKind::Standard,
        }],
        gaps: vec![Gap {
            from_secs: end(3),
            to_secs: end(4),
            kind: DigestKind::Standard,
        }],
        unlisted_logs: vec![UnlistedLog {
            location: "s3://b/planted".into(),
            delivered_secs: end(5) - 600,
        }],
        ..ChainReport::default()
    }
}

#[test]
fn each_digest_hour_gets_its_worst_finding_and_every_problem_names_its_key() {
    let chain = ChainStatus::from_report(&report(), end(7));
    let states: Vec<(i64, HourState)> = chain
        .hours
        .iter()
        .map(|(h, s)| ((h - DAY0) / HOUR, *s))
        .collect();
    assert_eq!(
        states,
        [
            (0, HourState::Valid),
            (1, HourState::DigestMissing),
            (2, HourState::Invalid),
            (3, HourState::Gap),
            (4, HourState::UnlistedLogs),
            (5, HourState::Valid),
        ]
    );
    let problems: Vec<(String, String)> = chain
        .problems
        .iter()
        .map(|p| (p.location.clone(), p.finding.reason()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                "s3://b/digest-2".to_owned(),
                "digest file INVALID: not found".to_owned()
            ),
            (
                "s3://b/log-3".to_owned(),
                "log file INVALID: hash value doesn't match (listed by s3://b/digest-3)".to_owned()
            ),
            (
                "s3://b/digest-5".to_owned(),
                "No log files were delivered by CloudTrail between 2026-11-20T03:05:12Z and 2026-11-20T04:05:12Z"
                    .to_owned()
            ),
            (
                "s3://b/planted".to_owned(),
                "log file UNLISTED: no digest lists it (delivered 2026-11-20T04:55:12Z)".to_owned()
            ),
        ]
    );
}

#[test]
fn a_run_over_new_digests_replaces_only_the_hours_it_validated() {
    let mut known = ChainStatus::from_report(&report(), end(7));
    let mut newer = report();
    newer.digests = vec![
        digest(7, DigestVerdict::SignatureFailed),
        digest(6, DigestVerdict::Valid),
    ];
    newer.logs.clear();
    newer.gaps.clear();
    newer.unlisted_logs.clear();
    let newer = ChainStatus::from_report(&newer, end(8));
    known.merge(newer.clone());
    assert_eq!(known.validated_at_secs, end(8));
    assert_eq!(known.hours.len(), 7);
    assert_eq!(known.hours[&(DAY0 + 6 * HOUR)], HourState::Invalid);
    assert_eq!(
        known.hours[&(DAY0 + 2 * HOUR)],
        HourState::Invalid,
        "older hours stay"
    );
    assert_eq!(known.problems.len(), 5);

    let stored = ArchiveStatus::after_run(None, "s3://b".into(), vec![known.clone()], true, end(8));
    assert_eq!(stored.new_digests_from(), Some(DAY0 + 7 * HOUR));
    let merged = ArchiveStatus::after_run(
        Some(stored.clone()),
        "s3://b".into(),
        vec![newer],
        false,
        end(9),
    );
    assert_eq!(
        (merged.validated_at_secs, merged.full_validated_at_secs),
        (end(9), Some(end(8)))
    );
    assert_eq!(
        merged.chains,
        vec![ChainStatus {
            validated_at_secs: end(8),
            ..known
        }]
    );
    let json = serde_json::to_string(&merged).expect("json");
    assert_eq!(
        serde_json::from_str::<ArchiveStatus>(&json).expect("parses"),
        merged
    );
}

#[test]
fn the_summary_line_counts_typed_findings() {
    let chain = ChainStatus::from_report(&report(), end(7));
    let status = IntegrityStatus {
        now_secs: end(7) + 180,
        sources: vec!["s3://b".into()],
        archives: vec![ArchiveStatus::after_run(
            None,
            "s3://b".into(),
            vec![chain],
            true,
            end(7),
        )],
        run: None,
    };
    let summary = IntegritySummary::of(&status);
    assert_eq!(
        summary.line().as_deref(),
        Some(
            "Integrity: 1 log file modified, 1 digest file missing, 1 log file no digest lists, 1 gap · validated 3 min ago"
        )
    );
    assert!(!summary.tally.is_clean());
    let never = IntegrityStatus {
        archives: Vec::new(),
        ..status.clone()
    };
    assert_eq!(
        IntegritySummary::of(&never).line().as_deref(),
        Some("Integrity: not validated yet")
    );
    let nothing = IntegrityStatus {
        sources: Vec::new(),
        ..never
    };
    assert_eq!(IntegritySummary::of(&nothing).line(), None);
    assert_eq!(ago(2 * 86_400 + 5), "2 days ago");
}

#[test]
fn the_timeline_lays_hours_out_by_day_and_marks_hours_not_validated_yet() {
    let chain = ChainStatus::from_report(&report(), end(7));
    let shown = hours(&chain, DAY0 + 22 * HOUR + 100);
    assert_eq!(
        shown.len(),
        21,
        "hours 0 to 20: the digest of hour 20 is due by 22:00"
    );
    assert_eq!(shown[6], (DAY0 + 6 * HOUR, HourState::NotValidated));
    let grid = days(&shown);
    assert_eq!(grid.len(), 1);
    assert_eq!(grid[0].hours[1], Some(HourState::DigestMissing));
    assert_eq!(grid[0].hours[21], None);
    let runs: Vec<(usize, HourState)> = stretches(&shown)
        .iter()
        .map(|s| (s.hours, s.state))
        .collect();
    assert_eq!(
        runs,
        [
            (1, HourState::Valid),
            (1, HourState::DigestMissing),
            (1, HourState::Invalid),
            (1, HourState::Gap),
            (1, HourState::UnlistedLogs),
            (1, HourState::Valid),
            (15, HourState::NotValidated),
        ]
    );
}
