//! Small snapshots written in CloudTrail's wire shapes (DescribeTrails, GetTrailStatus,
//! GetEventSelectors), checked for what a user of the Trails page would see.
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
fn a_multi_region_trail_covers_every_region_through_its_shadows() {
    let main = trail(MGMT, "us-east-1", "main").multi();
    let m = Snapshot::default()
        .everywhere(MGMT, &REGIONS, &[&main])
        .matrix();

    assert_eq!(m.accounts, [MGMT]);
    assert_eq!(m.regions, REGIONS);
    assert_eq!(
        states(&m),
        REGIONS.map(|r| (MGMT, r, CoverageState::Covered))
    );
    let shadows: Vec<bool> = m.cells.iter().map(|c| c.trails[0].is_shadow).collect();
    assert_eq!(shadows, [true, false, true]);
    let shadow = &cell(&m, MGMT, "us-west-2").trails[0];
    assert_eq!(shadow.home_region, "us-east-1");
    assert_eq!(shadow.last_delivery_age_secs, Some(4 * MINUTE));
    assert!(shadow.problems.is_empty(), "{:?}", shadow.problems);
    assert_eq!(
        cell(&m, MGMT, "us-west-2").summary,
        "Logged by main (multi-Region); last delivery 4 min ago"
    );
    assert!(m.gaps.is_empty(), "{:#?}", m.gaps);
}

#[test]
fn regions_not_enabled_failed_or_without_a_trail() {
    let main = trail(MGMT, "us-east-1", "main");
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&main])
        .not_enabled(MGMT, "ap-east-1")
        .failed(
            MGMT,
            "eu-west-1",
            "AccessDeniedException: not authorized to DescribeTrails",
        )
        .ok(MGMT, "us-west-2", &[])
        .matrix();

    assert_eq!(
        states(&m),
        [
            (MGMT, "ap-east-1", CoverageState::NotEnabled),
            (MGMT, "eu-west-1", CoverageState::Unknown),
            (MGMT, "us-east-1", CoverageState::Covered),
            (MGMT, "us-west-2", CoverageState::NotCovered),
        ]
    );
    assert_eq!(
        cell(&m, MGMT, "us-west-2").summary,
        "No trail logs management events here"
    );
    assert_contains(
        &cell(&m, MGMT, "eu-west-1").summary,
        "AccessDeniedException",
    );
    // Nothing for the Region that is not enabled.
    assert_eq!(
        gap_list(&m),
        [
            (GapKind::RegionFailed, MGMT, Some("eu-west-1")),
            (GapKind::NoLoggingTrail, MGMT, Some("us-west-2")),
        ]
    );
    assert_contains(
        &gap(&m, GapKind::RegionFailed).message,
        "Coverage in eu-west-1 of account 111111111111 is unknown: AccessDeniedException",
    );
}

#[test]
fn an_account_without_any_trail_is_one_account_wide_gap() {
    let main = trail(MGMT, "us-east-1", "main").multi();
    let m = Snapshot::default()
        .everywhere(MGMT, &REGIONS, &[&main])
        .everywhere(MEMBER, &REGIONS, &[])
        .not_enabled(MEMBER, "me-south-1")
        .matrix();

    assert_eq!(gap_list(&m), [(GapKind::NoLoggingTrail, MEMBER, None)]);
    assert_contains(
        &m.gaps[0].message,
        "in any Region of account 222222222222 that could be read (eu-west-1, us-east-1 and \
         us-west-2)",
    );
    let check = cis(&m, MEMBER, "3.1");
    assert!(!check.passed);
    assert_eq!(check.reason, "No trail covers this account.");
    assert_contains(&check.fix, "aws cloudtrail create-trail");
}

