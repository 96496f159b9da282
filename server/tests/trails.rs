//! Trail configuration through the real AWS SDK against moto: trails created with the SDK, then read back by
//! `trailscope trails` (DescribeTrails with shadow trails, GetTrailStatus, Get*Selectors) and judged.
mod common;
#[path = "common/moto.rs"]
mod moto;

use app::model::selectors::{ResourceMatch, Selected};
use app::model::trails::analysis::{CoverageState, GapKind, matrix, trail_detail};
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, InsightSelector,
    InsightType, ReadWriteType,
};
use moto::Moto;

const ACCOUNT: &str = "123456789012";

fn field(name: &str, equals: &[&str]) -> AdvancedFieldSelector {
    let mut f = AdvancedFieldSelector::builder().field(name);
    for value in equals {
        f = f.equals(*value);
    }
    f.build().expect("field selector")
}

/// Three trails: an all-Region one with every S3 object as data events, a stopped single-Region one with
/// advanced selectors and validation off, and a second us-east-1 one with Insights (a duplicate copy of
/// management events there).
async fn create_trails(moto: &Moto) {
    moto.create_bucket("trail-bucket");
    let east = moto.cloudtrail("us-east-1");
    east.create_trail()
        .name("org-wide")
        .s3_bucket_name("trail-bucket")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .expect("create org-wide");
    east.start_logging()
        .name("org-wide")
        .send()
        .await
        .expect("start");
    east.put_event_selectors()
        .trail_name("org-wide")
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::All)
                .include_management_events(true)
                .data_resources(
                    DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values("arn:aws:s3")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("basic selectors");

    east.create_trail()
        .name("insights")
        .s3_bucket_name("trail-bucket")
        .send()
        .await
        .expect("create insights");
    east.start_logging()
        .name("insights")
        .send()
        .await
        .expect("start");
    east.put_insight_selectors()
        .trail_name("insights")
        .insight_selectors(
            InsightSelector::builder()
                .insight_type(InsightType::ApiCallRateInsight)
                .build(),
        )
        .send()
        .await
        .expect("insight selectors");

    let eu = moto.cloudtrail("eu-west-1");
    eu.create_trail()
        .name("eu-local")
        .s3_bucket_name("trail-bucket")
        .send()
        .await
        .expect("create eu-local");
    eu.put_event_selectors()
        .trail_name("eu-local")
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .name("Write management events")
                .field_selectors(field("eventCategory", &["Management"]))
                .field_selectors(field("readOnly", &["false"]))
                .build()
                .expect("advanced"),
        )
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .name("Audit bucket writes")
                .field_selectors(field("eventCategory", &["Data"]))
                .field_selectors(field("resources.type", &["AWS::S3::Object"]))
                .field_selectors(field("readOnly", &["false"]))
                .field_selectors(
                    AdvancedFieldSelector::builder()
                        .field("resources.ARN")
                        .starts_with("arn:aws:s3:::audit-bucket/")
                        .build()
                        .expect("field"),
                )
                .build()
                .expect("advanced"),
        )
        .send()
        .await
        .expect("advanced selectors");
}

