//! One trail's detail, and listings whose status or selectors could not be read.
use super::*;

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
