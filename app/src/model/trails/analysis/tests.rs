//! Small snapshots written in CloudTrail's wire shapes (DescribeTrails, GetTrailStatus,
//! GetEventSelectors), checked for what a user of the Trails page would see.
mod cis;
mod copies;
mod coverage;
mod detail;
use super::*;
use crate::model::trails::TrailRecord;
use serde_json::{Value, json};

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;
const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// The organization's management account and a member.
const MGMT: &str = "111111111111";
const MEMBER: &str = "222222222222";

/// One trail as the collector stores it: by default a single-Region trail with log file validation
/// and a KMS key, logging since 30 days, last delivery 4 minutes ago, default selectors.
#[derive(Clone)]
struct T {
    trail: Value,
    status: Value,
    status_error: Option<&'static str>,
    events: Value,
    selectors_error: Option<&'static str>,
}

fn trail(account: &str, home: &str, name: &str) -> T {
    T {
        trail: json!({
            "Name": name,
            "TrailARN": format!("arn:aws:cloudtrail:{home}:{account}:trail/{name}"),
            "HomeRegion": home,
            "S3BucketName": "trail-bucket",
            "IncludeGlobalServiceEvents": true,
            "IsMultiRegionTrail": false,
            "IsOrganizationTrail": false,
            "LogFileValidationEnabled": true,
            "KmsKeyId": format!("arn:aws:kms:{home}:{account}:key/1234abcd-12ab-34cd-56ef-123456"),
            "HasCustomEventSelectors": false,
            "HasInsightSelectors": false,
            "CloudWatchLogsLogGroupArn": null,
            "CloudWatchLogsRoleArn": null
        }),
        status: json!({
            "IsLogging": true,
            "LatestDeliveryTime": (NOW - 4 * MINUTE) as f64 + 0.869,
            "StartLoggingTime": NOW - 30 * DAY
        }),
        status_error: None,
        events: json!({}),
        selectors_error: None,
    }
}

impl T {
    fn multi(self) -> Self {
        self.set("IsMultiRegionTrail", json!(true))
    }

    fn organization(self) -> Self {
        self.multi().set("IsOrganizationTrail", json!(true))
    }

    /// A DescribeTrails member.
    fn set(mut self, member: &str, value: Value) -> Self {
        self.trail[member] = value;
        self
    }

    /// A GetTrailStatus member.
    fn status(mut self, member: &str, value: Value) -> Self {
        self.status[member] = value;
        self
    }

    fn stopped(self) -> Self {
        self.status("IsLogging", json!(false))
            .status("StopLoggingTime", json!(NOW - 3 * DAY))
    }

    fn delivered(self, secs_ago: i64) -> Self {
        self.status("LatestDeliveryTime", json!(NOW - secs_ago))
    }

    fn never_delivered(mut self) -> Self {
        if let Some(status) = self.status.as_object_mut() {
            status.remove("LatestDeliveryTime");
        }
        self
    }

    fn status_failed(mut self, error: &'static str) -> Self {
        self.status = Value::Null;
        self.status_error = Some(error);
        self
    }

    /// A GetEventSelectors answer.
    fn selectors(mut self, events: &str) -> Self {
        self.events = serde_json::from_str(events).expect("selectors JSON");
        self
    }

    fn selectors_failed(mut self, error: &'static str) -> Self {
        self.events = json!({});
        self.selectors_error = Some(error);
        self
    }

    fn arn(&self) -> String {
        self.trail["TrailARN"]
            .as_str()
            .expect("TrailARN")
            .to_owned()
    }

    fn record(&self) -> Value {
        json!({
            "trail": self.trail,
            "status": self.status,
            "status_error": self.status_error,
            "event_selectors": self.events,
            "insight_selectors": {},
            "selectors_error": self.selectors_error
        })
    }
}

/// The Regions of a collection run, in the order they are added.
#[derive(Default)]
struct Snapshot {
    regions: Vec<Value>,
}

impl Snapshot {
    fn ok(mut self, account: &str, region: &str, trails: &[&T]) -> Self {
        let trails: Vec<Value> = trails.iter().map(|t| t.record()).collect();
        self.regions
            .push(json!({"account": account, "region": region,
            "outcome": {"state": "ok"}, "trails": trails}));
        self
    }

    /// `trails` listed in each of `regions`.
    fn everywhere(self, account: &str, regions: &[&str], trails: &[&T]) -> Self {
        regions.iter().fold(self, |snapshot, region| {
            snapshot.ok(account, region, trails)
        })
    }

    fn not_enabled(mut self, account: &str, region: &str) -> Self {
        self.regions
            .push(json!({"account": account, "region": region,
            "outcome": {"state": "not_enabled"}, "trails": []}));
        self
    }

