//! One event in full (its record, resources, who acted through whom) and several side by side: pure functions
//! of CloudTrail records, shared by the detail and compare pages.
use crate::model::events::identity::IDENTITY_CENTER_USER;
use crate::model::events::pivot::{
    Pivot, Window, access_key_pivot, access_key_window, identity_pivot, pivot, role_pivot,
};
use crate::model::events::{EventQuery, EventSummary};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A resource the record names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    /// `resources[].type`, e.g. `AWS::S3::Object`, when the record gives one.
    pub kind: Option<String>,
    /// `resources[].ARN`.
    pub arn: String,
    /// `resources[].accountId`: the 12-digit account ID that owns the resource, when given.
    pub account: Option<String>,
}

/// One step of "who acted": the session, the role or user behind it, the account (most specific first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    /// What the link is, e.g. `Session`, `Role`, `Account`.
    pub label: String,
    /// Its value, e.g. a role ARN or a 12-digit account ID.
    pub value: String,
    /// The search that finds other events of this link; its label is the window (`±7 days`).
    pub pivot: Option<Pivot>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
/// One stored event, as the event page shows it.
pub struct EventDetail {
    /// The fields the results table shows.
    pub summary: EventSummary,
    /// The record as CloudTrail wrote it.
    pub record: Value,
    /// `resources[]`: what the record names.
    pub resources: Vec<ResourceRef>,
    /// "Who acted", most specific first.
    pub chain: Vec<ChainLink>,
}

/// The same path in every compared record; `differs` when not all hold the same value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRow {
    /// A JSON path in the record, e.g. `requestParameters.bucketName`.
    pub path: String,
    /// Its value in each compared record, in the order of `CompareTable::events`; `None` where absent.
    pub values: Vec<Option<String>>,
    /// Whether the values are not all the same.
    pub differs: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
/// Two to five events side by side, every path of their records aligned.
pub struct CompareTable {
    /// The compared events, in the order asked.
    pub events: Vec<EventSummary>,
    /// Every path that occurs in any of them, sorted.
    pub rows: Vec<CompareRow>,
}

fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn link(label: &str, value: &str, pivot: Option<(Window, EventQuery)>) -> ChainLink {
    ChainLink {
        label: label.to_owned(),
        value: value.to_owned(),
        pivot: pivot.map(|(window, query)| Pivot {
            label: window.label(),
            query,
        }),
    }
}

