//! Decoding the wire shapes into [`DecodedSelectors`]. Semantics follow the CloudTrail API
//! Reference (EventSelector, DataResource, AdvancedFieldSelector, InsightSelector) and User Guide
//! ("Filtering data events by using advanced event selectors", "Logging network activity events",
//! "Managing trails with the AWS CLI"). Nothing is dropped: what cannot be decoded, or would be
//! rejected by AWS, becomes a [`Warning`].
mod advanced;

use super::arn;
use super::facts::{
    Condition, DataRule, DataScope, DecodedSelectors, InsightCategory, InsightRule, InsightType,
    Management, NetworkRule, Problem, ResourceType, Selected, SelectorRef, Warning,
};
use super::wire::{EventSelector, EventSelectorsResponse, FieldSelector, InsightSelectorsResponse};
use std::collections::BTreeSet;

/// The only management sources a trail can leave out (API Reference, EventSelector).
pub const EXCLUDABLE_SOURCES: [&str; 2] = ["kms.amazonaws.com", "rdsdata.amazonaws.com"];

/// Decodes a trail's selectors. Never fails: what it cannot read becomes a warning.
pub fn decode(
    events: &EventSelectorsResponse,
    insights: &InsightSelectorsResponse,
) -> DecodedSelectors {
    let mut decoder = Decoder::default();
    let (basic, advanced) = (&events.event_selectors, &events.advanced_event_selectors);
    if basic.is_empty() && advanced.is_empty() {
        // No selectors: all read and write management events, no data events (PutEventSelectors).
        decoder.grants.push(Grant {
            read: true,
            write: true,
            ..Grant::default()
        });
    } else if !basic.is_empty() && !advanced.is_empty() {
        decoder.warn(&SelectorRef::Trail, Problem::BothKinds);
    }
    for (index, selector) in basic.iter().enumerate() {
        decoder.basic(&SelectorRef::Basic(index + 1), selector);
    }
    for (index, selector) in advanced.iter().enumerate() {
        let name = selector.name.clone().filter(|name| !name.is_empty());
        let who = SelectorRef::Advanced {
            number: index + 1,
            name,
        };
        decoder.advanced(&who, selector);
    }
    let management = decoder.management();
    let insights = decoder.insights(insights, &management);
    DecodedSelectors {
        management,
        data: decoder.data,
        network_activity: decoder.network,
        insights,
        warnings: decoder.warnings,
    }
}

/// Management events one selector lets through; the trail logs the union of its grants.
#[derive(Default)]
struct Grant {
    read: bool,
    write: bool,
    excluded: BTreeSet<String>,
    /// Only from fields AWS rejects on trails.
    conditions: Vec<Condition>,
}

#[derive(Default)]
struct Decoder {
    grants: Vec<Grant>,
    data: Vec<DataRule>,
    network: Vec<NetworkRule>,
    warnings: Vec<Warning>,
}

impl Decoder {
    fn warn(&mut self, selector: &SelectorRef, problem: Problem) {
        self.warnings.push(Warning {
            selector: selector.clone(),
            problem,
        });
    }

    fn basic(&mut self, who: &SelectorRef, selector: &EventSelector) {
        let access = match selector.read_write_type.as_deref() {
            None | Some("All") => (true, true),
            Some("ReadOnly") => (true, false),
            Some("WriteOnly") => (false, true),
            Some(other) => {
                self.warn(who, Problem::UnknownReadWriteType(other.to_owned()));
                (false, false)
            }
        };
        if selector.include_management_events.unwrap_or(true) {
            let excluded = self.excluded_sources(who, &selector.exclude_management_event_sources);
            let (read, write) = access;
            self.grants.push(Grant {
                read,
                write,
                excluded,
                conditions: Vec::new(),
            });
        } else if selector.data_resources.is_empty() {
            self.warn(who, Problem::LogsNothing);
        }
        for resource in &selector.data_resources {
            let wire_type = resource.resource_type.clone().unwrap_or_default();
            let resource_type = ResourceType::parse(&wire_type);
            if !resource_type.is_basic() {
                self.warn(who, Problem::NotBasicResourceType(wire_type.clone()));
            }
            if resource.values.is_empty() {
                self.warn(who, Problem::NoValues(wire_type.clone()));
            }
            for value in &resource.values {
                let is_s3 = resource_type == ResourceType::S3Object;
                self.check_arn(who, &resource_type, value, is_s3);
                // S3 values are prefixes; function ARNs are exact (API Reference, DataResource).
                let exact = matches!(
                    resource_type,
                    ResourceType::LambdaFunction | ResourceType::DynamoDbTable
                );
                let scope = if exact && !arn::covers_all(&resource_type, value) {
                    DataScope {
                        selected: Selected::Any(vec![arn::exact(&resource_type, value)]),
                        except: Vec::new(),
                    }
                } else {
                    match arn::prefix(&resource_type, value) {
                        Some(one) => DataScope {
                            selected: Selected::Any(vec![one]),
                            except: Vec::new(),
                        },
                        None => DataScope::all(),
                    }
                };
                self.data.push(DataRule {
                    resource_type: resource_type.clone(),
                    read: access.0,
                    write: access.1,
                    scope,
                    conditions: Vec::new(),
                });
            }
        }
    }

