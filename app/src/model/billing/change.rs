//! What-if changes to trails, applied before the estimate is computed. Each has a short text form so a list
//! of them travels in a query string (`?change=off@ARN&change=management:write@ARN`); ARNs contain colons
//! but never `@`, bucket names never `@` or `,`.
use super::inputs::BillingTrail;
use crate::model::selectors::{
    DataScope, InsightCategory, InsightRule, InsightType, ResourceMatch,
};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One change to one trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Stop the trail (`StopLogging`, or delete it): it delivers nothing. Text: `off@ARN`.
    TrailOff {
        /// The trail's ARN.
        trail_arn: String,
    },
    /// Log these kinds of management events (both false: none). Text: `management:all|read|write|none@ARN`.
    Management {
        /// The trail's ARN.
        trail_arn: String,
        /// Log read events.
        read: bool,
        /// Log write events.
        write: bool,
    },
    /// Change one data rule (its index in the trail's decoded `data` rules, from 0). Text:
    /// `data:INDEX:drop@ARN`, `data:INDEX:only=b1,b2@ARN`, `data:INDEX:except=b1,b2@ARN`.
    DataRule {
        /// The trail's ARN.
        trail_arn: String,
        /// The rule's index.
        rule: usize,
        /// What becomes of it.
        scope: RuleChange,
    },
    /// Set the trail's Insights types (both off: no Insights). `data_events` adds the `Data` category.
    /// Text: `insights:call,error,data@ARN`, `insights:none@ARN`.
    Insights {
        /// The trail's ARN.
        trail_arn: String,
        /// `ApiCallRateInsight`.
        api_call_rate: bool,
        /// `ApiErrorRateInsight`.
        api_error_rate: bool,
        /// Also analyze data events.
        data_events: bool,
    },
}

/// What a [`Change::DataRule`] does to the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleChange {
    /// Remove the rule.
    Drop,
    /// Only these resources (bucket names for S3 objects, ARNs otherwise).
    Only(Vec<String>),
    /// Leave these resources out as well.
    Except(Vec<String>),
}

impl Change {
    /// The ARN of the trail it changes.
    pub fn trail_arn(&self) -> &str {
        match self {
            Self::TrailOff { trail_arn }
            | Self::Management { trail_arn, .. }
            | Self::DataRule { trail_arn, .. }
            | Self::Insights { trail_arn, .. } => trail_arn,
        }
    }

    /// Checks the change names a trail of `trails` (and one of its data rules). Errors: a sentence saying
    /// what it names that does not exist.
    pub fn check(&self, trails: &[BillingTrail]) -> Result<(), String> {
        let Some(trail) = trails.iter().find(|t| t.trail_arn == self.trail_arn()) else {
            return Err(format!("no trail {}", self.trail_arn()));
        };
        match self {
            Self::DataRule { rule, .. } if *rule >= trail.selectors.data.len() => Err(format!(
                "trail {} has {} data rules, so none numbered {rule}",
                trail.name,
                trail.selectors.data.len()
            )),
            _ => Ok(()),
        }
    }

    /// Applies the change to `trail` when it is the trail named (else nothing). Data rule indexes refer to
    /// the rules before any change; a dropped rule logs nothing but keeps its place.
    pub fn apply(&self, trail: &mut BillingTrail) {
        if trail.trail_arn != self.trail_arn() {
            return;
        }
        match self {
            Self::TrailOff { .. } => trail.is_logging = false,
            Self::Management { read, write, .. } => {
                trail.selectors.management.read = *read;
                trail.selectors.management.write = *write;
            }
            Self::DataRule { rule, scope, .. } => {
                let Some(rule) = trail.selectors.data.get_mut(*rule) else {
                    return;
                };
                let to_match = |r: &String| {
                    if rule.resource_type == crate::model::selectors::ResourceType::S3Object {
                        ResourceMatch::Bucket(r.clone())
                    } else {
                        ResourceMatch::Arn(r.clone())
                    }
                };
                match scope {
                    RuleChange::Drop => {
                        rule.read = false;
                        rule.write = false;
                    }
                    RuleChange::Only(resources) => {
                        rule.scope = DataScope {
                            selected: crate::model::selectors::Selected::Any(
                                resources.iter().map(to_match).collect(),
                            ),
                            except: Vec::new(),
                        };
                    }
                    RuleChange::Except(resources) => {
                        rule.scope.except.extend(resources.iter().map(to_match));
                    }
                }
            }
            Self::Insights {
                api_call_rate,
                api_error_rate,
                data_events,
                ..
            } => {
                let mut categories = vec![InsightCategory::Management];
                if *data_events {
                    categories.push(InsightCategory::Data);
                }
                trail.selectors.insights = [
                    (*api_call_rate, InsightType::ApiCallRate),
                    (*api_error_rate, InsightType::ApiErrorRate),
                ]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, insight_type)| InsightRule {
                    insight_type,
                    categories: categories.clone(),
                })
                .collect();
            }
        }
    }
}