/// `trailscope trails` for three Regions of moto's account; its output.
fn read_trails(moto: &Moto, data: &std::path::Path) -> String {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["--data-dir", data.to_str().expect("utf-8"), "trails"])
        .args([
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--region",
            "ap-south-1",
        ])
        .envs(moto.sdk_env())
        .output()
        .expect("trailscope trails runs");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trails_read_from_aws_show_coverage_gaps_and_decoded_selectors() {
    let moto = Moto::start();
    create_trails(&moto).await;
    let data = tempfile::tempdir().expect("tmp");
    let stdout = read_trails(&moto, data.path());
    assert!(stdout.contains("ap-south-1"), "{stdout}");

    let store = app::ssr::store::Store::open_in(data.path()).expect("store");
    let snapshot = app::ssr::store::trail_snapshots::latest(&store)
        .expect("read")
        .expect("a snapshot was stored");
    let coverage = matrix(&snapshot);
    let state = |region: &str| {
        coverage
            .cells
            .iter()
            .find(|c| c.account == ACCOUNT && c.region == region)
            .map(|c| c.state)
    };
    for region in ["us-east-1", "eu-west-1", "ap-south-1"] {
        assert_eq!(
            state(region),
            Some(CoverageState::Covered),
            "{region}: the all-Region trail logs everywhere: {:#?}",
            coverage.cells.iter().find(|c| c.region == region)
        );
    }
    let cell = |region: &str| {
        coverage
            .cells
            .iter()
            .find(|c| c.region == region)
            .expect("cell")
    };
    let names = |region: &str| -> Vec<String> {
        let mut n: Vec<String> = cell(region).trails.iter().map(|t| t.name.clone()).collect();
        n.sort();
        n
    };
    assert_eq!(names("ap-south-1"), ["org-wide"], "its shadow");
    assert_eq!(names("eu-west-1"), ["eu-local", "org-wide"]);
    assert_eq!(names("us-east-1"), ["insights", "org-wide"]);

    let kinds: Vec<(GapKind, Option<&str>)> = coverage
        .gaps
        .iter()
        .map(|g| (g.kind, g.region.as_deref()))
        .collect();
    assert!(
        kinds.contains(&(GapKind::DuplicateManagementEvents, Some("us-east-1"))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(GapKind::TrailStopped, Some("eu-west-1"))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(GapKind::ValidationOff, Some("eu-west-1"))),
        "{kinds:?}"
    );
    let cis = |control: &str| {
        coverage
            .cis
            .iter()
            .find(|c| c.control == control)
            .map(|c| c.passed)
    };
    assert_eq!(cis("3.1"), Some(true), "{:?}", coverage.cis);
    assert_eq!(
        cis("3.2"),
        Some(true),
        "validation is on for the all-Region trail"
    );

    let org = trail_detail(
        &snapshot,
        &format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org-wide"),
    )
    .expect("org-wide detail");
    assert!(org.decoded.logs_all_management_events());
    assert_eq!(org.decoded.logs_s3_data_events(), (true, true));
    let eu = trail_detail(
        &snapshot,
        &format!("arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/eu-local"),
    )
    .expect("eu-local detail");
    assert!(!eu.decoded.management.read && eu.decoded.management.write);
    assert_eq!(eu.decoded.data.len(), 1);
    assert!(eu.decoded.data[0].write && !eu.decoded.data[0].read);
    assert_eq!(
        eu.decoded.data[0].scope.selected,
        Selected::Any(vec![ResourceMatch::Bucket("audit-bucket".to_owned())]),
        "{:?}",
        eu.decoded.data[0]
    );
    let insights = trail_detail(
        &snapshot,
        &format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/insights"),
    )
    .expect("insights detail");
    assert_eq!(
        insights.decoded.insights.len(),
        1,
        "{:?}",
        insights.decoded.insights
    );
    assert!(insights.status.is_some_and(|s| s.is_logging));

    // The all-Region trail is stopped: the next refresh says so, and eu-west-1 loses its only logging trail.
    moto.cloudtrail("us-east-1")
        .stop_logging()
        .name("org-wide")
        .send()
        .await
        .expect("stop");
    read_trails(&moto, data.path());
    let snapshots = app::ssr::store::trail_snapshots::newest(&store, 2).expect("read");
    let diff = app::model::trails::changes::changes(&snapshots[0], &snapshots[1]);
    assert_eq!(diff.changes, ["Trail org-wide stopped logging."]);
    let coverage = matrix(&snapshots[1]);
    let eu = coverage
        .cells
        .iter()
        .find(|c| c.region == "eu-west-1")
        .expect("cell");
    assert_eq!(eu.state, CoverageState::NotCovered);
}
