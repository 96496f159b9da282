//! The billing inputs measured from a real store: the demo archive ingested and its trails snapshot saved.
use super::*;
use crate::model::billing::{
    Basis, EventClass, LineItem, MicroUsd, PriceItem, ResourceTypeName, SavingKind,
};
use crate::ssr::demo::{DemoOptions, demo_trails, write_demo};
use crate::ssr::ingest::{IngestLimits, ingest_folder};
use crate::ssr::store::trail_snapshots::{SnapshotSource, save};

/// 2026-11-20T12:00:00Z, the demo's last moment and the estimate's "now".
const END: i64 = 1_795_694_400;
const PROD: &str = "123456789012";
const DUPLICATE: &str = "arn:aws:cloudtrail:us-west-2:123456789012:trail/security-team-copy";

fn demo_store(dir: &std::path::Path) -> Store {
    let archive = dir.join("archive");
    let options = DemoOptions {
        seed: 11,
        days: 7,
        events: 20_000,
        end: END,
    };
    write_demo(&archive, &options).expect("demo archive");
    let store = Store::open_in(&dir.join("data")).expect("store");
    ingest_folder(&store, &archive, &IngestLimits::default(), &mut |_| {}).expect("ingest");
    save(&store, SnapshotSource::Demo, &demo_trails(END)).expect("snapshot");
    store
}

fn one(store: &Store, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

/// The planted duplicate (`security-team-copy`, all management events in us-west-2 of the production
/// account, beside the multi-Region organization trail) is a saving of exactly its paid copies, worked out
/// here from the events table itself: the production account's us-west-2 management events in the window,
/// scaled from the window to 30 days, at $2.00 per 100,000 (S3 storage priced at $0 here, so the saving is
/// the copies alone; S3 lines have their own test).
#[test]
fn the_demo_duplicate_trail_saves_exactly_its_paid_copies() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    let settings = BillingSettings {
        price_overrides: vec![PriceOverride {
            item: PriceItem::S3Storage,
            region: None,
            price: MicroUsd::ZERO,
        }],
        entered: Vec::new(),
    };
    let report = report(&store, &settings, END, &[]).expect("report");

    let oldest = one(&store, "SELECT min(event_time) FROM events");
    let window = END - oldest.max(END.div_euclid(86_400) * 86_400 - 29 * 86_400);
    assert_eq!(report.window_secs, window);
    // Per class, as volumes are kept: reads and writes, KMS and RDS Data API apart from other sources.
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let mut stmt = conn
        .prepare(&format!(
            "SELECT count(*) FROM events e JOIN strings a ON a.id = e.account
             JOIN strings r ON r.id = e.region JOIN strings s ON s.id = e.event_source
             WHERE e.category = 0 AND a.value = '{PROD}' AND r.value = 'us-west-2'
             GROUP BY coalesce(e.read_only, 0),
                      CASE WHEN s.value IN ('kms.amazonaws.com', 'rdsdata.amazonaws.com') THEN s.value END"
        ))
        .expect("prepare");
    let per_class: Vec<i64> = stmt
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(
        per_class.iter().sum::<i64>() > 1_000,
        "the demo has management events there"
    );
    let window = i128::from(window);
    let per_month: i128 = per_class
        .iter()
        .map(|&n| (i128::from(n) * 30 * 86_400 + window / 2) / window)
        .sum();
    // $2.00 per 100,000 is 20 micro-dollars per event.
    let by_hand = MicroUsd(i64::try_from(per_month * 20).expect("fits"));

    let saving = report
        .savings
        .savings
        .iter()
        .find(|s| s.trail_arn == DUPLICATE)
        .expect("the duplicate is a saving");
    assert!(matches!(
        saving.kind,
        SavingKind::DuplicateManagementCopies { .. }
    ));
    assert_eq!(saving.monthly, by_hand);
    let paid: MicroUsd = report
        .estimate
        .lines
        .iter()
        .filter(|l| l.item == LineItem::PaidCopy)
        .map(|l| l.cost)
        .sum();
    assert_eq!(paid, by_hand, "it is the demo's only paid copy");
}

/// Volumes are measured per account, Region and class, with the window stated; KMS events are their own
/// class; data events name their bucket or function; an entered volume replaces the measured one and says
/// so; file sizes come from the archive.
#[test]
fn volumes_are_measured_by_class_and_entered_ones_win() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    let entered = Volume {
        account: PROD.to_owned(),
        region: "us-east-1".to_owned(),
        class: EventClass::Management {
            read_only: false,
            event_source: None,
        },
        events_per_month: 4_100_000,
        basis: Basis::Entered,
    };
    let settings = BillingSettings {
        price_overrides: Vec::new(),
        entered: vec![entered.clone()],
    };
    let (inputs, window, taken_at) = inputs(&store, &settings, END).expect("inputs");
    assert_eq!(taken_at, Some(END));
    assert!(window > 6 * 86_400 && window <= 7 * 86_400 + 60, "{window}");
    let same_key: Vec<&Volume> = inputs
        .volumes
        .iter()
        .filter(|v| {
            v.account == entered.account && v.region == entered.region && v.class == entered.class
        })
        .collect();
    assert_eq!(
        same_key,
        vec![&entered],
        "the entered figure replaces the measured one"
    );
    assert!(inputs.volumes.iter().any(|v| matches!(
        &v.class,
        EventClass::Management { event_source: Some(s), .. } if s == "kms.amazonaws.com"
    )));
    let s3: ResourceTypeName = "AWS::S3::Object".to_owned();
    let data: Vec<&Volume> = inputs
        .volumes
        .iter()
        .filter(|v| matches!(&v.class, EventClass::Data { resource_type, resource: Some(_), .. } if *resource_type == s3))
        .collect();
    assert!(!data.is_empty(), "S3 data events are counted per bucket");
    assert!(data.iter().all(|v| v.basis
        == Basis::Measured {
            window_secs: window
        }));
    assert!(
        !inputs.sizes.is_empty(),
        "sizes are measured from the archive"
    );
    let size = &inputs.sizes[0];
    assert!(
        size.uncompressed_bytes > size.compressed_bytes * 2,
        "gzip shrinks JSON: {size:?}"
    );
    assert_eq!(inputs.trails.len(), 7);
}
