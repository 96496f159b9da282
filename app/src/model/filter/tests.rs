//! The Activity query's round trips and validation.
use super::*;

fn query(pairs: &[(&str, &str)]) -> ActivityQuery {
    ActivityQuery::from_lookup(|key| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    })
}

#[test]
fn defaults_to_the_last_seven_days() {
    let filter = ActivityQuery::default().parse().expect("valid");
    assert_eq!(filter.range, RangeSpec::Last(7 * DAY));
    assert_eq!(filter.read_write, ReadWrite::All);
    assert!(!filter.errors_only);
}

#[test]
fn round_trips_through_the_query_string() {
    let q = query(&[
        ("range", "custom"),
        ("from", "2026-11-01"),
        ("to", "2026-11-02T10:00:00Z"),
        ("account", "123456789012"),
        ("rw", "write"),
        ("errors", "1"),
        ("other", "x"),
    ]);
    assert_eq!(
        q.to_query_string(),
        "?range=custom&from=2026-11-01&to=2026-11-02T10%3A00%3A00Z&account=123456789012&rw=write&errors=1"
    );
    let filter = q.parse().expect("valid");
    assert_eq!(
        filter.range,
        RangeSpec::Between(1_793_491_200, 1_793_613_600)
    );
    assert_eq!(filter.read_write, ReadWrite::Write);
    assert!(filter.errors_only);
}

#[test]
fn a_bare_end_date_includes_that_whole_day() {
    let filter = query(&[
        ("range", "custom"),
        ("from", "2026-11-01"),
        ("to", "2026-11-01"),
    ])
    .parse();
    assert_eq!(
        filter.expect("valid").range,
        RangeSpec::Between(1_793_491_200, 1_793_577_600)
    );
}

#[test]
fn rejects_bad_values_naming_the_field() {
    let cases = [
        (vec![("range", "2w")], "range"),
        (vec![("account", "1234 5678")], "account"),
        (vec![("region", "US East")], "region"),
        (vec![("rw", "both")], "rw"),
        (vec![("errors", "maybe")], "errors"),
        (vec![("range", "custom"), ("from", "2026-11-02")], "to"),
        (
            vec![
                ("range", "custom"),
                ("from", "2026-11-02"),
                ("to", "2026-11-01T00:00:00Z"),
            ],
            "to",
        ),
    ];
    for (pairs, field) in cases {
        match query(&pairs).parse() {
            Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field, "{pairs:?}"),
            other => panic!("{pairs:?} gave {other:?}"),
        }
    }
}

#[test]
fn redacted_account_ids_filter_but_malformed_ones_are_refused() {
    for held in [
        "123456789012",
        "XXXXXXXXXXXX",
        "ANONYMOUS_PRINCIPAL",
        "o-exampleorg",
    ] {
        let filter = query(&[("account", held)]).parse().expect(held);
        assert_eq!(filter.account.as_deref(), Some(held));
    }
    let absurd = "1".repeat(ACCOUNT_ID_MAX_LEN + 1);
    for bad in ["1234'; --", "12 34", "a/b", absurd.as_str()] {
        assert!(query(&[("account", bad)]).parse().is_err(), "{bad}");
    }
}

#[test]
fn one_filter_changes_and_the_others_stay() {
    let q = query(&[("range", "24h"), ("account", "123456789012")]);
    let changed = q
        .with("region", Some("eu-west-1".into()))
        .with("account", Some(String::new()));
    assert_eq!(changed.to_query_string(), "?range=24h&region=eu-west-1");
    assert_eq!(q.with("nonsense", Some("x".into())), q);
}

#[test]
fn preset_links_keep_the_other_filters() {
    let q = query(&[
        ("range", "custom"),
        ("from", "2026-11-01"),
        ("to", "2026-11-02"),
        ("region", "eu-west-1"),
    ]);
    assert_eq!(
        q.with_range("24h").to_query_string(),
        "?range=24h&region=eu-west-1"
    );
}

/// `rw` means the same on every page, and both pages offer the same time ranges; only the defaults differ
/// (Activity: every event over 7 days; Events: read-only events hidden over 24 hours, as the console does).
#[test]
fn every_page_reads_rw_and_the_time_ranges_alike() {
    use crate::model::events::{EVENT_RANGES, EventQuery};
    for (value, word) in ReadWrite::ALL {
        let activity = ActivityQuery {
            rw: Some(word.to_owned()),
            ..ActivityQuery::default()
        };
        let events = EventQuery {
            rw: Some(word.to_owned()),
            ..EventQuery::default()
        };
        assert_eq!(activity.parse().expect("valid").read_write, value, "{word}");
        assert_eq!(
            events.parse().expect("valid").filter.read_only,
            value,
            "{word}"
        );
        assert_eq!(value.url_value(), word);
    }
    assert_eq!(
        ActivityQuery::default().parse().expect("valid").read_write,
        ReadWrite::All
    );
    assert_eq!(
        EventQuery::default()
            .parse()
            .expect("valid")
            .filter
            .read_only,
        ReadWrite::Write
    );
    assert!(
        ReadWrite::Write.includes(None),
        "an event without readOnly may change something"
    );
    assert!(!ReadWrite::Write.includes(Some(true)));
    assert_eq!(ACTIVITY_RANGES.presets, EVENT_RANGES.presets);
    assert_ne!(ACTIVITY_RANGES.default, EVENT_RANGES.default);
}
