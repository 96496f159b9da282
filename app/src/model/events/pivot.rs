//! Pivots: from one event to the events that share something with it (identity, access key, source IP,
//! resource, account, role). Each searches a window around the event's own time and says which in its text,
//! never a window relative to now: an archive event may be months old, and "the last 30 days" would miss it.
use super::{EventQuery, EventSummary};
use crate::model::event_detail::ResourceRef;
use crate::model::filter::CUSTOM_RANGE;
use crate::model::time::{DAY, MINUTE, format_rfc3339};
use serde::{Deserialize, Serialize};

/// How far around the event a pivot searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// ±N minutes, to the second.
    Minutes(i64),
    /// ±N days, as whole UTC days (`from` and `to` dates, the `to` day included).
    Days(i64),
    /// Everything the store holds (`range=all`).
    AllTime,
}

impl Window {
    /// What else happened then.
    pub const NEAR: Window = Window::Minutes(15);
    /// The default for an identity, a long-term key, an IP or a resource: a working week either side.
    pub const WEEK: Window = Window::Days(7);
    /// Temporary credentials live at most 36 hours (STS `GetFederationToken` `DurationSeconds` ≤ 129,600;
    /// `AssumeRole` ≤ 12 hours), so ±2 days holds every use of an `ASIA…` key.
    pub const TEMPORARY_CREDENTIALS: Window = Window::Days(2);

    /// `±15 minutes`, `±7 days`, `all time`.
    pub fn label(self) -> String {
        match self {
            Window::Minutes(n) => format!("±{n} minutes"),
            Window::Days(1) => "±1 day".to_owned(),
            Window::Days(n) => format!("±{n} days"),
            Window::AllTime => "all time".to_owned(),
        }
    }

    /// `query` over this window around `time` (epoch seconds).
    fn apply(self, query: EventQuery, time: i64) -> EventQuery {
        let date = |t: i64| format_rfc3339(t)[..10].to_owned();
        let (range, bounds) = match self {
            Window::Minutes(n) => (
                CUSTOM_RANGE,
                Some((
                    format_rfc3339(time - n * MINUTE),
                    format_rfc3339(time + n * MINUTE + 1),
                )),
            ),
            Window::Days(n) => (
                CUSTOM_RANGE,
                Some((date(time - n * DAY), date(time + n * DAY))),
            ),
            Window::AllTime => ("all", None),
        };
        let (from, to) = bounds.unzip();
        query
            .with("range", Some(range.to_owned()))
            .with("from", from)
            .with("to", to)
    }
}

/// All events sharing every `(key, value)` of `filters`, read-only ones shown, within `window` of `time`.
pub fn pivot(filters: &[(&str, &str)], time: i64, window: Window) -> EventQuery {
    let query = window.apply(
        EventQuery::default().with("rw", Some("all".to_owned())),
        time,
    );
    filters.iter().fold(query, |q, (key, value)| {
        q.with(key, Some((*value).to_owned()))
    })
}

/// One link from an event: its text (which says the window) and the search it opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pivot {
    /// The link's text, e.g. `±7 days`.
    pub label: String,
    /// The Events search it opens.
    pub query: EventQuery,
}

