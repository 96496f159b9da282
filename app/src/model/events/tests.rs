//! The URL filters' round trips, validation (parsed once) and live mode's checks.
use super::*;
use crate::error::AppError;
use crate::model::filter::{RangeSpec, ReadWrite};
use crate::model::time::{DAY, HOUR};

fn query(pairs: &[(&str, &str)]) -> EventQuery {
    EventQuery::from_lookup(|key| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    })
}

#[test]
fn by_default_the_last_day_without_read_only_events() {
    let filter = EventQuery::default().parse().expect("valid").filter;
    assert_eq!(filter.range, RangeSpec::Last(DAY));
    assert_eq!(filter.read_only, ReadWrite::Write);
    assert!(filter.exact.is_empty());
}

#[test]
fn every_filter_round_trips_through_the_url() {
    let q = query(&[
        ("range", "3h"),
        ("account", "123456789012"),
        ("name", "StopLogging"),
        ("user", "Admin/alice@example.com"),
        ("rtype", "AWS::S3::Bucket"),
        ("resource", "arn:aws:s3:::logs"),
        ("agent", "aws-cli/2"),
        ("category", "data"),
        ("rw", "all"),
        ("cols", "time,name"),
    ]);
    let url = q.to_query_string();
    assert_eq!(
        url,
        "?range=3h&account=123456789012&name=StopLogging&user=Admin%2Falice%40example.com&rtype=AWS%3A%3AS3%3A%3ABucket&resource=arn%3Aaws%3As3%3A%3A%3Alogs&rw=all&agent=aws-cli%2F2&category=data&cols=time%2Cname"
    );
    let f = q.parse().expect("valid").filter;
    assert_eq!(f.range, RangeSpec::Last(3 * HOUR));
    assert_eq!(f.read_only, ReadWrite::All);
    assert_eq!(f.category, Some(EventCategory::Data));
    assert!(
        f.exact
            .contains(&(EventField::Identity, "Admin/alice@example.com".into()))
    );
    assert_eq!(q.columns(), vec![EventField::Time, EventField::EventName]);
}

#[test]
fn an_identity_arn_filters_on_the_arn() {
    let f = query(&[("user", "arn:aws:iam::123456789012:user/bob")])
        .parse()
        .expect("valid")
        .filter;
    assert_eq!(f.exact[0].0, EventField::IdentityArn);
}

#[test]
fn changing_a_filter_goes_back_to_page_one_but_view_keys_keep_the_page() {
    let q = query(&[("name", "PutObject"), ("after", "1700000000_42")]);
    assert_eq!(q.with("region", Some("eu-west-1".into())).after, None);
    assert_eq!(
        q.with("size", Some("100".into())).after.as_deref(),
        Some("1700000000_42")
    );
    assert_eq!(
        q.parse()
            .expect("valid")
            .page
            .cursor()
            .expect("a stored cursor"),
        Some(Cursor {
            time: 1_700_000_000,
            row: 42
        })
    );
}

#[test]
fn rejects_bad_values_naming_the_field() {
    for (pairs, field) in [
        (vec![("range", "2w")], "range"),
        (vec![("account", "1234 5678")], "account"),
        (
            vec![("role", "arn:aws:iam::111122223333:user/alice")],
            "role",
        ),
        (vec![("rw", "modify")], "rw"),
        (vec![("category", "audit")], "category"),
        (vec![("size", "1000")], "size"),
        (vec![("after", "yesterday")], "after"),
        (vec![("errors", "maybe")], "errors"),
    ] {
        match query(&pairs).parse() {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field, "{pairs:?}"),
            other => panic!("{pairs:?} gave {other:?}"),
        }
    }
}

#[test]
fn an_event_id_finds_a_read_only_event_too() {
    let f = query(&[("id", "e2f1")]).parse().expect("valid").filter;
    assert_eq!(f.read_only, ReadWrite::All);
}

#[test]
fn live_mode_sends_the_most_selective_filter_and_checks_the_rest_on_the_page() {
    let f = query(&[
        ("user", "Admin/alice"),
        ("name", "StopLogging"),
        ("errors", "1"),
        ("live", "1"),
    ])
    .parse()
    .expect("valid")
    .filter;
    assert_eq!(f.live_attribute(), Some(("Username", "alice".to_owned())));
    let defaults = EventQuery::default().parse().expect("valid").filter;
    assert_eq!(
        defaults.live_attribute(),
        Some(("ReadOnly", "false".to_owned()))
    );
    let mut event = EventSummary {
        event_id: "e".into(),
        time: 0,
        account: "123456789012".into(),
        region: "us-east-1".into(),
        event_source: "cloudtrail.amazonaws.com".into(),
        event_name: "StopLogging".into(),
        identity: Some("Admin/alice".into()),
        identity_type: None,
        identity_arn: None,
        access_key: None,
        source_ip: None,
        user_agent: None,
        error_code: Some("AccessDenied".into()),
        read_only: Some(false),
        category: EventCategory::Management,
        from_event_history: true,
    };
    assert!(f.matches(&event));
    event.error_code = None;
    assert!(!f.matches(&event), "errors only");
    // A live page's cursor is Event History's token, not the store's.
    assert!(
        query(&[("live", "1"), ("after", "opaque+token/=")])
            .parse()
            .is_ok()
    );
}

