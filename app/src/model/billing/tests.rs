//! One table-driven test per billing rule, with volumes and prices stated here and the expected amounts
//! worked out by hand in the comments.
mod against_bill;
mod bench;
mod lines;
mod savings;

use super::*;
use crate::model::selectors::{
    DataRule, DataScope, DecodedSelectors, InsightCategory, InsightRule, InsightType, Management,
    NetworkRule, ResourceMatch, ResourceType, Selected,
};

pub(super) const A: &str = "111111111111";
pub(super) const B: &str = "222222222222";
pub(super) const USE1: &str = "us-east-1";
pub(super) const USW2: &str = "us-west-2";

pub(super) fn prices() -> Prices {
    Prices::builtin().expect("the price file parses")
}

pub(super) fn management(read: bool, write: bool) -> Management {
    Management {
        read,
        write,
        excluded_sources: Vec::new(),
        excluded_from_reads: Vec::new(),
        excluded_from_writes: Vec::new(),
        conditions: Vec::new(),
    }
}

pub(super) fn selectors(m: Management) -> DecodedSelectors {
    DecodedSelectors {
        management: m,
        data: Vec::new(),
        network_activity: Vec::new(),
        insights: Vec::new(),
        warnings: Vec::new(),
    }
}

/// A logging single-Region trail owned by `account`, logging all management events.
pub(super) fn trail(name: &str, account: &str, home: &str) -> BillingTrail {
    BillingTrail {
        trail_arn: format!("arn:aws:cloudtrail:{home}:{account}:trail/{name}"),
        name: name.to_owned(),
        home_account: account.to_owned(),
        home_region: home.to_owned(),
        is_multi_region: false,
        is_organization: false,
        is_logging: true,
        accounts: vec![account.to_owned()],
        selectors: selectors(management(true, true)),
        s3_bucket_name: Some(format!("logs-{name}")),
        cloud_watch_logs: false,
    }
}

pub(super) fn data_rule(resource_type: ResourceType, selected: Selected) -> DataRule {
    DataRule {
        resource_type,
        read: true,
        write: true,
        scope: DataScope {
            selected,
            except: Vec::new(),
        },
        conditions: Vec::new(),
    }
}

pub(super) fn mgmt(account: &str, region: &str, read_only: bool, events: u64) -> Volume {
    Volume {
        account: account.to_owned(),
        region: region.to_owned(),
        class: EventClass::Management {
            read_only,
            event_source: None,
        },
        events_per_month: events,
        basis: Basis::Measured {
            window_secs: 30 * 86_400,
        },
    }
}

pub(super) fn data(account: &str, region: &str, t: ResourceType, resource: &str, n: u64) -> Volume {
    Volume {
        class: EventClass::Data {
            resource_type: t.as_str().to_owned(),
            read_only: false,
            resource: Some(resource.to_owned()),
        },
        ..mgmt(account, region, false, n)
    }
}

/// Inputs whose log files weigh nothing, so only CloudTrail's own lines cost money.
pub(super) fn inputs(trails: Vec<BillingTrail>, volumes: Vec<Volume>) -> Inputs {
    Inputs {
        trails,
        volumes,
        sizes: Vec::new(),
        default_size: EventSize {
            compressed_bytes: 0,
            uncompressed_bytes: 0,
            ..EventSize::assumed()
        },
    }
}

pub(super) fn item(e: &Estimate, item: LineItem) -> MicroUsd {
    e.items[item as usize].cost
}

fn trail_cost(e: &Estimate, name: &str) -> MicroUsd {
    e.trails
        .iter()
        .find(|t| t.name == name)
        .expect("trail")
        .cost
}

/// AWS's worked example on the CloudTrail pricing page, in our words: an account delivers its management
/// events to two trails and its data events to one; in a month it has 150,000 management events and two
/// million data events. The second copy costs 150,000 × $2.00/100k = $3.00, the data events 2,000,000 ×
/// $0.10/100k = $2.00, the first copy nothing.
#[test]
fn aws_pricing_page_example() {
    let mut with_data = trail("second", A, USE1);
    with_data.selectors.data = vec![data_rule(ResourceType::S3Object, Selected::All)];
    let e = estimate(
        &inputs(
            vec![trail("first", A, USE1), with_data],
            vec![
                mgmt(A, USE1, true, 100_000),
                mgmt(A, USE1, false, 50_000),
                data(A, USE1, ResourceType::S3Object, "photos", 2_000_000),
            ],
        ),
        &prices(),
        &[],
    );
    assert_eq!(item(&e, LineItem::FreeCopy), MicroUsd::ZERO);
    assert_eq!(item(&e, LineItem::PaidCopy), MicroUsd::from_cents(300));
    assert_eq!(item(&e, LineItem::DataEvents), MicroUsd::from_cents(200));
    assert_eq!(e.total, MicroUsd::from_cents(500));
    assert_eq!(e.total.display(), "$5.00");
    let paid = e
        .lines
        .iter()
        .find(|l| l.item == LineItem::PaidCopy)
        .expect("a paid line");
    assert_eq!(
        e.formula(paid),
        "second in us-east-1: 150k management events, 2nd copy → 150k × $2.00/100k = $3.00"
    );
}