#[test]
fn some_regions_uncovered_are_named_in_one_gap() {
    let main = trail(MGMT, "us-east-1", "main");
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&main])
        .ok(MGMT, "eu-west-1", &[])
        .ok(MGMT, "us-west-2", &[])
        .matrix();

    assert_eq!(gap_list(&m), [(GapKind::NoLoggingTrail, MGMT, None)]);
    assert_eq!(
        m.gaps[0].message,
        "No trail logs management events in 2 Regions (eu-west-1 and us-west-2) of account \
         111111111111, so activity there is not recorded."
    );
}

#[test]
fn a_stopped_trail_leaves_its_region_uncovered() {
    let main = trail(MGMT, "us-east-1", "main").stopped();
    let m = Snapshot::default().ok(MGMT, "us-east-1", &[&main]).matrix();

    let here = cell(&m, MGMT, "us-east-1");
    assert_eq!(here.state, CoverageState::NotCovered);
    assert_eq!(
        here.summary,
        "No trail logs management events here: main is not logging"
    );
    assert!(!here.trails[0].is_logging);
    assert_eq!(
        here.trails[0].problems,
        ["Not logging: stopped 3 days ago."]
    );
    assert_eq!(
        gap_list(&m),
        [
            (GapKind::NoLoggingTrail, MGMT, None),
            (GapKind::TrailStopped, MGMT, Some("us-east-1")),
        ]
    );
    let stopped = gap(&m, GapKind::TrailStopped);
    assert_eq!(stopped.trail_arn.as_deref(), Some(main.arn().as_str()));
    assert_contains(&stopped.message, "(stopped 3 days ago)");
    assert_contains(
        &stopped.message,
        "aws cloudtrail start-logging --name main --region us-east-1",
    );
}

#[test]
fn delivery_older_than_an_hour_is_stale() {
    struct Case {
        name: &'static str,
        trail: T,
        state: CoverageState,
        summary: &'static str,
    }
    let main = || trail(MGMT, "us-east-1", "main");
    let cases = [
        Case {
            name: "delivered 2 h ago",
            trail: main().delivered(2 * HOUR),
            state: CoverageState::StaleDelivery,
            summary: "Logged by main (single-Region), but the last log file was delivered 2 h ago",
        },
        Case {
            name: "delivered 59 min ago",
            trail: main().delivered(59 * MINUTE),
            state: CoverageState::Covered,
            summary: "Logged by main (single-Region); last delivery 59 min ago",
        },
        Case {
            name: "never delivered, logging for 30 days",
            trail: main().never_delivered(),
            state: CoverageState::StaleDelivery,
            summary: "Logged by main (single-Region), but no log file has been delivered",
        },
        Case {
            name: "never delivered, started 10 min ago",
            trail: main()
                .never_delivered()
                .status("StartLoggingTime", json!(NOW - 10 * MINUTE)),
            state: CoverageState::Covered,
            summary: "Logged by main (single-Region); no log file delivered yet",
        },
    ];
    for case in cases {
        let m = Snapshot::default()
            .ok(MGMT, "us-east-1", &[&case.trail])
            .matrix();
        let here = cell(&m, MGMT, "us-east-1");
        assert_eq!(here.state, case.state, "{}", case.name);
        assert_eq!(here.summary, case.summary, "{}", case.name);
        let stale_gaps = m
            .gaps
            .iter()
            .filter(|g| g.kind == GapKind::StaleDelivery)
            .count();
        let expected = usize::from(case.state == CoverageState::StaleDelivery);
        assert_eq!(stale_gaps, expected, "{}", case.name);
    }

    let stale = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&main().delivered(2 * HOUR)])
        .matrix();
    assert_contains(
        &gap(&stale, GapKind::StaleDelivery).message,
        "main delivered no log file for over an hour in us-east-1 of account 111111111111 (last \
         delivery: 2 h ago)",
    );
}

