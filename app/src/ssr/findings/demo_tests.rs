//! The built-in rules over the demo archive: its planted incidents are found, its ordinary traffic raises nothing
//! high, and evaluating as the events arrive (restarting between small batches) finds exactly what evaluating
//! everything at once finds.
use super::pass::evaluate_pages;
use super::rules::RuleSet;
use super::store::{evaluate_new, list, reevaluate_all};
use crate::model::findings::{Finding, FindingsFilter, Severity};
use crate::ssr::demo::{DemoOptions, write_demo};
use crate::ssr::ingest::{IngestLimits, ingest_folder};
use crate::ssr::store::Store;
use std::path::Path;

/// 2026-11-20T12:00:00Z.
const END: i64 = 1_795_694_400;

fn demo_store(dir: &Path) -> Store {
    let archive = dir.join("demo");
    let options = DemoOptions {
        seed: 11,
        days: 7,
        events: 20_000,
        end: END,
    };
    write_demo(&archive, &options).expect("demo archive");
    let store = Store::open(&dir.join("store/trailscope.db")).expect("store");
    ingest_folder(&store, &archive, &IngestLimits::default(), &mut |_| {}).expect("ingest");
    store
}

fn by_title<'a>(findings: &'a [Finding], title: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.title == title)
        .unwrap_or_else(|| panic!("no finding {title:?} in {findings:#?}"))
}

fn matches(store: &Store) -> Vec<(String, i64, Option<String>)> {
    store
        .read(|c| {
            Ok(c.prepare("SELECT rule_id, event, evidence FROM finding_matches ORDER BY rule_id, event, evidence")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?)
        })
        .expect("matches")
}

#[test]
fn demo_incidents_are_found_and_incremental_equals_full() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(dir.path());
    let rules = RuleSet::load(None);

    // As if the server restarted every 50 events: each call builds a new engine from the saved windows.
    let mut calls = 0;
    while evaluate_pages(&store, &rules, 50, Some(1))
        .expect("evaluate")
        .events
        > 0
    {
        calls += 1;
    }
    assert!(calls > 100, "the demo was evaluated in many small steps");
    let incremental = list(&store, &rules, &FindingsFilter::default()).expect("list");
    let incremental_rows = matches(&store);

    let root = by_title(&incremental, "Root console sign-in without MFA");
    assert_eq!(root.count, 1);
    assert_eq!(root.severity, Severity::Critical);
    assert_eq!(root.technique.as_deref(), Some("T1078.004"));
    let burst = by_title(&incremental, "Burst of refused calls from one identity");
    assert_eq!(
        burst.identities,
        ["arn:aws:iam::210987654321:user/svc-backup"]
    );
    assert_eq!(burst.count, 4, "80 refused calls are 4 windows of 20");
    assert_eq!(burst.evidence_event_ids.len(), 50, "evidence is capped");
    let stopped = by_title(&incremental, "CloudTrail logging stopped");
    assert_eq!(stopped.count, 1);
    assert_eq!(stopped.identities, burst.identities);
    let opened = by_title(&incremental, "Security group opened to the internet");
    assert_eq!(opened.count, 1);

    // Ordinary demo traffic raises nothing high: every high or critical match is a planted one.
    let planted = [
        &root.rule_id,
        &burst.rule_id,
        &stopped.rule_id,
        &opened.rule_id,
    ];
    let high = FindingsFilter {
        severity: Some(Severity::High),
        ..FindingsFilter::default()
    };
    let high = list(&store, &rules, &high).expect("list");
    for finding in &high {
        assert!(
            planted.contains(&&finding.rule_id),
            "benign traffic raised {finding:#?}"
        );
    }
    assert_eq!(high.len(), 4);

    // Nothing new: nothing evaluated, nothing added.
    assert_eq!(evaluate_new(&store, &rules).expect("again").events, 0);

    let outcome = reevaluate_all(&store, &rules).expect("full");
    assert!(outcome.full && outcome.events > 20_000);
    assert_eq!(matches(&store), incremental_rows);
    assert_eq!(
        list(&store, &rules, &FindingsFilter::default()).expect("list"),
        incremental
    );

    // Filters: one account, one rule.
    let prod = FindingsFilter {
        account: Some("123456789012".to_owned()),
        ..FindingsFilter::default()
    };
    let in_prod = list(&store, &rules, &prod).expect("list");
    assert!(in_prod.iter().any(|f| f.rule_id == root.rule_id));
    assert!(in_prod.iter().all(|f| f.rule_id != burst.rule_id));
    let one = FindingsFilter {
        rule: Some(stopped.rule_id.clone()),
        ..FindingsFilter::default()
    };
    assert_eq!(
        list(&store, &rules, &one).expect("list"),
        std::slice::from_ref(stopped)
    );
}