/// Who acted, from `userIdentity` of the event `summary` describes: session → role (or user) → account, with
/// the credentials used. Each link's pivot searches around the event, in the event's account where a name
/// could repeat across accounts.
pub fn identity_chain(record: &Value, summary: &EventSummary) -> Vec<ChainLink> {
    let Some(identity) = record.get("userIdentity") else {
        return Vec::new();
    };
    let kind = text(identity, &["type"]).unwrap_or("Unknown");
    let mut chain = Vec::new();
    let user_pivot = || identity_pivot(summary, Window::WEEK).map(|q| (Window::WEEK, q));
    let time = summary.time;
    match kind {
        "AssumedRole" | "FederatedUser" => {
            if let Some(arn) = text(identity, &["arn"]) {
                let label = if kind == "AssumedRole" {
                    "Role session"
                } else {
                    "Federated session"
                };
                chain.push(link(label, arn, user_pivot()));
            }
            let issuer = &["sessionContext", "sessionIssuer"];
            let issuer_arn = text(identity, &[issuer[0], issuer[1], "arn"]);
            let issuer_kind = text(identity, &[issuer[0], issuer[1], "type"]).unwrap_or("Issuer");
            if let Some(arn) = issuer_arn {
                // Events name the session, never the role: a role's link finds all its sessions. Another
                // issuer (the IAM user behind a federated session) is an identity of its own.
                let query = if issuer_kind == "Role" {
                    role_pivot(arn, time, Window::WEEK)
                } else {
                    pivot(
                        &[("account", summary.account.as_str()), ("user", arn)],
                        time,
                        Window::WEEK,
                    )
                };
                chain.push(link(issuer_kind, arn, Some((Window::WEEK, query))));
            }
        }
        "Root" => chain.push(link(
            "Root user",
            text(identity, &["arn"]).unwrap_or("root"),
            user_pivot(),
        )),
        "AWSService" => {
            if let Some(service) = text(identity, &["invokedBy"]) {
                chain.push(link("AWS service", service, user_pivot()));
            }
        }
        IDENTITY_CENTER_USER => {
            // The page shows the name learned for the user; the link finds the user by its ID.
            if let Some(user_id) = text(identity, &["onBehalfOf", "userId"]) {
                let query = pivot(
                    &[("account", summary.account.as_str()), ("user", user_id)],
                    time,
                    Window::WEEK,
                );
                chain.push(link(
                    "Identity Center user",
                    user_id,
                    Some((Window::WEEK, query)),
                ));
            }
            if let Some(store) = text(identity, &["onBehalfOf", "identityStoreArn"]) {
                chain.push(link("Identity store", store, None));
            }
        }
        "WebIdentityUser" | "SAMLUser" => {
            if let Some(provider) = text(identity, &["identityProvider"]) {
                chain.push(link("Identity provider", provider, None));
            }
            if let Some(name) = text(identity, &["userName"]) {
                chain.push(link("Federated user", name, user_pivot()));
            }
        }
        _ => {
            if let Some(arn) = text(identity, &["arn"]) {
                chain.push(link(kind, arn, user_pivot()));
            }
        }
    }
    if let Some(via) = text(identity, &["invokedBy"]).filter(|_| kind != "AWSService") {
        chain.push(link("Invoked by", via, None));
    }
    if let Some(source) = text(identity, &["sessionContext", "sourceIdentity"]) {
        chain.push(link("Source identity", source, None));
    }
    if let Some(key) = text(identity, &["accessKeyId"]) {
        // AKIA… keys are long-term (a user's); ASIA… are temporary (STS).
        let label = if key.starts_with("ASIA") {
            "Temporary access key"
        } else {
            "Access key"
        };
        let window = access_key_window(key);
        let query = access_key_pivot(summary, key, window);
        chain.push(link(label, key, Some((window, query))));
    }
    let mfa = text(
        identity,
        &["sessionContext", "attributes", "mfaAuthenticated"],
    );
    if let Some(mfa) = mfa {
        chain.push(link("MFA", if mfa == "true" { "yes" } else { "no" }, None));
    }
    if let Some(account) = text(identity, &["accountId"]) {
        // The caller's account: a link only where it is the account this event was logged in, since the store
        // files events by the logging account (another caller's account may hold none of them, and
        // `ANONYMOUS_PRINCIPAL` is no account at all).
        let query = (account == summary.account).then(|| {
            (
                Window::NEAR,
                pivot(&[("account", account)], time, Window::NEAR),
            )
        });
        chain.push(link("Account", account, query));
    }
    chain
}

/// The record's `resources[]`.
pub fn resources(record: &Value) -> Vec<ResourceRef> {
    record
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some(ResourceRef {
                arn: text(r, &["ARN"])?.to_owned(),
                kind: text(r, &["type"]).map(str::to_owned),
                account: text(r, &["accountId"]).map(str::to_owned),
            })
        })
        .collect()
}

/// Every leaf of `value` as (dotted path, compact JSON), in document order; arrays index as `[i]`.
fn flatten(value: &Value, path: &mut String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                flatten(child, path, out);
                path.truncate(len);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, child) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                flatten(child, path, out);
                path.truncate(len);
            }
        }
        Value::String(s) => out.push((path.clone(), s.clone())),
        leaf => out.push((path.clone(), leaf.to_string())),
    }
}