#[test]
fn delivery_errors_make_a_covered_region_covered_with_errors() {
    struct Case {
        name: &'static str,
        trail: T,
        state: CoverageState,
        /// The DeliveryError gap's message contains this; `None`: no such gap.
        gap: Option<&'static str>,
    }
    let main = || trail(MGMT, "us-east-1", "main");
    let cases = [
        Case {
            name: "S3 bucket policy denies CloudTrail",
            trail: main().status("LatestDeliveryError", json!("AccessDenied")),
            state: CoverageState::CoveredWithErrors,
            gap: Some(
                "main: log file delivery to S3 failed with AccessDenied in us-east-1 of account \
                 111111111111; check that the policy of bucket trail-bucket",
            ),
        },
        Case {
            name: "digest error with validation on",
            trail: main().status("LatestDigestDeliveryError", json!("AccessDenied")),
            state: CoverageState::CoveredWithErrors,
            gap: Some("main: digest file delivery failed with AccessDenied"),
        },
        Case {
            name: "digest error with validation off is not a delivery error",
            trail: main()
                .set("LogFileValidationEnabled", json!(false))
                .status("LatestDigestDeliveryError", json!("AccessDenied")),
            state: CoverageState::Covered,
            gap: None,
        },
        Case {
            name: "CloudWatch Logs role cannot write",
            trail: main()
                .set(
                    "CloudWatchLogsLogGroupArn",
                    json!("arn:aws:logs:us-east-1:111111111111:log-group:ct"),
                )
                .status(
                    "LatestCloudWatchLogsDeliveryError",
                    json!("AccessDeniedException"),
                ),
            state: CoverageState::CoveredWithErrors,
            gap: Some("main: CloudWatch Logs delivery failed with AccessDeniedException"),
        },
        Case {
            name: "an empty error string (moto) is no error",
            trail: main().status("LatestDeliveryError", json!("")),
            state: CoverageState::Covered,
            gap: None,
        },
    ];
    for case in cases {
        let m = Snapshot::default()
            .ok(MGMT, "us-east-1", &[&case.trail])
            .matrix();
        let here = cell(&m, MGMT, "us-east-1");
        assert_eq!(here.state, case.state, "{}", case.name);
        let errors: Vec<&Gap> = m
            .gaps
            .iter()
            .filter(|g| g.kind == GapKind::DeliveryError)
            .collect();
        match case.gap {
            Some(message) => {
                assert_eq!(errors.len(), 1, "{}: {errors:#?}", case.name);
                assert_contains(&errors[0].message, message);
                assert_eq!(
                    errors[0].region.as_deref(),
                    Some("us-east-1"),
                    "{}",
                    case.name
                );
            }
            None => assert!(errors.is_empty(), "{}: {errors:#?}", case.name),
        }
    }

    let m = Snapshot::default()
        .ok(
            MGMT,
            "us-east-1",
            &[&main().status("LatestDeliveryError", json!("AccessDenied"))],
        )
        .matrix();
    assert_eq!(
        cell(&m, MGMT, "us-east-1").summary,
        "Logged by main (single-Region); last delivery 4 min ago; main: log file delivery to S3 \
         failed (AccessDenied)"
    );
    assert_eq!(
        cell(&m, MGMT, "us-east-1").trails[0].problems,
        ["Log file delivery to S3 failed: AccessDenied."]
    );
}

#[test]
fn one_delivery_error_in_every_region_is_one_gap() {
    let main = trail(MGMT, "us-east-1", "main")
        .multi()
        .status("LatestDeliveryError", json!("NoSuchBucket"));
    let m = Snapshot::default()
        .everywhere(MGMT, &REGIONS, &[&main])
        .matrix();

    assert_eq!(gap_list(&m), [(GapKind::DeliveryError, MGMT, None)]);
    assert_contains(
        &m.gaps[0].message,
        "failed with NoSuchBucket in 3 Regions (eu-west-1, us-east-1 and us-west-2)",
    );
    assert_eq!(m.gaps[0].trail_arn.as_deref(), Some(main.arn().as_str()));
}