/// Copies are counted per event class: (first trail, second trail, reads, writes) → paid copies cost.
#[test]
fn copies_are_counted_per_event_not_per_trail() {
    let cases: [(&str, Management, Management, MicroUsd); 4] = [
        // Read-only beside write-only: each kind has one delivery, nothing is paid.
        (
            "read-only beside write-only",
            management(true, false),
            management(false, true),
            MicroUsd::ZERO,
        ),
        // All beside read-only: the 300k reads are delivered twice → 300k × $2.00/100k = $6.00.
        (
            "all beside read-only",
            management(true, true),
            management(true, false),
            MicroUsd::from_cents(600),
        ),
        // All beside all: 400k events twice → $8.00.
        (
            "all beside all",
            management(true, true),
            management(true, true),
            MicroUsd::from_cents(800),
        ),
        // A trail logging no management events is no copy.
        (
            "all beside none",
            management(true, true),
            management(false, false),
            MicroUsd::ZERO,
        ),
    ];
    for (case, first, second, paid) in cases {
        let mut a = trail("a", A, USE1);
        a.selectors.management = first;
        let mut b = trail("b", A, USE1);
        b.selectors.management = second;
        let volumes = vec![mgmt(A, USE1, true, 300_000), mgmt(A, USE1, false, 100_000)];
        let e = estimate(&inputs(vec![a, b], volumes), &prices(), &[]);
        assert_eq!(item(&e, LineItem::PaidCopy), paid, "{case}");
        assert_eq!(e.total, paid, "{case}");
    }
}

/// Sources a trail leaves out (AWS KMS, RDS Data API) are not copies: 1M KMS reads + 100k other reads
/// beside a trail excluding KMS → only the 100k others are a second copy, $2.00.
#[test]
fn excluded_event_sources_are_not_delivered() {
    let mut b = trail("no-kms", A, USE1);
    b.selectors.management.excluded_sources = vec!["kms.amazonaws.com".to_owned()];
    let kms = Volume {
        class: EventClass::Management {
            read_only: true,
            event_source: Some("kms.amazonaws.com".to_owned()),
        },
        ..mgmt(A, USE1, true, 1_000_000)
    };
    let e = estimate(
        &inputs(
            vec![trail("all", A, USE1), b],
            vec![kms, mgmt(A, USE1, true, 100_000)],
        ),
        &prices(),
        &[],
    );
    assert_eq!(item(&e, LineItem::PaidCopy), MicroUsd::from_cents(200));
    assert_eq!(trail_cost(&e, "no-kms"), MicroUsd::from_cents(200));
}

/// A multi-Region trail is a copy in every Region; a single-Region trail beside it pays in its own Region
/// only; two single-Region trails in different Regions pay nothing.
#[test]
fn multi_region_and_single_region_trails() {
    let mut multi = trail("multi", A, USE1);
    multi.is_multi_region = true;
    let volumes = || vec![mgmt(A, USE1, false, 100_000), mgmt(A, USW2, false, 50_000)];
    // multi everywhere + single in us-west-2: 50k × $2.00/100k = $1.00, charged in us-west-2.
    let e = estimate(
        &inputs(vec![trail("west", A, USW2), multi], volumes()),
        &prices(),
        &[],
    );
    assert_eq!(e.total, MicroUsd::from_cents(100));
    assert_eq!(trail_cost(&e, "west"), MicroUsd::from_cents(100));
    let west = e.regions.iter().find(|r| r.name == USW2).expect("region");
    assert_eq!(west.cost, MicroUsd::from_cents(100));
    let free_in_west = e
        .lines
        .iter()
        .find(|l| l.item == LineItem::FreeCopy && e.regions[l.region].name == USW2);
    assert_eq!(
        free_in_west.map(|l| e.trails[l.trail].name.as_str()),
        Some("multi")
    );
    // Two single-Region trails in different Regions: each is the first copy where it logs.
    let e = estimate(
        &inputs(
            vec![trail("east", A, USE1), trail("west", A, USW2)],
            volumes(),
        ),
        &prices(),
        &[],
    );
    assert_eq!(e.total, MicroUsd::ZERO);
}

/// An organization trail is each member account's first copy; a member's own trail logging the same
/// events is a paid second copy charged to that member: 80k × $2.00/100k = $1.60 to account B.
#[test]
fn organization_trail_and_member_trail() {
    let mut org = trail("org", A, USE1);
    org.is_organization = true;
    org.is_multi_region = true;
    org.accounts = vec![A.to_owned(), B.to_owned()];
    let e = estimate(
        &inputs(
            vec![trail("member-own", B, USE1), org],
            vec![mgmt(A, USE1, false, 500_000), mgmt(B, USE1, false, 80_000)],
        ),
        &prices(),
        &[],
    );
    assert_eq!(e.total, MicroUsd::from_cents(160));
    assert_eq!(trail_cost(&e, "member-own"), MicroUsd::from_cents(160));
    let account = |id: &str| {
        e.accounts
            .iter()
            .find(|a| a.name == id)
            .expect("account")
            .cost
    };
    assert_eq!(account(B), MicroUsd::from_cents(160));
    assert_eq!(account(A), MicroUsd::ZERO);
}