/// The records side by side: one row per path any of them has, in the order they first appear.
pub fn compare(records: &[Value]) -> Vec<CompareRow> {
    let flat: Vec<Vec<(String, String)>> = records
        .iter()
        .map(|r| {
            let mut out = Vec::new();
            flatten(r, &mut String::new(), &mut out);
            out
        })
        .collect();
    let mut paths: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (path, _) in flat.iter().flatten() {
        if seen.insert(path.as_str()) {
            paths.push(path);
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let values: Vec<Option<String>> = flat
                .iter()
                .map(|f| f.iter().find(|(p, _)| p == path).map(|(_, v)| v.clone()))
                .collect();
            let differs = values.windows(2).any(|w| w[0] != w[1]);
            CompareRow {
                path: path.to_owned(),
                values,
                differs,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::events::identity::RoleFilter;
    use serde_json::json;

    /// The summary the store would hold for `record`'s event, in account 111122223333 on 2026-08-03.
    fn summary_of(identity: &str, arn: Option<&str>, key: Option<&str>) -> EventSummary {
        EventSummary {
            event_id: "e".into(),
            time: 1_785_749_400,
            account: "111122223333".into(),
            region: "us-east-1".into(),
            event_source: "iam.amazonaws.com".into(),
            event_name: "ListRoles".into(),
            identity: Some(identity.into()),
            identity_type: None,
            identity_arn: arn.map(str::to_owned),
            access_key: key.map(str::to_owned),
            source_ip: None,
            user_agent: None,
            error_code: None,
            read_only: Some(true),
            category: crate::model::events::EventCategory::Management,
            from_event_history: false,
        }
    }

    #[test]
    fn an_assumed_role_session_leads_to_its_role_and_account() {
        let record = json!({"userIdentity": {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
            "accountId": "111122223333",
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/Admin"},
                "attributes": {"mfaAuthenticated": "false"}
            }
        }});
        let session_arn = "arn:aws:sts::111122223333:assumed-role/Admin/alice";
        let summary = summary_of("Admin/alice", Some(session_arn), Some("ASIAEXAMPLE"));
        let chain = identity_chain(&record, &summary);
        let labels: Vec<(&str, &str)> = chain
            .iter()
            .map(|l| (l.label.as_str(), l.value.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                (
                    "Role session",
                    "arn:aws:sts::111122223333:assumed-role/Admin/alice"
                ),
                ("Role", "arn:aws:iam::111122223333:role/Admin"),
                ("Temporary access key", "ASIAEXAMPLE"),
                ("MFA", "no"),
                ("Account", "111122223333"),
            ]
        );
        let query = |i: usize| &chain[i].pivot.as_ref().expect("a pivot").query;
        assert_eq!(query(0).user.as_deref(), Some(session_arn));
        assert_eq!(query(0).account.as_deref(), Some("111122223333"));
        assert_eq!(query(2).key.as_deref(), Some("ASIAEXAMPLE"));
        assert_eq!(query(2).account.as_deref(), Some("111122223333"));
        // The role's link asks for its sessions (events never hold the role's own ARN), around the event.
        let role = query(1).parse().expect("valid").filter;
        assert_eq!(
            role.role,
            Some(RoleFilter::parse("arn:aws:iam::111122223333:role/Admin").expect("valid"))
        );
        assert!(role.matches(&summary));
        for link in chain.iter().filter(|l| l.pivot.is_some()) {
            let pivot = link.pivot.as_ref().expect("a pivot");
            assert!(pivot.label.starts_with('±'), "{}", pivot.label);
            assert!(
                pivot.query.parse().expect("valid").filter.matches(&summary),
                "{link:?}"
            );
        }
    }

    #[test]
    fn a_service_is_named_by_its_principal() {
        let record = json!({"userIdentity": {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}});
        let service = "cloudtrail.amazonaws.com";
        let chain = identity_chain(&record, &summary_of(service, Some(service), None));
        assert_eq!(chain.len(), 1);
        assert_eq!(chain[0].value, "cloudtrail.amazonaws.com");
    }

    #[test]
    fn resources_keep_type_and_account() {
        let record = json!({"resources": [
            {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"},
            {"accountId": "111122223333", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b"},
            {"type": "broken"}
        ]});
        let found = resources(&record);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].account.as_deref(), Some("111122223333"));
    }

    #[test]
    fn compare_marks_the_paths_that_differ_and_those_only_one_has() {
        let a = json!({"eventName": "StopLogging", "requestParameters": {"name": "main"}, "readOnly": false});
        let b = json!({"eventName": "StopLogging", "requestParameters": {"name": "audit", "extra": [1]}, "readOnly": false});
        let rows = compare(&[a, b]);
        let differs: Vec<(&str, bool)> =
            rows.iter().map(|r| (r.path.as_str(), r.differs)).collect();
        assert_eq!(
            differs,
            [
                ("eventName", false),
                ("requestParameters.name", true),
                ("readOnly", false),
                ("requestParameters.extra[0]", true),
            ]
        );
        assert_eq!(rows[3].values, [None, Some("1".to_owned())]);
    }

    #[test]
    fn a_callers_account_links_only_where_the_event_was_logged() {
        let record = serde_json::json!({"userIdentity": {
            "type": "AWSAccount", "principalId": "AIDAEXAMPLEFAKECROSS", "accountId": "444455556666"
        }});
        let mut summary = summary_of("444455556666", None, None);
        summary.account = "111122223333".into();
        let account = |chain: Vec<ChainLink>| {
            chain
                .into_iter()
                .find(|l| l.label == "Account")
                .expect("the account is shown")
        };
        assert!(
            account(identity_chain(&record, &summary)).pivot.is_none(),
            "another account's link would not find this event"
        );
        summary.account = "444455556666".into();
        assert!(account(identity_chain(&record, &summary)).pivot.is_some());
    }
}