#[test]
fn two_trails_recording_management_events_in_a_region_are_billed_twice() {
    let main = trail(MGMT, "us-east-1", "main").multi();
    let audit = trail(MGMT, "us-east-1", "audit");
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&main, &audit])
        .ok(MGMT, "us-west-2", &[&main])
        .matrix();

    assert_eq!(
        gap_list(&m),
        [(GapKind::DuplicateManagementEvents, MGMT, Some("us-east-1"))]
    );
    assert_eq!(
        m.gaps[0].message,
        "main and audit both record management events in us-east-1 of account 111111111111: the \
         first copy is free, the extra copy is billed at $2.00 per 100,000 management events."
    );
    assert_eq!(
        cell(&m, MGMT, "us-east-1").summary,
        "Logged by main (multi-Region) and audit (single-Region); last delivery 4 min ago"
    );

    // Read-only and write-only trails record different events: no copy.
    let reads = trail(MGMT, "us-east-1", "reads").selectors(READ_ONLY);
    let writes = trail(MGMT, "us-east-1", "writes").selectors(WRITE_ONLY);
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&reads, &writes])
        .matrix();
    assert!(m.gaps.is_empty(), "{:#?}", m.gaps);
}

#[test]
fn an_organization_trail_covers_member_accounts() {
    let org = trail(MGMT, "us-east-1", "org-trail").organization();
    let m = Snapshot::default()
        .everywhere(MGMT, &REGIONS, &[&org])
        .everywhere(MEMBER, &REGIONS, &[&org])
        .matrix();

    assert!(
        states(&m)
            .iter()
            .all(|(_, _, s)| *s == CoverageState::Covered)
    );
    let member_home = cell(&m, MEMBER, "us-east-1");
    assert!(member_home.trails[0].is_shadow, "another account's trail");
    assert!(member_home.trails[0].is_organization);
    assert_eq!(
        member_home.summary,
        "Logged by org-trail (organization trail, multi-Region); last delivery 4 min ago"
    );
    assert!(m.gaps.is_empty(), "{:#?}", m.gaps);
    let check = cis(&m, MEMBER, "3.1");
    assert!(check.passed);
    assert_eq!(
        check.reason,
        "org-trail (organization trail of account 111111111111) is multi-Region, logging and \
         recording all management events."
    );

    // Its owner fixes it.
    let unencrypted = org.set("KmsKeyId", Value::Null);
    let m = Snapshot::default()
        .everywhere(MGMT, &REGIONS, &[&unencrypted])
        .everywhere(MEMBER, &REGIONS, &[&unencrypted])
        .matrix();
    let check = cis(&m, MEMBER, "3.5");
    assert!(!check.passed);
    assert_contains(
        &check.fix,
        "In account 111111111111 (the trail's owner), encrypt org-trail's log files with a KMS key",
    );
    assert_contains(
        &check.fix,
        "aws cloudtrail update-trail --name org-trail --region us-east-1 --kms-key-id",
    );
}

#[test]
fn a_member_trail_next_to_the_organization_trail_is_a_paid_copy() {
    let org = trail(MGMT, "us-east-1", "org-trail").organization();
    let own = trail(MEMBER, "eu-west-1", "own").multi();
    let m = Snapshot::default()
        .everywhere(MGMT, &REGIONS, &[&org])
        .everywhere(MEMBER, &REGIONS, &[&org, &own])
        .matrix();

    assert_eq!(
        gap_list(&m),
        [(GapKind::DuplicateManagementEvents, MEMBER, None)]
    );
    assert_contains(
        &m.gaps[0].message,
        "org-trail and own both record management events in 3 Regions",
    );
}

