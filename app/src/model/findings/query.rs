//! The Findings page's URL form ([`FindingsQuery`]), shared by the page, its server functions,
//! `GET /api/findings` and `trailscope findings`: every key a string as in a query string.
use super::FindingsFilter;
use super::Severity;
use super::triage::TriageState;
use crate::error::AppError;
use crate::model::filter::parse_account;
use leptos::Params;
use leptos_router::params::Params;
use serde::{Deserialize, Serialize};

/// `severity` (at least; `informational` … `critical`), `state` (`open`, `acknowledged`, `resolved`,
/// `false_positive`), `rule` (one rule's id), `account` (an account ID), and on the page `open` (the rule whose
/// evidence is shown). Empty values mean no filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, Params)]
pub struct FindingsQuery {
    /// Minimum severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Triage state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// One rule's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// One account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The page only: the rule whose evidence is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl FindingsQuery {
    /// The filter this query asks for.
    ///
    /// Errors: [`AppError::Invalid`] naming `severity`, `state` or `account` when it is not one of their values.
    pub fn filter(&self) -> Result<FindingsFilter, AppError> {
        let severity = given(&self.severity)
            .map(str::parse::<Severity>)
            .transpose()
            .map_err(|reason| AppError::invalid("severity", reason))?;
        let state = given(&self.state)
            .map(str::parse::<TriageState>)
            .transpose()
            .map_err(|reason| AppError::invalid("state", reason))?;
        Ok(FindingsFilter {
            severity,
            state,
            rule: given(&self.rule).map(str::to_owned),
            account: parse_account(given(&self.account))?,
        })
    }

    /// The rule whose evidence the page shows, if any.
    pub fn opened(&self) -> Option<&str> {
        given(&self.open)
    }

    /// Each key of the query string with its field: the one list of the keys.
    fn slots(&mut self) -> [(&'static str, &mut Option<String>); 5] {
        [
            ("severity", &mut self.severity),
            ("state", &mut self.state),
            ("rule", &mut self.rule),
            ("account", &mut self.account),
            ("open", &mut self.open),
        ]
    }

    /// The query of a URL's query string (`severity=high&state=open`, without `?`; `+` and `%XX` decoded once).
    /// Other keys are ignored, as a page ignores them.
    ///
    /// Errors: [`AppError::Invalid`] naming a key given more than once (which one would be meant is unknown).
    pub fn from_query_string(query: &str) -> Result<Self, AppError> {
        let mut parsed = Self::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if let Some((name, slot)) = parsed.slots().into_iter().find(|(k, _)| *k == key) {
                if slot.is_some() {
                    return Err(AppError::invalid(
                        name,
                        "given more than once; give it once",
                    ));
                }
                *slot = Some(value.into_owned());
            }
        }
        Ok(parsed)
    }

    /// `?severity=…&state=…` with the set keys (`open` as given), or an empty string.
    pub fn to_query_string(&self) -> String {
        let mut copy = self.clone();
        let pairs: Vec<String> = copy
            .slots()
            .into_iter()
            .filter_map(|(key, value)| {
                given(value).map(|v| format!("{key}={}", crate::model::filter::encode_component(v)))
            })
            .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    /// The same query with the rule `open` shown (`None`: none).
    pub fn with_open(&self, open: Option<&str>) -> Self {
        Self {
            open: open.map(str::to_owned),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_into_the_filter_and_bad_values_name_their_key() {
        let q = FindingsQuery {
            severity: Some("high".into()),
            state: Some("false_positive".into()),
            account: Some(" ".into()),
            ..FindingsQuery::default()
        };
        let f = q.filter().expect("valid");
        assert_eq!(f.severity, Some(Severity::High));
        assert_eq!(f.state, Some(TriageState::FalsePositive));
        assert_eq!(f.account, None, "blank is unset");
        let bad = |q: FindingsQuery, key: &str| {
            let e = q.filter().expect_err("invalid");
            assert!(format!("{e:?}").contains(key), "{e:?}");
        };
        bad(
            FindingsQuery {
                state: Some("closed".into()),
                ..FindingsQuery::default()
            },
            "state",
        );
        bad(
            FindingsQuery {
                severity: Some("severe".into()),
                ..FindingsQuery::default()
            },
            "severity",
        );
        bad(
            FindingsQuery {
                account: Some("12 34".into()),
                ..FindingsQuery::default()
            },
            "account",
        );
    }

    #[test]
    fn the_query_string_carries_the_set_keys() {
        let q = FindingsQuery {
            severity: Some("high".into()),
            ..FindingsQuery::default()
        }
        .with_open(Some("a b"));
        assert_eq!(q.to_query_string(), "?severity=high&open=a%20b");
        assert_eq!(FindingsQuery::default().to_query_string(), "");
        assert_eq!(
            FindingsQuery::from_query_string(&q.to_query_string()[1..]).expect("parses"),
            q,
            "read back as written"
        );
    }

    #[test]
    fn a_key_given_twice_is_refused_by_name_and_others_are_ignored() {
        let q = FindingsQuery::from_query_string("severity=high&utm_source=mail&account=%20")
            .expect("parses");
        assert_eq!(q.severity.as_deref(), Some("high"));
        assert_eq!(q.account.as_deref(), Some(" "));
        let twice = FindingsQuery::from_query_string("severity=high&state=open&severity=low")
            .expect_err("ambiguous");
        assert!(
            matches!(&twice, AppError::Invalid { field, .. } if field == "severity"),
            "{twice:?}"
        );
    }
}
