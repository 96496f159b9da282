//! Which trails count where: extra management copies, organization and member trails, data-only and partial trails, the trail quota.
use super::*;

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