#[test]
fn a_data_events_only_trail_is_no_coverage() {
    let data = trail(MGMT, "us-east-1", "data").selectors(S3_ONLY);
    let m = Snapshot::default().ok(MGMT, "us-east-1", &[&data]).matrix();

    let here = cell(&m, MGMT, "us-east-1");
    assert_eq!(here.state, CoverageState::NotCovered);
    assert_eq!(
        here.summary,
        "No trail logs management events here: data records no management events"
    );
    assert!(here.trails[0].is_logging);
    assert!(!here.trails[0].logs_management_events);
    assert_eq!(
        here.trails[0].problems,
        [
            "Records no management events (only data or network activity events), so it covers no \
          Region."
        ]
    );
    assert_eq!(gap_list(&m), [(GapKind::NoLoggingTrail, MGMT, None)]);
}

#[test]
fn partial_management_events_still_cover_but_say_so() {
    let main = trail(MGMT, "us-east-1", "main").selectors(WRITE_ONLY);
    let m = Snapshot::default().ok(MGMT, "us-east-1", &[&main]).matrix();

    let here = cell(&m, MGMT, "us-east-1");
    assert_eq!(here.state, CoverageState::Covered);
    assert_eq!(
        here.summary,
        "Logged by main (single-Region, write-only management events); last delivery 4 min ago"
    );
    assert_eq!(
        here.trails[0].problems,
        ["Records write-only management events, not all management events."]
    );
    assert!(m.gaps.is_empty(), "{:#?}", m.gaps);
}

#[test]
fn four_trails_at_home_in_a_region_near_the_quota() {
    let home = |count: usize| -> Vec<T> {
        (1..=count)
            .map(|n| trail(MGMT, "us-east-1", &format!("t{n}")))
            .collect()
    };
    // Shadows do not count: these are at home in us-west-2.
    let shadows = [
        trail(MGMT, "us-west-2", "s1").multi(),
        trail(MGMT, "us-west-2", "s2").multi(),
    ];
    for (count, expected) in [
        (3, None),
        (
            4,
            Some(
                "Account 111111111111 uses 4 of 5 trails in us-east-1 (t1, t2, t3 and t4); AWS \
                 does not raise this quota, so one more trail fills it.",
            ),
        ),
        (
            5,
            Some(
                "Account 111111111111 uses 5 of 5 trails in us-east-1 (t1, t2, t3, t4 and t5); \
                 AWS does not raise this quota, so no other trail can be created there.",
            ),
        ),
    ] {
        let trails = home(count);
        let listed: Vec<&T> = trails.iter().chain(&shadows).collect();
        let m = Snapshot::default()
            .ok(MGMT, "us-east-1", &listed)
            .ok(MGMT, "us-west-2", &[&shadows[0], &shadows[1]])
            .matrix();
        let near: Vec<&Gap> = m
            .gaps
            .iter()
            .filter(|g| g.kind == GapKind::TrailLimitNear)
            .collect();
        match expected {
            Some(message) => {
                assert_eq!(near.len(), 1, "{count} trails");
                assert_eq!(near[0].message, message);
                assert_eq!(near[0].region.as_deref(), Some("us-east-1"));
            }
            None => assert!(near.is_empty(), "{count} trails: {near:#?}"),
        }
    }
}

