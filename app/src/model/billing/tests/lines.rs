//! Insights, data, network activity, CloudWatch Logs and S3 lines, changes and the price file.
use super::*;

fn insights(types: &[InsightType], categories: &[InsightCategory]) -> Vec<InsightRule> {
    types
        .iter()
        .map(|t| InsightRule {
            insight_type: t.clone(),
            categories: categories.to_vec(),
        })
        .collect()
}

/// AWS's Insights example ("Costs for Insights events", example 1), in our words: a trail logging read and
/// write management events with both Insights types sees 270,000 reads and 30,000 writes; writes are
/// analyzed twice, reads once: 330,000 × $0.35/100k = $1.155, shown as $1.16. One type analyzes less:
/// API call rate only the writes (30,000 → $0.105), API error rate all (300,000 → $1.05).
#[test]
fn insights_on_management_events_both_types() {
    use InsightType::{ApiCallRate, ApiErrorRate};
    let cases: [(&[InsightType], u64, MicroUsd); 3] = [
        (&[ApiCallRate, ApiErrorRate], 330_000, MicroUsd(1_155_000)),
        (&[ApiCallRate], 30_000, MicroUsd(105_000)),
        (&[ApiErrorRate], 300_000, MicroUsd(1_050_000)),
    ];
    for (types, analyzed, cost) in cases {
        let mut t = trail("insightful", A, USE1);
        t.selectors.insights = insights(types, &[InsightCategory::Management]);
        let volumes = vec![mgmt(A, USE1, true, 270_000), mgmt(A, USE1, false, 30_000)];
        let e = estimate(&inputs(vec![t], volumes), &prices(), &[]);
        let line = e
            .lines
            .iter()
            .find(|l| l.item == LineItem::InsightsManagement)
            .expect("an Insights line");
        assert_eq!(line.quantity, analyzed, "{types:?}");
        assert_eq!(e.total, cost, "{types:?}");
    }
    // Cent rounding only for display: $1.155 is kept exact and shown rounded half up.
    assert_eq!(MicroUsd(1_155_000).display(), "$1.16");
}

/// Insights on data events analyze every data event the trail delivers, twice with both types: 1M data
/// events → 2M analyzed × $0.03/100k = $0.60, beside the data events themselves, $1.00.
#[test]
fn insights_on_data_events() {
    let mut t = trail("data-insights", A, USE1);
    t.selectors.management = management(false, false);
    t.selectors.data = vec![data_rule(ResourceType::S3Object, Selected::All)];
    t.selectors.insights = insights(
        &[InsightType::ApiCallRate, InsightType::ApiErrorRate],
        &[InsightCategory::Data],
    );
    let volumes = vec![data(A, USE1, ResourceType::S3Object, "b", 1_000_000)];
    let e = estimate(&inputs(vec![t], volumes), &prices(), &[]);
    assert_eq!(item(&e, LineItem::InsightsData), MicroUsd::from_cents(60));
    assert_eq!(item(&e, LineItem::DataEvents), MicroUsd::from_cents(100));
    assert_eq!(item(&e, LineItem::InsightsManagement), MicroUsd::ZERO);
}

/// Data events on S3 and Lambda: only the resources a rule names are delivered, and every delivery is
/// charged, the first included.
#[test]
fn data_events_on_s3_and_lambda() {
    let function = "arn:aws:lambda:us-east-1:111111111111:function:resize";
    let other = "arn:aws:lambda:us-east-1:111111111111:function:other";
    let mut named = trail("named", A, USE1);
    named.selectors.management = management(false, false);
    named.selectors.data = vec![
        data_rule(
            ResourceType::S3Object,
            Selected::Any(vec![ResourceMatch::Bucket("photos".to_owned())]),
        ),
        data_rule(
            ResourceType::LambdaFunction,
            Selected::Any(vec![ResourceMatch::Function {
                name: "resize".to_owned(),
                region: USE1.to_owned(),
                account: A.to_owned(),
            }]),
        ),
    ];
    let mut everything = trail("everything", A, USE1);
    everything.selectors.management = management(false, false);
    everything.selectors.data = vec![
        data_rule(ResourceType::S3Object, Selected::All),
        data_rule(ResourceType::LambdaFunction, Selected::All),
    ];
    let volumes = vec![
        data(A, USE1, ResourceType::S3Object, "photos", 1_000_000),
        data(A, USE1, ResourceType::S3Object, "backups", 3_000_000),
        data(A, USE1, ResourceType::LambdaFunction, function, 200_000),
        data(A, USE1, ResourceType::LambdaFunction, other, 500_000),
    ];
    // named: photos + resize = 1.2M → $1.20; everything: 4.7M → $4.70.
    let e = estimate(&inputs(vec![named, everything], volumes), &prices(), &[]);
    assert_eq!(trail_cost(&e, "named"), MicroUsd::from_cents(120));
    assert_eq!(trail_cost(&e, "everything"), MicroUsd::from_cents(470));
    assert_eq!(e.total, MicroUsd::from_cents(590));
}

/// Network activity events are charged on every delivery, even the only one: 300k → $0.30; a source the
/// trail does not select is not delivered.
#[test]
fn network_activity_is_always_charged() {
    let mut t = trail("vpce", A, USE1);
    t.selectors.management = management(false, false);
    t.selectors.network_activity = vec![NetworkRule {
        event_source: "s3.amazonaws.com".to_owned(),
        conditions: Vec::new(),
    }];
    let network = |source: &str, n| Volume {
        class: EventClass::NetworkActivity {
            event_source: source.to_owned(),
        },
        ..mgmt(A, USE1, false, n)
    };
    let volumes = vec![
        network("s3.amazonaws.com", 300_000),
        network("kms.amazonaws.com", 900_000),
    ];
    let e = estimate(&inputs(vec![t], volumes), &prices(), &[]);
    assert_eq!(
        item(&e, LineItem::NetworkActivity),
        MicroUsd::from_cents(30)
    );
    assert_eq!(e.undelivered_events, 900_000);
}