/// User rules that read fields other than `eventName` (a network range, a nested parameter, any value at all,
/// and a correlation counting distinct values), as a team's own folder would hold.
const USER_RULES: &[(&str, &str)] = &[
    (
        "ci-runner.yml",
        "title: Call from the CI runners' network\nid: 6a0f3b52-0001-4000-8000-000000000001\n\
         logsource: {product: aws, service: cloudtrail}\n\
         detection:\n  selection:\n    sourceIPAddress|cidr: 203.0.113.0/24\n  condition: selection\nlevel: low\n",
    ),
    (
        "bucket.yml",
        "title: Call naming a bucket\nid: 6a0f3b52-0002-4000-8000-000000000002\n\
         logsource: {product: aws, service: cloudtrail}\n\
         detection:\n  selection:\n    requestParameters.bucketName|exists: true\n  condition: selection\nlevel: low\n",
    ),
    (
        "keyword.yml",
        "title: Anything mentioning svc-backup\nid: 6a0f3b52-0003-4000-8000-000000000003\n\
         logsource: {product: aws, service: cloudtrail}\n\
         detection:\n  keywords:\n    - '*svc-backup*'\n  condition: keywords\nlevel: low\n",
    ),
    (
        "networks.yml",
        "title: Office call\nid: 6a0f3b52-0004-4000-8000-000000000004\nname: office-call\n\
         logsource: {product: aws, service: cloudtrail}\n\
         detection:\n  selection:\n    sourceIPAddress|startswith: '198.51.100.'\n  condition: selection\nlevel: low\n\
         ---\n\
         title: One identity from three office addresses in an hour\nid: 6a0f3b52-0005-4000-8000-000000000005\n\
         correlation:\n  type: value_count\n  rules: [office-call]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n\
         \x20 condition: {gte: 3, field: sourceIPAddress}\nlevel: low\n",
    ),
];

/// Every stored event evaluated the plain way, one thread, each record parsed whole and read by
/// `rsigma_eval::JsonEvent`, in the order of one pass: the reference the store's evaluation must equal.
fn reference_matches(store: &Store, rules: &RuleSet) -> Vec<(String, i64, Option<String>)> {
    use super::engine::Evaluator;
    use crate::ssr::store::records::{RecordAt, RecordReader};
    let mut evaluator = Evaluator::new(rules).expect("rules compile");
    let mut reader = RecordReader::new(store);
    let mut found = store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, event_time, block, ordinal FROM events ORDER BY event_time, id",
            )?;
            let rows: Vec<(i64, i64, RecordAt)> = stmt
                .query_map([], |r| {
                    let at = RecordAt {
                        block: r.get(2)?,
                        ordinal: r.get(3)?,
                    };
                    Ok((r.get(0)?, r.get(1)?, at))
                })?
                .collect::<Result<_, _>>()?;
            let mut found = Vec::new();
            for (id, time, at) in rows {
                let record = reader.read(c, at)?;
                for m in evaluator.process(&record, time) {
                    let evidence = (!m.window_event_ids.is_empty())
                        .then(|| serde_json::to_string(&m.window_event_ids).expect("json"));
                    found.push((m.rule_id, id, evidence));
                }
            }
            Ok(found)
        })
        .expect("reference");
    found.sort();
    found
}

#[test]
fn full_evaluation_on_every_core_equals_the_plain_evaluation_with_user_rules_reading_any_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(dir.path());
    let rules_dir = dir.path().join("rules");
    std::fs::create_dir(&rules_dir).expect("rules dir");
    for (name, text) in USER_RULES {
        std::fs::write(rules_dir.join(name), text).expect("rule");
    }
    let rules = RuleSet::load(Some(&rules_dir));
    assert!(rules.problems().is_empty(), "{:?}", rules.problems());

    let outcome = reevaluate_all(&store, &rules).expect("full");
    assert!(outcome.full && outcome.events > 20_000);
    let stored = matches(&store);
    assert_eq!(stored, reference_matches(&store, &rules));
    // Only matches that make findings are stored: not every `List*` call a discovery burst counts.
    assert!(
        stored
            .iter()
            .all(|(rule, _, _)| rules.info().contains_key(rule)),
        "a rule only a correlation uses was stored"
    );
    for id in [
        "6a0f3b52-0001-4000-8000-000000000001",
        "6a0f3b52-0002-4000-8000-000000000002",
        "6a0f3b52-0003-4000-8000-000000000003",
        "6a0f3b52-0005-4000-8000-000000000005",
    ] {
        assert!(
            stored.iter().any(|(rule, _, _)| rule == id),
            "user rule {id} found nothing on the demo"
        );
    }
}