#[test]
fn cis_controls_pass_and_fail_with_reasons() {
    struct Case {
        name: &'static str,
        trail: T,
        control: &'static str,
        passed: bool,
        reason: &'static str,
        fix: &'static str,
    }
    let multi = || trail(MGMT, "us-east-1", "main").multi();
    let single = || trail(MGMT, "us-east-1", "main");
    let log_group = json!("arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail:*");
    let s3_writes = r#"{"EventSelectors": [{"ReadWriteType": "All"}, {"ReadWriteType": "WriteOnly",
        "IncludeManagementEvents": false,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}"#;
    let s3_all = r#"{"EventSelectors": [{"ReadWriteType": "All",
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}"#;
    let cases = [
        Case {
            name: "3.1 multi-Region, logging, all management events",
            trail: multi(),
            control: "3.1",
            passed: true,
            reason: "main is multi-Region, logging and recording all management events.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.1 single-Region",
            trail: single(),
            control: "3.1",
            passed: false,
            reason: "No multi-Region trail is logging all management events: main is \
                     single-Region (us-east-1).",
            fix: "Make main multi-Region: aws cloudtrail update-trail --name main --region \
                  us-east-1 --is-multi-region-trail",
        },
        Case {
            name: "3.1 stopped",
            trail: multi().stopped(),
            control: "3.1",
            passed: false,
            reason: "main is not logging",
            fix: "Start main: aws cloudtrail start-logging --name main --region us-east-1",
        },
        Case {
            name: "3.1 write-only",
            trail: multi().selectors(WRITE_ONLY),
            control: "3.1",
            passed: false,
            reason: "main records write-only management events",
            fix: "aws cloudtrail put-event-selectors --trail-name main --region us-east-1",
        },
        Case {
            name: "3.1 AWS KMS events excluded",
            trail: multi().selectors(
                r#"{"EventSelectors": [{"ExcludeManagementEventSources": ["kms.amazonaws.com"]}]}"#,
            ),
            control: "3.1",
            passed: false,
            reason: "main records read and write management events, excluding AWS KMS events",
            fix: "put-event-selectors",
        },
        Case {
            name: "3.2 validation on",
            trail: multi(),
            control: "3.2",
            passed: true,
            reason: "Log file validation is on for main.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.2 validation off",
            trail: multi().set("LogFileValidationEnabled", json!(false)),
            control: "3.2",
            passed: false,
            reason: "Log file validation is off for main.",
            fix: "Turn on log file validation for main: aws cloudtrail update-trail --name main \
                  --region us-east-1 --enable-log-file-validation",
        },
        Case {
            name: "3.2 no multi-Region trail",
            trail: single(),
            control: "3.2",
            passed: false,
            reason: "No multi-Region trail covers this account",
            fix: "--is-multi-region-trail --enable-log-file-validation",
        },
        Case {
            name: "3.5 KMS key set",
            trail: multi(),
            control: "3.5",
            passed: true,
            reason: "Log files are encrypted with a KMS key (SSE-KMS) for main.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.5 no KMS key",
            trail: multi().set("KmsKeyId", Value::Null),
            control: "3.5",
            passed: false,
            reason: "Log files are not encrypted with a KMS key (SSE-KMS) for main.",
            fix: "aws cloudtrail update-trail --name main --region us-east-1 --kms-key-id <KMS \
                  key ARN>",
        },
        Case {
            name: "3.8 S3 write data events",
            trail: multi().selectors(s3_writes),
            control: "3.8",
            passed: true,
            reason: "main logs S3 object-level write events for all buckets.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.9 S3 write data events only",
            trail: multi().selectors(s3_writes),
            control: "3.9",
            passed: false,
            reason: "main logs write-only data events for all S3 objects in the account.",
            fix: r#""DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]"#,
        },
        Case {
            name: "3.9 S3 read and write data events",
            trail: multi().selectors(s3_all),
            control: "3.9",
            passed: true,
            reason: "main logs S3 object-level read events for all buckets.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.8 no data events",
            trail: multi(),
            control: "3.8",
            passed: false,
            reason: "main logs no S3 data events.",
            fix: "aws cloudtrail put-event-selectors --trail-name main --region us-east-1",
        },
        Case {
            name: "3.8 single-Region trail with S3 data events",
            trail: single().selectors(s3_all),
            control: "3.8",
            passed: false,
            reason: "No logging multi-Region trail covers this account (see 3.1)",
            fix: "Create and start a multi-Region trail (see 3.1)",
        },
        Case {
            name: "CloudWatch Logs delivered 2 h ago",
            trail: multi()
                .set("CloudWatchLogsLogGroupArn", log_group.clone())
                .status("LatestCloudWatchLogsDeliveryTime", json!(NOW - 2 * HOUR)),
            control: "3.4 (v1.5.0)",
            passed: true,
            reason: "main delivers to arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail:* \
                     (last 2 h ago).",
            fix: "Nothing to fix.",
        },
        Case {
            name: "CloudWatch Logs not set up",
            trail: multi(),
            control: "3.4 (v1.5.0)",
            passed: false,
            reason: "main has no CloudWatch Logs log group",
            fix: "--cloud-watch-logs-log-group-arn <log group ARN> --cloud-watch-logs-role-arn \
                  <role ARN>",
        },
        Case {
            name: "CloudWatch Logs delivery 3 days old",
            trail: multi()
                .set("CloudWatchLogsLogGroupArn", log_group)
                .status("LatestCloudWatchLogsDeliveryTime", json!(NOW - 3 * DAY))
                .status(
                    "LatestCloudWatchLogsDeliveryError",
                    json!("AccessDeniedException"),
                ),
            control: "3.4 (v1.5.0)",
            passed: false,
            reason: "main last delivered to CloudWatch Logs 3 days ago (error \
                     AccessDeniedException)",
            fix: "lets CloudTrail call logs:CreateLogStream and logs:PutLogEvents",
        },
    ];
    for case in cases {
        let m = Snapshot::default()
            .everywhere(MGMT, &REGIONS, &[&case.trail])
            .matrix();
        let check = cis(&m, MGMT, case.control);
        assert_eq!(check.passed, case.passed, "{}: {check:#?}", case.name);
        assert_contains(&check.reason, case.reason);
        assert_contains(&check.fix, case.fix);
    }
}