    fn excluded_sources(&mut self, who: &SelectorRef, sources: &[String]) -> BTreeSet<String> {
        for source in sources
            .iter()
            .filter(|s| !EXCLUDABLE_SOURCES.contains(&s.as_str()))
        {
            self.warn(who, Problem::NotExcludable(source.clone()));
        }
        sources.iter().cloned().collect()
    }

    fn check_arn(
        &mut self,
        who: &SelectorRef,
        resource_type: &ResourceType,
        value: &str,
        is_prefix: bool,
    ) {
        if let (Some(expected), Some((service, _))) =
            (resource_type.arn_service(), arn::service(value))
            && service != expected
        {
            let problem = Problem::WrongArnService {
                value: value.to_owned(),
                resource_type: resource_type.clone(),
            };
            self.warn(who, problem);
        }
        if let Some(bucket) =
            arn::s3_path(value).filter(|path| !path.is_empty() && !path.contains('/'))
            && is_prefix
            && *resource_type == ResourceType::S3Object
        {
            let problem = Problem::NoBucketSlash {
                value: value.to_owned(),
                bucket: bucket.to_owned(),
            };
            self.warn(who, problem);
        }
    }

    fn management(&self) -> Management {
        let read = self.grants.iter().any(|g| g.read);
        let write = self.grants.iter().any(|g| g.write);
        // A source is missing from reads only if every grant logging reads leaves it out.
        let read_excluded = common_exclusions(self.grants.iter().filter(|g| g.read));
        let write_excluded = common_exclusions(self.grants.iter().filter(|g| g.write));
        let excluded: BTreeSet<String> = match (read, write) {
            (true, true) => read_excluded
                .intersection(&write_excluded)
                .cloned()
                .collect(),
            (true, false) => read_excluded.clone(),
            _ => write_excluded.clone(),
        };
        let only = |kind_excluded: &BTreeSet<String>| -> Vec<String> {
            if read && write {
                kind_excluded.difference(&excluded).cloned().collect()
            } else {
                Vec::new()
            }
        };
        Management {
            read,
            write,
            excluded_from_reads: only(&read_excluded),
            excluded_from_writes: only(&write_excluded),
            excluded_sources: excluded.into_iter().collect(),
            conditions: self
                .grants
                .iter()
                .flat_map(|g| g.conditions.clone())
                .collect(),
        }
    }

    fn insights(
        &mut self,
        response: &InsightSelectorsResponse,
        management: &Management,
    ) -> Vec<InsightRule> {
        let trail = SelectorRef::Trail;
        let mut insights = Vec::new();
        for selector in &response.insight_selectors {
            // ApiCallRateInsight needs write management events, ApiErrorRateInsight read or write
            // ones (User Guide, "Managing trails with the AWS CLI").
            let (insight_type, logged) = match selector.insight_type.as_deref().unwrap_or_default()
            {
                "ApiCallRateInsight" => (InsightType::ApiCallRate, management.write),
                "ApiErrorRateInsight" => (
                    InsightType::ApiErrorRate,
                    management.read || management.write,
                ),
                other => {
                    self.warn(&trail, Problem::UnknownInsightType(other.to_owned()));
                    (InsightType::Other(other.to_owned()), true)
                }
            };
            let mut categories = Vec::new();
            for category in &selector.event_categories {
                categories.push(match category.as_str() {
                    "Management" => InsightCategory::Management,
                    "Data" => InsightCategory::Data,
                    other => {
                        self.warn(&trail, Problem::UnknownInsightCategory(other.to_owned()));
                        InsightCategory::Other(other.to_owned())
                    }
                });
            }
            // Without EventCategories, Insights covers management events (API Reference).
            if categories.is_empty() {
                categories.push(InsightCategory::Management);
            }
            if !logged && categories.contains(&InsightCategory::Management) {
                self.warn(&trail, Problem::InsightWithoutEvents(insight_type.clone()));
            }
            insights.push(InsightRule {
                insight_type,
                categories,
            });
        }
        insights
    }
}

/// The condition a field selector states, if it has any value.
fn condition(field: &FieldSelector) -> Option<Condition> {
    let tests: Vec<_> = field
        .operators()
        .into_iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(operator, values)| (operator, values.to_vec()))
        .collect();
    (!tests.is_empty()).then(|| Condition {
        field: field.field.clone(),
        tests,
    })
}

fn common_exclusions<'a>(mut grants: impl Iterator<Item = &'a Grant>) -> BTreeSet<String> {
    let Some(first) = grants.next() else {
        return BTreeSet::new();
    };
    grants.fold(first.excluded.clone(), |common, g| {
        common.intersection(&g.excluded).cloned().collect()
    })
}