/// CloudWatch Logs and S3 are separate lines priced from the cell's measured file sizes: 2^20 events at
/// 1,024 bytes of JSON and 128 bytes of gzip each are 1 GB ingested ($0.50) and 0.125 GB stored for a month
/// ($0.002875, shown $0.00).
#[test]
fn cloudwatch_logs_and_s3_from_measured_sizes() {
    let mut t = trail("to-cwl", A, USE1);
    t.cloud_watch_logs = true;
    let mut i = inputs(vec![t], vec![mgmt(A, USE1, false, 1 << 20)]);
    i.sizes = vec![EventSize {
        account: A.to_owned(),
        region: USE1.to_owned(),
        events: 1_000,
        compressed_bytes: 128_000,
        uncompressed_bytes: 1_024_000,
        basis: Basis::Measured {
            window_secs: 86_400,
        },
    }];
    let e = estimate(&i, &prices(), &[]);
    assert_eq!(item(&e, LineItem::CloudWatchLogs), MicroUsd(500_000));
    assert_eq!(item(&e, LineItem::S3Storage), MicroUsd(2_875));
    let s3 = e
        .lines
        .iter()
        .find(|l| l.item == LineItem::S3Storage)
        .expect("S3 line");
    assert_eq!(s3.quantity, 1 << 27);
    assert_eq!(
        e.formula(s3),
        "to-cwl in us-east-1: 1M events in S3, 128.0 MB for a month → 128.0 MB × $0.023/GB-month = $0.00"
    );
}

/// A stopped trail, or one a what-if turns off, delivers nothing; changes travel as text and back.
#[test]
fn what_if_changes_apply_and_travel_as_text() {
    let volumes = vec![mgmt(A, USE1, true, 100_000), mgmt(A, USE1, false, 100_000)];
    let i = inputs(vec![trail("a", A, USE1), trail("b", A, USE1)], volumes);
    let base = estimate(&i, &prices(), &[]);
    assert_eq!(base.total, MicroUsd::from_cents(400));
    let b = i.trails[1].trail_arn.clone();
    let cases = [
        (format!("off@{b}"), MicroUsd::ZERO),
        (format!("management:read@{b}"), MicroUsd::from_cents(200)),
        (format!("management:none@{b}"), MicroUsd::ZERO),
        (format!("management:all@{b}"), MicroUsd::from_cents(400)),
    ];
    for (text, total) in cases {
        let change: Change = text.parse().expect("parses");
        assert_eq!(change.to_string(), text);
        assert_eq!(change.check(&i.trails), Ok(()));
        assert_eq!(estimate(&i, &prices(), &[change]).total, total, "{text}");
    }
    for text in [
        format!("data:0:only=a,b@{b}"),
        format!("data:1:except=logs@{b}"),
        format!("data:0:drop@{b}"),
        format!("insights:call,error,data@{b}"),
        format!("insights:none@{b}"),
    ] {
        let change: Change = text.parse().expect("parses");
        assert_eq!(change.to_string(), text);
        let json = serde_json::to_string(&change).expect("serialises");
        assert_eq!(
            serde_json::from_str::<Change>(&json).expect("reads back"),
            change
        );
    }
    for bad in [
        "off",
        "off@nope",
        "management:some@arn:x",
        "data:x:drop@arn:x",
        "flip@arn:x",
    ] {
        assert!(bad.parse::<Change>().is_err(), "{bad}");
    }
    let missing: Change = "off@arn:aws:cloudtrail:us-east-1:1:trail/gone"
        .parse()
        .expect("parses");
    assert!(missing.check(&i.trails).is_err());
    let no_rule: Change = format!("data:0:drop@{b}").parse().expect("parses");
    assert!(no_rule.check(&i.trails).is_err(), "b has no data rules");
    let mut stopped = i.clone();
    stopped.trails[1].is_logging = false;
    assert_eq!(estimate(&stopped, &prices(), &[]).total, MicroUsd::ZERO);
}

/// Every figure of the price file reads, has a source and a date; overrides win and say so.
#[test]
fn price_file_and_overrides() {
    let p = prices();
    assert_eq!(p.as_of.len(), 10);
    for item in PriceItem::ALL {
        let figure = p.figure(item, USE1).expect("every item has a figure");
        assert!(figure.source.starts_with("https://"), "{item:?}");
        assert!(figure.rate().is_ok(), "{item:?}");
    }
    let rates = p.rates_in(USE1);
    assert_eq!(
        rates.get(PriceItem::PaidManagementCopy).display(),
        "$2.00/100k"
    );
    let changed = p.with_overrides(
        &[PriceOverride {
            item: PriceItem::PaidManagementCopy,
            region: Some(USW2.to_owned()),
            price: MicroUsd::from_cents(250),
        }],
        "billing_prices",
    );
    assert!(changed.check().is_ok());
    assert_eq!(
        changed
            .rates_in(USW2)
            .get(PriceItem::PaidManagementCopy)
            .price,
        MicroUsd(2_500_000)
    );
    assert_eq!(
        changed
            .rates_in(USE1)
            .get(PriceItem::PaidManagementCopy)
            .price,
        MicroUsd(2_000_000)
    );
    let figure = changed
        .figure(PriceItem::PaidManagementCopy, USW2)
        .expect("figure");
    assert_eq!(figure.confidence, Confidence::Configured);
}