#[test]
fn every_account_gets_every_control_in_order() {
    let main = trail(MGMT, "us-east-1", "main").multi();
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&main])
        .ok(MEMBER, "us-east-1", &[])
        .matrix();
    let controls: Vec<(&str, &str)> = m
        .cis
        .iter()
        .map(|c| (c.account.as_str(), c.control.as_str()))
        .collect();
    let order = ["3.1", "3.2", "3.5", "3.8", "3.9", "3.4 (v1.5.0)"];
    let expected: Vec<(&str, &str)> = [MGMT, MEMBER]
        .iter()
        .flat_map(|a| order.map(|c| (*a, c)))
        .collect();
    assert_eq!(controls, expected);
    assert_eq!(CIS_VERSION, "3.0.0");
}

#[test]
fn trail_detail_of_a_shadow_arn_is_the_home_listing() {
    let home = trail(MGMT, "us-east-1", "main")
        .multi()
        .set("LogFileValidationEnabled", json!(false));
    // The shadow listings disagree on the status (GetTrailStatus answers per Region).
    let shadow = home.clone().delivered(2 * HOUR);
    let snapshot = Snapshot::default()
        .ok(MGMT, "us-west-2", &[&shadow])
        .ok(MGMT, "us-east-1", &[&home])
        .ok(MGMT, "eu-west-1", &[&shadow])
        .build();

    let detail = trail_detail(&snapshot, &home.arn()).expect("listed trail");
    assert_eq!(detail.trail.home_region.as_deref(), Some("us-east-1"));
    let home_record: TrailRecord = serde_json::from_value(home.record()).expect("record JSON");
    assert_eq!(detail.status, home_record.status);
    assert_eq!(
        serde_json::from_str::<TrailRecord>(&detail.raw_json).expect("raw JSON"),
        home_record
    );
    assert_eq!(detail.home_account, MGMT);
    assert_eq!(
        detail.seen_in,
        REGIONS.map(|r| (MGMT.to_owned(), r.to_owned()))
    );
    assert!(detail.decoded.logs_all_management_events());
    assert_eq!(detail.problems, ["Log file validation is off."]);
    assert_eq!(
        trail_detail(&snapshot, "arn:aws:cloudtrail:us-east-1:1:trail/none"),
        None
    );
}