#[test]
fn an_interrupted_full_reevaluation_resumes_to_the_same_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(dir.path());
    let rules = RuleSet::load(None);
    assert!(evaluate_new(&store, &rules).expect("first").full);
    let whole = matches(&store);
    let findings = list(&store, &rules, &FindingsFilter::default()).expect("list");

    // A re-evaluation (what a change of rules starts) stopped after 3 pages of 1,000, as a process killed between
    // two commits (each page commits in one transaction, so a kill within one leaves the page before it).
    store
        .write(|c| {
            c.execute(
                "UPDATE findings_state SET rules_digest = 'the rules before'",
                [],
            )
        })
        .expect("rules changed");
    let stopped = evaluate_pages(&store, &rules, 1_000, Some(3)).expect("3 pages");
    assert!(stopped.full);
    assert_eq!(stopped.events, 3_000);
    assert!(
        matches(&store).len() < whole.len(),
        "the findings were being rebuilt"
    );

    // The next start goes on from the last page committed, not from the start, and ends where a whole run does.
    let resumed = evaluate_new(&store, &rules).expect("resumed");
    assert!(!resumed.full, "it resumed");
    assert!(resumed.events > 17_000);
    assert_eq!(stopped.events + resumed.events, whole_events(&store));
    assert_eq!(matches(&store), whole);
    assert_eq!(
        list(&store, &rules, &FindingsFilter::default()).expect("list"),
        findings
    );
}

/// The demo store with every event evaluated by the built-in rules (kept alive by `dir`).
fn evaluated_demo(dir: &Path) -> (Store, RuleSet) {
    let store = demo_store(dir);
    let rules = RuleSet::load(None);
    evaluate_new(&store, &rules).expect("evaluate");
    (store, rules)
}

fn whole_events(store: &Store) -> u64 {
    store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))?))
        .expect("count") as u64
}

#[test]
fn matches_an_older_build_kept_of_rules_only_a_correlation_uses_are_dropped_and_findings_stay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, rules) = evaluated_demo(dir.path());
    let before = matches(&store);
    let hidden = rules
        .correlation_only()
        .next()
        .expect("a built-in rule only a correlation uses")
        .to_owned();
    // As an older build kept them: a match of the helper rule for many events (more than two deletion chunks).
    store
        .write(|c| {
            c.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 45000)
                 INSERT INTO finding_matches (rule_id, event, event_id, event_time, account, identity)
                 SELECT ?1, i, 'event-' || i, ?2, '111122223333', 'IAMUser' FROM n",
                rusqlite::params![hidden, END],
            )
        })
        .expect("older matches");
    assert_eq!(matches(&store).len(), before.len() + 45_000);

    // The next evaluation (nothing new to read) drops them; every finding's matches stay as they were.
    evaluate_new(&store, &rules).expect("evaluate again");
    assert_eq!(matches(&store), before);
}

#[test]
fn activitys_findings_line_from_index_seeks_equals_the_one_from_the_whole_report() {
    use super::api::{report, unevaluable};
    use super::store::{save_triage, standings};
    use crate::model::findings::summary::FindingsSummary;
    use crate::model::findings::triage::{Triage, TriageState};
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, rules) = evaluated_demo(dir.path());
    let all = FindingsFilter::default();
    let line = |store: &Store| {
        let from_seeks = FindingsSummary::from_standings(
            standings(store, &rules).expect("standings"),
            unevaluable(store, &rules, &all).expect("unevaluable").len() as u64,
            rules.info().len(),
            rules.problems().len() as u64,
        );
        let from_report = FindingsSummary::of(&report(store, &rules, &all).expect("report"));
        assert_eq!(from_seeks, from_report);
        from_seeks
    };
    let untouched = line(&store);
    assert!(untouched.triaged == 0 && !untouched.open.is_empty());

    // Two findings triaged over all their matches, one over none of them (so it reads as reopened).
    let findings = list(&store, &rules, &all).expect("list");
    let decide = |finding: &Finding, state, covered_through| {
        let triage = Triage {
            state,
            note: "looked at it".to_owned(),
            by: "admin".to_owned(),
            at_secs: END,
        };
        save_triage(&store, &finding.rule_id, &triage, covered_through).expect("triage");
    };
    decide(&findings[0], TriageState::Resolved, None);
    decide(&findings[1], TriageState::Acknowledged, None);
    decide(&findings[2], TriageState::FalsePositive, Some(0));
    let triaged = line(&store);
    assert_eq!(triaged.triaged, 2);
    let open = |s: &FindingsSummary| s.open.iter().map(|(_, n)| n).sum::<u64>();
    assert_eq!(open(&triaged), open(&untouched) - 2);
}

