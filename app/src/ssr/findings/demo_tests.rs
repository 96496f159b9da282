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
