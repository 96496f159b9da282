//! The model's speed at the size: 50 accounts × 17 Regions × 5 trails must evaluate well inside
//! one frame (16 ms) so what-if stays instant. Native figure here (printed); the WASM figure is measured in
//! the browser.
use super::*;
use std::time::Instant;

/// 50 accounts, 17 Regions, per account an organization trail (listed in every account), a multi-Region
/// trail, a read-only copy, a data trail and a single-Region trail with Insights; per cell management
/// reads and writes, KMS reads, and S3 data events on three buckets.
pub(in super::super) fn big_inputs() -> Inputs {
    let accounts: Vec<String> = (0..50)
        .map(|i| format!("{:012}", 100_000_000_000u64 + i))
        .collect();
    let regions: Vec<String> = (0..17).map(|i| format!("xx-region-{i}")).collect();
    let mut trails = Vec::new();
    let mut volumes = Vec::new();
    let mut org = trail("org", &accounts[0], &regions[0]);
    org.is_organization = true;
    org.is_multi_region = true;
    org.accounts = accounts.clone();
    trails.push(org);
    for account in &accounts {
        let mut multi = trail("multi", account, &regions[0]);
        multi.is_multi_region = true;
        let mut reads = trail("reads", account, &regions[1]);
        reads.is_multi_region = true;
        reads.selectors.management = management(true, false);
        let mut data_trail = trail("data", account, &regions[2]);
        data_trail.is_multi_region = true;
        data_trail.selectors.data = vec![data_rule(ResourceType::S3Object, Selected::All)];
        let mut single = trail("single", account, &regions[3]);
        single.selectors.insights = vec![InsightRule {
            insight_type: InsightType::ApiCallRate,
            categories: vec![InsightCategory::Management],
        }];
        single.cloud_watch_logs = true;
        trails.extend([multi, reads, data_trail, single]);
        for (r, region) in regions.iter().enumerate() {
            let n = 10_000 * (r as u64 + 1);
            volumes.push(mgmt(account, region, true, n * 3));
            volumes.push(mgmt(account, region, false, n));
            volumes.push(Volume {
                class: EventClass::Management {
                    read_only: true,
                    event_source: Some("kms.amazonaws.com".to_owned()),
                },
                ..mgmt(account, region, true, n * 20)
            });
            for bucket in ["lake", "web", "logs"] {
                volumes.push(data(account, region, ResourceType::S3Object, bucket, n * 7));
            }
        }
    }
    inputs(trails, volumes)
}

/// Prints the native timings BENCHMARKS.md records; a bench, not a test (tests never assert timings), so it is
/// left out of `make test`: `cargo test --release -p app --lib billing::tests::bench -- --ignored --nocapture`.
#[test]
#[ignore = "a bench: run with --ignored --nocapture"]
fn fifty_accounts_seventeen_regions_five_trails_in_one_frame() {
    let i = big_inputs();
    let p = prices();
    let _warm = estimate(&i, &p, &[]);
    let runs = 5;
    let started = Instant::now();
    let mut e = None;
    for _ in 0..runs {
        e = Some(estimate(&i, &p, &[]));
    }
    let per_estimate = started.elapsed() / runs;
    let e = e.expect("ran");
    let started = Instant::now();
    let s = savings(&i, &p, &[], &e);
    let savings_took = started.elapsed();
    println!(
        "billing model, 50 accounts × 17 Regions × {} trails, {} volumes: estimate {:.2} ms ({} lines), \
         savings {:.2} ms ({} proposals re-run)",
        i.trails.len(),
        i.volumes.len(),
        per_estimate.as_secs_f64() * 1e3,
        e.lines.len(),
        savings_took.as_secs_f64() * 1e3,
        s.savings.len()
    );
    assert!(e.total > MicroUsd::ZERO);
}