#[test]
fn trail_detail_lists_what_is_wrong() {
    let main = trail(MGMT, "us-east-1", "main")
        .stopped()
        .delivered(3 * DAY)
        .set("KmsKeyId", Value::Null)
        .status("LatestDeliveryError", json!("AccessDenied"));
    let snapshot = Snapshot::default().ok(MGMT, "us-east-1", &[&main]).build();

    let detail = trail_detail(&snapshot, &main.arn()).expect("listed trail");
    assert_eq!(
        detail.problems,
        [
            "Not logging: stopped 3 days ago.",
            "Log file delivery to S3 failed: AccessDenied.",
            "Log files are not encrypted with a KMS key (SSE-KMS).",
        ]
    );

    // Seen only in a member account: said so.
    let org = trail(MGMT, "us-east-1", "org-trail")
        .organization()
        .delivered(2 * HOUR);
    let snapshot = Snapshot::default().ok(MEMBER, "eu-west-1", &[&org]).build();
    let detail = trail_detail(&snapshot, &org.arn()).expect("listed trail");
    assert_eq!(detail.home_account, MGMT);
    assert_eq!(
        detail.problems,
        [
            "Not seen in its home Region us-east-1 of account 111111111111, so this shows its \
             listing in eu-west-1 of account 222222222222.",
            "Last log file delivered 2 h ago, over an hour ago.",
        ]
    );
}

#[test]
fn unreadable_status_or_selectors_in_a_shadow_are_read_from_the_home_listing() {
    let main = trail(MGMT, "us-east-1", "main").multi();
    let no_status = main
        .clone()
        .status_failed("ThrottlingException: Rate exceeded");
    let no_selectors = main.clone().selectors(WRITE_ONLY);
    let home = main.clone().selectors(WRITE_ONLY);
    let shadow = no_selectors.selectors_failed("AccessDeniedException");
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&home])
        .ok(MGMT, "us-west-2", &[&shadow])
        .ok(MGMT, "eu-west-1", &[&no_status.selectors(WRITE_ONLY)])
        .matrix();

    let west = cell(&m, MGMT, "us-west-2");
    assert_eq!(west.state, CoverageState::CoveredWithErrors);
    assert_eq!(
        west.trails[0].problems,
        [
            "GetEventSelectors failed here (AccessDeniedException); showing the selectors read in \
             us-east-1 of account 111111111111.",
            "Records write-only management events, not all management events.",
        ]
    );
    let eu = cell(&m, MGMT, "eu-west-1");
    assert_eq!(eu.state, CoverageState::CoveredWithErrors);
    assert!(eu.trails[0].is_logging);
    assert_contains(
        &eu.trails[0].problems[0],
        "GetTrailStatus failed here (ThrottlingException: Rate exceeded); showing the status read \
         in us-east-1",
    );

    // Unreadable everywhere: counted as covering (the default), never as CIS 3.1.
    let blind = main.selectors_failed("AccessDeniedException");
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&blind])
        .matrix();
    assert_eq!(
        cell(&m, MGMT, "us-east-1").state,
        CoverageState::CoveredWithErrors
    );
    let check = cis(&m, MGMT, "3.1");
    assert!(!check.passed);
    assert_contains(
        &check.reason,
        "main has event selectors that could not be read",
    );
}

#[test]
fn a_status_unreadable_everywhere_makes_coverage_unknown_not_missing() {
    let main = trail(MGMT, "us-east-1", "main").status_failed("ThrottlingException");
    let m = Snapshot::default().ok(MGMT, "us-east-1", &[&main]).matrix();

    let here = cell(&m, MGMT, "us-east-1");
    assert_eq!(here.state, CoverageState::Unknown);
    assert_eq!(
        here.summary,
        "Could not tell whether management events are logged here: GetTrailStatus failed for \
         main (ThrottlingException)"
    );
    assert_eq!(
        gap_list(&m),
        [(GapKind::RegionFailed, MGMT, Some("us-east-1"))]
    );
    assert_contains(
        &m.gaps[0].message,
        "Coverage in us-east-1 of account 111111111111 is unknown",
    );
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