    fn failed(mut self, account: &str, region: &str, error: &str) -> Self {
        self.regions
            .push(json!({"account": account, "region": region,
            "outcome": {"state": "failed", "error": error}, "trails": []}));
        self
    }

    fn build(&self) -> TrailsSnapshot {
        serde_json::from_value(json!({"taken_at": NOW, "regions": self.regions}))
            .expect("snapshot JSON")
    }

    fn matrix(&self) -> TrailMatrix {
        matrix(&self.build())
    }
}

const REGIONS: [&str; 3] = ["eu-west-1", "us-east-1", "us-west-2"];
const WRITE_ONLY: &str = r#"{"EventSelectors": [{"ReadWriteType": "WriteOnly"}]}"#;
const READ_ONLY: &str = r#"{"EventSelectors": [{"ReadWriteType": "ReadOnly"}]}"#;
const S3_ONLY: &str = r#"{"EventSelectors": [{"ReadWriteType": "All",
    "IncludeManagementEvents": false,
    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}"#;

fn cell<'m>(matrix: &'m TrailMatrix, account: &str, region: &str) -> &'m MatrixCell {
    matrix
        .cells
        .iter()
        .find(|c| c.account == account && c.region == region)
        .expect("cell")
}

fn states(matrix: &TrailMatrix) -> Vec<(&str, &str, CoverageState)> {
    matrix
        .cells
        .iter()
        .map(|c| (c.account.as_str(), c.region.as_str(), c.state))
        .collect()
}

/// (kind, account, Region) of every gap, in order.
fn gap_list(matrix: &TrailMatrix) -> Vec<(GapKind, &str, Option<&str>)> {
    matrix
        .gaps
        .iter()
        .map(|g| (g.kind, g.account.as_str(), g.region.as_deref()))
        .collect()
}

fn gap(matrix: &TrailMatrix, kind: GapKind) -> &Gap {
    let mut found = matrix.gaps.iter().filter(|g| g.kind == kind);
    let gap = found.next().expect("a gap of this kind");
    assert!(
        found.next().is_none(),
        "one {kind:?} gap: {:#?}",
        matrix.gaps
    );
    gap
}

fn cis<'m>(matrix: &'m TrailMatrix, account: &str, control: &str) -> &'m CisCheck {
    matrix
        .cis
        .iter()
        .find(|c| c.account == account && c.control == control)
        .expect("CIS check")
}

fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in {text:?}");
}

#[test]
fn gaps_are_sorted_by_account_region_and_kind() {
    let main = trail(MGMT, "us-east-1", "main")
        .multi()
        .set("LogFileValidationEnabled", json!(false))
        .status("LatestDeliveryError", json!("AccessDenied"));
    let old = trail(MEMBER, "us-west-2", "old").stopped();
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&main])
        .failed(MGMT, "eu-west-1", "timeout")
        .ok(MEMBER, "us-west-2", &[&old])
        .ok(MEMBER, "us-east-1", &[&trail(MEMBER, "us-east-1", "fresh")])
        .matrix();

    assert_eq!(
        gap_list(&m),
        [
            (GapKind::RegionFailed, MGMT, Some("eu-west-1")),
            (GapKind::DeliveryError, MGMT, Some("us-east-1")),
            (GapKind::ValidationOff, MGMT, Some("us-east-1")),
            (GapKind::NoLoggingTrail, MEMBER, Some("us-west-2")),
            (GapKind::TrailStopped, MEMBER, Some("us-west-2")),
        ]
    );
}

#[test]
fn the_matrix_travels_as_json() {
    let main =
        trail(MGMT, "us-east-1", "main").status("LatestDeliveryError", json!("AccessDenied"));
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&main])
        .ok(MGMT, "us-west-2", &[])
        .matrix();

    let wire = serde_json::to_value(&m).expect("serializes");
    assert_eq!(wire["cells"][0]["state"], "covered_with_errors");
    assert_eq!(wire["gaps"][0]["kind"], "delivery_error");
    assert_eq!(
        serde_json::from_value::<TrailMatrix>(wire).expect("deserializes"),
        m
    );
    let labels = [
        CoverageState::Covered,
        CoverageState::CoveredWithErrors,
        CoverageState::StaleDelivery,
        CoverageState::NotCovered,
        CoverageState::NotEnabled,
        CoverageState::Unknown,
    ]
    .map(CoverageState::label);
    assert_eq!(
        labels,
        [
            "covered",
            "covered with errors",
            "stale delivery",
            "not covered",
            "Region not enabled",
            "unknown"
        ]
    );
}