/// `trails` with `changes` applied in order.
pub fn apply_all(trails: &[BillingTrail], changes: &[Change]) -> Vec<BillingTrail> {
    let mut trails = trails.to_vec();
    for change in changes {
        for trail in &mut trails {
            change.apply(trail);
        }
    }
    trails
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TrailOff { trail_arn } => write!(f, "off@{trail_arn}"),
            Self::Management {
                trail_arn,
                read,
                write,
            } => {
                let kinds = match (read, write) {
                    (true, true) => "all",
                    (true, false) => "read",
                    (false, true) => "write",
                    (false, false) => "none",
                };
                write!(f, "management:{kinds}@{trail_arn}")
            }
            Self::DataRule {
                trail_arn,
                rule,
                scope,
            } => match scope {
                RuleChange::Drop => write!(f, "data:{rule}:drop@{trail_arn}"),
                RuleChange::Only(r) => write!(f, "data:{rule}:only={}@{trail_arn}", r.join(",")),
                RuleChange::Except(r) => {
                    write!(f, "data:{rule}:except={}@{trail_arn}", r.join(","))
                }
            },
            Self::Insights {
                trail_arn,
                api_call_rate,
                api_error_rate,
                data_events,
            } => {
                let on: Vec<&str> = [
                    (*api_call_rate, "call"),
                    (*api_error_rate, "error"),
                    (*data_events, "data"),
                ]
                .into_iter()
                .filter_map(|(on, word)| on.then_some(word))
                .collect();
                let on = if on.is_empty() {
                    "none".to_owned()
                } else {
                    on.join(",")
                };
                write!(f, "insights:{on}@{trail_arn}")
            }
        }
    }
}

impl FromStr for Change {
    type Err = String;

    /// Reads the text form (see each variant). Errors: a sentence quoting the text and the forms.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{text:?} is not a change: use off@ARN, management:all|read|write|none@ARN, \
                 data:N:drop@ARN, data:N:only=BUCKET,…@ARN, data:N:except=BUCKET,…@ARN or \
                 insights:call,error,data|none@ARN"
            )
        };
        let (what, trail_arn) = text.split_once('@').ok_or_else(bad)?;
        if !trail_arn.starts_with("arn:") {
            return Err(bad());
        }
        let trail_arn = trail_arn.to_owned();
        let mut parts = what.splitn(3, ':');
        let change = match (parts.next(), parts.next(), parts.next()) {
            (Some("off"), None, None) => Self::TrailOff { trail_arn },
            (Some("management"), Some(kinds), None) => {
                let (read, write) = match kinds {
                    "all" => (true, true),
                    "read" => (true, false),
                    "write" => (false, true),
                    "none" => (false, false),
                    _ => return Err(bad()),
                };
                Self::Management {
                    trail_arn,
                    read,
                    write,
                }
            }
            (Some("data"), Some(rule), Some(scope)) => {
                let rule = rule.parse().map_err(|_| bad())?;
                let list = |s: &str| -> Vec<String> {
                    s.split(',')
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(str::to_owned)
                        .collect()
                };
                let scope = if scope == "drop" {
                    RuleChange::Drop
                } else if let Some(r) = scope.strip_prefix("only=") {
                    RuleChange::Only(list(r))
                } else if let Some(r) = scope.strip_prefix("except=") {
                    RuleChange::Except(list(r))
                } else {
                    return Err(bad());
                };
                Self::DataRule {
                    trail_arn,
                    rule,
                    scope,
                }
            }
            (Some("insights"), Some(types), None) => {
                let words: Vec<&str> = types.split(',').map(str::trim).collect();
                if words
                    .iter()
                    .any(|w| !["call", "error", "data", "none"].contains(w))
                {
                    return Err(bad());
                }
                Self::Insights {
                    trail_arn,
                    api_call_rate: words.contains(&"call"),
                    api_error_rate: words.contains(&"error"),
                    data_events: words.contains(&"data"),
                }
            }
            _ => return Err(bad()),
        };
        Ok(change)
    }
}

impl Serialize for Change {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