/// Each finding's count, first and last seen, accounts, identities and matches per day, read from every stored
/// match of its rule (in `account`, if given): first seen is the oldest of the matched events and of the events
/// in a correlation's window (looked up by their eventIDs).
fn from_every_match(store: &Store, finding: &Finding, account: Option<&str>) -> Finding {
    use rusqlite::params;
    store
        .read(|c| {
            let (count, last): (i64, i64) = c.query_row(
                "SELECT count(*), max(event_time) FROM finding_matches
                 WHERE rule_id = ?1 AND (?2 IS NULL OR account = ?2)",
                params![finding.rule_id, account],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut first = i64::MAX;
            let rows: Vec<(i64, Option<String>)> = c
                .prepare(
                    "SELECT event_time, evidence FROM finding_matches
                     WHERE rule_id = ?1 AND (?2 IS NULL OR account = ?2)",
                )?
                .query_map(params![finding.rule_id, account], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (time, window) in rows {
                first = first.min(time);
                let ids: Vec<String> = window.map_or_else(Vec::new, |w| serde_json::from_str(&w).expect("ids"));
                for id in ids {
                    if let Some((event, _)) = crate::ssr::store::search::summary(c, &id)? {
                        first = first.min(event.time);
                    }
                }
            }
            let distinct = |column: &str| -> rusqlite::Result<Vec<String>> {
                c.prepare(&format!(
                    "SELECT DISTINCT {column} FROM finding_matches WHERE rule_id = ?1 AND (?2 IS NULL OR account = ?2)
                     ORDER BY 1 LIMIT 100"
                ))?
                .query_map(params![finding.rule_id, account], |r| r.get(0))?
                .collect()
            };
            let mut daily = crate::model::findings::daily::DailyMatches::ending(c.query_row(
                "SELECT max(event_time) FROM finding_matches",
                [],
                |r| r.get(0),
            )?);
            let mut stmt = c.prepare(
                "SELECT event_time FROM finding_matches WHERE rule_id = ?1 AND (?2 IS NULL OR account = ?2)",
            )?;
            for time in stmt.query_map(params![finding.rule_id, account], |r| r.get::<_, i64>(0))? {
                daily.add(time?, 1);
            }
            Ok(Finding {
                count: count as u64,
                first_seen_secs: first,
                last_seen_secs: last,
                accounts: distinct("account")?,
                identities: distinct("identity")?,
                daily_matches: daily,
                ..finding.clone()
            })
        })
        .expect("every match")
}

#[test]
fn the_report_read_from_day_sums_equals_one_read_from_every_match_after_an_upgrade_and_a_reevaluation()
 {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, rules) = evaluated_demo(dir.path());
    let check = |store: &Store| {
        let all = list(store, &rules, &FindingsFilter::default()).expect("list");
        assert!(all.len() >= 5, "{all:#?}");
        for finding in &all {
            assert_eq!(*finding, from_every_match(store, finding, None));
        }
        // Filtered to one account: each finding's figures are that account's alone.
        let account = all[0].accounts[0].clone();
        let filter = FindingsFilter {
            account: Some(account.clone()),
            ..FindingsFilter::default()
        };
        for finding in &list(store, &rules, &filter).expect("list") {
            assert_eq!(*finding, from_every_match(store, finding, Some(&account)));
        }
        all
    };
    let evaluated = check(&store);
    // A burst's first seen is when its window began, not when the threshold was crossed.
    let began_before_crossing = evaluated.iter().any(|f| {
        let crossed: i64 = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT min(event_time) FROM finding_matches WHERE rule_id = ?1",
                    [&f.rule_id],
                    |r| r.get(0),
                )?)
            })
            .expect("crossed");
        f.first_seen_secs < crossed
    });
    assert!(began_before_crossing, "{evaluated:#?}");

    // A store written by the build before the day sums: the migration sums the matches it holds, each from its
    // own event's time (an older build kept no window start), and the next full evaluation mends that.
    store
        .write(|c| {
            c.execute_batch(&format!(
                "DROP TABLE finding_days; PRAGMA user_version = {}",
                crate::ssr::store::schema::version_before(super::store::DAYS_MIGRATION)
            ))
        })
        .expect("downgrade");
    drop(store);
    let store = Store::open(&dir.path().join("store/trailscope.db")).expect("reopen");
    let migrated = list(&store, &rules, &FindingsFilter::default()).expect("list");
    let counts = |all: &[Finding]| {
        all.iter()
            .map(|f| (f.rule_id.clone(), f.count, f.last_seen_secs))
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(&migrated), counts(&evaluated));

    // A full re-evaluation deletes every match and stores them again: the sums follow.
    reevaluate_all(&store, &rules).expect("reevaluate");
    assert_eq!(check(&store), evaluated);
}
