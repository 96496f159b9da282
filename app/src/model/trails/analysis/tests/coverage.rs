//! Which Regions are covered, stale, failing or unknown, and the gaps that say so.
use super::*;

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