#[test]
fn live_pages_match_session_names_and_roles_as_the_store_does() {
    let f = query(&[
        ("user", "alice@example.com"),
        (
            "role",
            "arn:aws:iam::111122223333:role/sso/AWSReservedSSO_PowerUser_1a2b",
        ),
        ("rw", "all"),
    ])
    .parse()
    .expect("valid")
    .filter;
    assert_eq!(
        f.live_attribute(),
        Some(("Username", "alice@example.com".to_owned()))
    );
    let session = |role: &str, account: &str| EventSummary {
        event_id: "e".into(),
        time: 0,
        account: account.into(),
        region: "us-east-1".into(),
        event_source: "s3.amazonaws.com".into(),
        event_name: "ListBuckets".into(),
        identity: Some(format!("{role}/alice@example.com")),
        identity_type: Some("AssumedRole".into()),
        identity_arn: Some(format!(
            "arn:aws:sts::{account}:assumed-role/{role}/alice@example.com"
        )),
        access_key: None,
        source_ip: None,
        user_agent: None,
        error_code: None,
        read_only: Some(true),
        category: EventCategory::Management,
        from_event_history: true,
    };
    assert!(f.matches(&session("AWSReservedSSO_PowerUser_1a2b", "111122223333")));
    assert!(!f.matches(&session("AWSReservedSSO_PowerUser_1a2b", "444455556666")));
    assert!(!f.matches(&session("AWSReservedSSO_ReadOnly_9f8e", "111122223333")));
}

#[test]
fn columns_toggle_in_table_order() {
    let q = EventQuery::default().toggle_column(EventField::UserAgent);
    assert!(q.columns().contains(&EventField::UserAgent));
    assert_eq!(q.columns().len(), EventField::DEFAULT_COLUMNS.len() + 1);
    let q = q.toggle_column(EventField::Time);
    assert_eq!(q.columns()[0], EventField::EventName);
}

#[test]
fn one_parse_gives_the_filter_and_the_page() {
    let request = query(&[
        ("name", "StopLogging"),
        ("size", "100"),
        ("after", "1700000000_42"),
    ])
    .parse()
    .expect("valid");
    assert_eq!(
        request.filter.exact,
        vec![(EventField::EventName, "StopLogging".to_owned())]
    );
    assert_eq!(
        request.page,
        PageRequest {
            size: 100,
            start: PageStart::Stored(Some(Cursor {
                time: 1_700_000_000,
                row: 42
            })),
        }
    );
    let first = EventQuery::default().parse().expect("valid").page;
    assert_eq!(
        (first.size, first.start),
        (DEFAULT_PAGE_SIZE, PageStart::Stored(None))
    );
    // Live mode's `after` is Event History's token, passed on as it is; the store will not take it.
    let live = query(&[("live", "1"), ("after", "opaque+token/=")])
        .parse()
        .expect("valid")
        .page;
    assert_eq!(live.live_token().as_deref(), Some("opaque+token/="));
    assert!(matches!(
        live.cursor(),
        Err(AppError::Invalid { field, .. }) if field == "after"
    ));
}

#[test]
fn a_bad_page_size_or_cursor_is_refused_naming_it_even_with_good_filters() {
    for (pairs, field) in [
        (vec![("name", "StopLogging"), ("size", "51")], "size"),
        (vec![("name", "StopLogging"), ("size", "fifty")], "size"),
        (
            vec![("name", "StopLogging"), ("after", "1700000000")],
            "after",
        ),
        (vec![("name", "StopLogging"), ("after", "x_42")], "after"),
    ] {
        match query(&pairs).parse() {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field, "{pairs:?}"),
            other => panic!("{pairs:?} gave {other:?}"),
        }
    }
}

#[test]
fn the_user_key_asks_for_the_arn_or_the_readable_name() {
    let by_name = query(&[("user", "alice")]).parse().expect("valid").filter;
    assert_eq!(
        by_name.exact,
        vec![(EventField::Identity, "alice".to_owned())]
    );
    let by_arn = query(&[("user", "arn:aws:iam::123456789012:user/bob")])
        .parse()
        .expect("valid")
        .filter;
    assert_eq!(by_arn.exact.len(), 1);
}
