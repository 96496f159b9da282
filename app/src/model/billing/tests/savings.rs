//! Savings: each proposed change priced by re-running the model.
use super::*;

fn find<'a>(s: &'a Savings, name: &str) -> Vec<&'a Saving> {
    s.savings.iter().filter(|x| x.trail_name == name).collect()
}

/// A trail paying for copies of writes too is proposed off (it logs nothing else); one whose only paid
/// copies are reads is proposed to log writes only. Each is priced by re-running the model.
#[test]
fn duplicate_copies_and_reads_logged_twice() {
    let mut multi = trail("multi", A, USE1);
    multi.is_multi_region = true;
    multi.selectors.management = management(true, false);
    // Delivery order: multi (multi-Region) first, then by ARN: copy, reader. multi is the first copy of
    // reads; copy is the first of writes and the 2nd of reads; reader the 2nd of writes and 3rd of reads.
    let volumes = vec![mgmt(A, USE1, true, 500_000), mgmt(A, USE1, false, 100_000)];
    let i = inputs(
        vec![trail("reader", A, USE1), multi, trail("copy", A, USE1)],
        volumes,
    );
    let base = estimate(&i, &prices(), &[]);
    // copy: 500k reads paid ($10.00); reader: 600k paid ($12.00).
    assert_eq!(base.total, MicroUsd::from_cents(2_200));
    let s = savings(&i, &prices(), &[], &base);
    let reader = find(&s, "reader");
    assert_eq!(reader.len(), 1);
    assert_eq!(
        reader[0].kind,
        SavingKind::DuplicateManagementCopies {
            paid_events: 600_000
        }
    );
    assert_eq!(
        reader[0].change,
        Change::TrailOff {
            trail_arn: i.trails[0].trail_arn.clone()
        }
    );
    // Without reader, copy still pays its 500k reads: $12.00 saved.
    assert_eq!(reader[0].monthly, MicroUsd::from_cents(1_200));
    let copy = find(&s, "copy");
    assert_eq!(
        copy[0].kind,
        SavingKind::ReadsLoggedTwice {
            paid_events: 500_000
        }
    );
    assert_eq!(
        copy[0].change,
        Change::Management {
            trail_arn: i.trails[2].trail_arn.clone(),
            read: false,
            write: true
        }
    );
    // copy logging writes only: reader becomes the 2nd copy of reads and of writes, $12.00: $10.00 saved.
    assert_eq!(copy[0].monthly, MicroUsd::from_cents(1_000));
    // Both at once leave one copy of each kind: $22.00, re-run, not the $22.00 sum by adding.
    assert_eq!(s.all_together, MicroUsd::from_cents(2_200));
}

/// Insights costing more than the rest of the trail is proposed off; a trail logging data events on its
/// own bucket is a loop, proposed even when none of its events were measured; a rule on every bucket whose
/// events come mostly from one bucket is proposed to leave it out.
#[test]
fn insights_loops_and_busy_buckets() {
    let mut insightful = trail("insightful", A, USE1);
    insightful.selectors.insights = vec![InsightRule {
        insight_type: InsightType::ApiErrorRate,
        categories: vec![InsightCategory::Management],
    }];
    let mut looped = trail("looped", A, USE1);
    looped.selectors.management = management(false, false);
    looped.selectors.data = vec![data_rule(ResourceType::S3Object, Selected::All)];
    let volumes = vec![
        mgmt(A, USE1, false, 100_000),
        data(A, USE1, ResourceType::S3Object, "data-lake", 9_000_000),
        data(A, USE1, ResourceType::S3Object, "invoices", 10_000),
    ];
    let i = inputs(vec![insightful, looped], volumes);
    let base = estimate(&i, &prices(), &[]);
    let s = savings(&i, &prices(), &[], &base);
    let insightful = find(&s, "insightful");
    // 100k analyzed × $0.35/100k = $0.35 against a free first copy: proposed off, saving $0.35.
    assert_eq!(insightful.len(), 1);
    assert!(matches!(
        insightful[0].kind,
        SavingKind::InsightsOutweighs { .. }
    ));
    assert_eq!(insightful[0].monthly, MicroUsd::from_cents(35));
    let looped = find(&s, "looped");
    let kinds: Vec<&SavingKind> = looped.iter().map(|x| &x.kind).collect();
    assert!(kinds.contains(&&SavingKind::LogBucketLoop {
        rule: 0,
        bucket: "logs-looped".to_owned()
    }));
    let busy = looped
        .iter()
        .find(|x| matches!(x.kind, SavingKind::DataEventsOnEveryBucket { .. }))
        .expect("the busy bucket is proposed");
    assert_eq!(
        busy.kind,
        SavingKind::DataEventsOnEveryBucket {
            rule: 0,
            bucket: "data-lake".to_owned(),
            bucket_events: 9_000_000,
            rule_events: 9_010_000,
        }
    );
    // 9M × $0.10/100k = $9.00.
    assert_eq!(busy.monthly, MicroUsd::from_cents(900));
    assert_eq!(
        s.savings[0].monthly,
        MicroUsd::from_cents(900),
        "largest first"
    );
}

/// The page prices savings a time budget at a time: a step spends its budget (at least one proposal each,
/// however slow the clock says the model is) and, stepped to the end, finds exactly the savings priced at once.
#[test]
fn savings_priced_step_by_step_within_a_budget_equal_those_priced_at_once() {
    let mut multi = trail("multi", A, USE1);
    multi.is_multi_region = true;
    let mut insightful = trail("insightful", A, USE1);
    insightful.selectors.insights = vec![InsightRule {
        insight_type: InsightType::ApiErrorRate,
        categories: vec![InsightCategory::Management],
    }];
    let volumes = vec![mgmt(A, USE1, true, 500_000), mgmt(A, USE1, false, 100_000)];
    let i = inputs(
        vec![
            trail("reader", A, USE1),
            multi,
            trail("copy", A, USE1),
            insightful,
        ],
        volumes,
    );
    let base = estimate(&i, &prices(), &[]);
    let whole = savings(&i, &prices(), &[], &base);
    assert!(whole.savings.len() >= 2, "{whole:?}");

    // A clock that moves 5 ms per reading: a 8 ms budget is spent after the first proposal's reading...
    let ticks = std::cell::Cell::new(0.0);
    let slow = || {
        ticks.set(ticks.get() + 5.0);
        ticks.get()
    };
    let mut run = SavingsRun::new(&i, &[], &base);
    let proposed = run.progress().1;
    let mut steps = 0;
    while !run.step_within(&i, &prices(), 8.0, slow) {
        steps += 1;
        assert_eq!(
            run.progress().0,
            steps * 2,
            "two proposals per 8 ms step of 5 ms readings"
        );
    }
    assert!(steps >= 1, "{proposed} proposals took more than one step");
    assert_eq!(run.finish(&i, &prices()), whole);

    // ...and a clock that stands still prices everything in one step.
    let mut run = SavingsRun::new(&i, &[], &base);
    assert!(run.step_within(&i, &prices(), 8.0, || 0.0));
    assert_eq!(run.finish(&i, &prices()), whole);
}