/// The filters that find the event's identity: its ARN when it has one (one principal exactly), else its
/// readable name; with the event's account either way, because names (`root`, `alice`, a service) repeat
/// across accounts.
fn identity_filters(e: &EventSummary) -> Option<[(&'static str, &str); 2]> {
    let who = e
        .identity_arn
        .as_deref()
        .filter(|arn| arn.starts_with("arn:"))
        .or(e.identity.as_deref())?;
    Some([("account", e.account.as_str()), ("user", who)])
}

/// The event's identity (see `identity_filters`) within `window`.
pub fn identity_pivot(e: &EventSummary, window: Window) -> Option<EventQuery> {
    identity_filters(e).map(|filters| pivot(&filters, e.time, window))
}

/// The window an access key's pivot searches: temporary keys (`ASIA…`) live hours, long-term ones (`AKIA…`)
/// years (IAM User Guide, "Unique identifier prefixes").
pub fn access_key_window(key: &str) -> Window {
    if key.starts_with("ASIA") {
        Window::TEMPORARY_CREDENTIALS
    } else {
        Window::WEEK
    }
}

/// The event's access key in its account within `window`.
pub fn access_key_pivot(e: &EventSummary, key: &str, window: Window) -> EventQuery {
    pivot(
        &[("account", e.account.as_str()), ("key", key)],
        e.time,
        window,
    )
}

/// Every session of the role `role_arn` (an IAM role ARN) within `window` of `time`.
pub fn role_pivot(role_arn: &str, time: i64, window: Window) -> EventQuery {
    pivot(&[("role", role_arn)], time, window)
}

/// The pivots of an event's page, in the order shown.
pub fn event_pivots(e: &EventSummary, resources: &[ResourceRef]) -> Vec<Pivot> {
    let mut pivots = Vec::new();
    let mut add = |label: String, window: Window, query: EventQuery| {
        pivots.push(Pivot {
            label: format!("{label}, {}", window.label()),
            query,
        });
    };
    if let (Some(name), Some(filters)) = (&e.identity, identity_filters(e)) {
        for window in [Window::NEAR, Window::WEEK, Window::AllTime] {
            add(
                format!("Same identity ({name})"),
                window,
                pivot(&filters, e.time, window),
            );
        }
    }
    if let Some(key) = &e.access_key {
        let window = access_key_window(key);
        add(
            format!("Same access key ({key})"),
            window,
            access_key_pivot(e, key, window),
        );
    }
    if let Some(ip) = &e.source_ip {
        add(
            format!("Same source IP ({ip})"),
            Window::WEEK,
            pivot(&[("ip", ip.as_str())], e.time, Window::WEEK),
        );
    }
    for r in resources {
        for window in [Window::WEEK, Window::AllTime] {
            add(
                format!("Same resource ({})", r.arn),
                window,
                pivot(&[("resource", r.arn.as_str())], e.time, window),
            );
        }
    }
    add(
        "Everything in this account".to_owned(),
        Window::NEAR,
        pivot(&[("account", e.account.as_str())], e.time, Window::NEAR),
    );
    pivots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::filter::RangeSpec;

    /// 2026-08-03T09:30:00Z.
    const AUGUST: i64 = 1_785_749_400;

    fn root_event() -> EventSummary {
        EventSummary {
            event_id: "e".into(),
            time: AUGUST,
            account: "111122223333".into(),
            region: "us-east-1".into(),
            event_source: "iam.amazonaws.com".into(),
            event_name: "CreateUser".into(),
            identity: Some("root".into()),
            identity_type: Some("Root".into()),
            identity_arn: Some("arn:aws:iam::111122223333:root".into()),
            access_key: Some("ASIAEXAMPLEKEY".into()),
            source_ip: Some("203.0.113.9".into()),
            user_agent: None,
            error_code: None,
            read_only: Some(false),
            category: crate::model::events::EventCategory::Management,
            from_event_history: false,
        }
    }

    #[test]
    fn the_near_pivot_is_fifteen_minutes_either_side_to_the_second() {
        let q = pivot(&[("ip", "203.0.113.9")], 1_793_491_200, Window::NEAR);
        assert_eq!(
            q.to_query_string(),
            "?range=custom&from=2026-10-31T23%3A45%3A00Z&to=2026-11-01T00%3A15%3A01Z&rw=all&ip=203.0.113.9"
        );
        let f = q.parse().expect("valid").filter;
        assert_eq!(f.range, RangeSpec::Between(1_793_490_300, 1_793_492_101));
    }

    #[test]
    fn day_windows_are_whole_days_around_the_event_not_around_now() {
        let q = pivot(&[("ip", "203.0.113.9")], AUGUST, Window::WEEK);
        assert_eq!(q.from.as_deref(), Some("2026-07-27"));
        assert_eq!(q.to.as_deref(), Some("2026-08-10"));
        let RangeSpec::Between(start, end) = q.parse().expect("valid").filter.range else {
            panic!("a custom range");
        };
        assert!(
            start <= AUGUST - 7 * DAY && end >= AUGUST + 7 * DAY,
            "covers ±7 days"
        );
        assert!(end - start <= 16 * DAY);
        let all = pivot(&[("ip", "203.0.113.9")], AUGUST, Window::AllTime);
        assert_eq!(all.parse().expect("valid").filter.range, RangeSpec::All);
    }

    #[test]
    fn identity_and_key_pivots_carry_the_events_account() {
        let e = root_event();
        let pivots = event_pivots(&e, &[]);
        let same_identity: Vec<&Pivot> = pivots
            .iter()
            .filter(|p| p.label.starts_with("Same identity (root)"))
            .collect();
        assert_eq!(same_identity.len(), 3, "{pivots:?}");
        for p in &same_identity {
            assert_eq!(p.query.account.as_deref(), Some("111122223333"));
            assert_eq!(
                p.query.user.as_deref(),
                Some("arn:aws:iam::111122223333:root")
            );
        }
        let key = pivots
            .iter()
            .find(|p| p.label.starts_with("Same access key"))
            .expect("a key pivot");
        assert_eq!(key.label, "Same access key (ASIAEXAMPLEKEY), ±2 days");
        assert_eq!(key.query.account.as_deref(), Some("111122223333"));
        assert_eq!(key.query.key.as_deref(), Some("ASIAEXAMPLEKEY"));
        // A service has no ARN: its name, in the event's account.
        let service = EventSummary {
            identity: Some("ec2.amazonaws.com".into()),
            identity_arn: Some("ec2.amazonaws.com".into()),
            ..root_event()
        };
        let q = identity_pivot(&service, Window::WEEK).expect("a pivot");
        assert_eq!(
            (q.account.as_deref(), q.user.as_deref()),
            (Some("111122223333"), Some("ec2.amazonaws.com"))
        );
    }

    #[test]
    fn every_pivot_says_its_window_and_contains_the_event() {
        let e = root_event();
        let resources = [ResourceRef {
            kind: Some("AWS::IAM::User".into()),
            arn: "arn:aws:iam::111122223333:user/new".into(),
            account: None,
        }];
        let pivots = event_pivots(&e, &resources);
        assert_eq!(pivots.len(), 3 + 1 + 1 + 2 + 1);
        for p in &pivots {
            assert!(
                ["±15 minutes", "±2 days", "±7 days", "all time"]
                    .iter()
                    .any(|w| p.label.ends_with(w)),
                "{}",
                p.label
            );
            let f = p.query.parse().expect("valid").filter;
            match f.range {
                RangeSpec::Between(start, end) => {
                    assert!(start <= e.time && e.time < end, "{}", p.label)
                }
                RangeSpec::All => {}
                RangeSpec::Last(_) => panic!("{} is relative to now", p.label),
            }
            assert!(f.matches(&e), "{}", p.label);
        }
    }
}
