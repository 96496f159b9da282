//! Advanced event selectors: one event category per selector, then the fields trails accept for
//! it (API Reference, AdvancedEventSelector and AdvancedFieldSelector).
use super::{Decoder, Grant, condition};
use crate::model::selectors::arn;
use crate::model::selectors::facts::{
    DataRule, DataScope, NetworkRule, Problem, ResourceType, SelectorRef,
};
use crate::model::selectors::wire::{AdvancedEventSelector, FieldSelector, Operator};

/// Fields a trail accepts in a data-event selector (API Reference, AdvancedEventSelector).
const DATA_FIELDS: [&str; 9] = [
    "eventCategory",
    "resources.type",
    "readOnly",
    "eventName",
    "eventSource",
    "eventType",
    "resources.ARN",
    "sessionCredentialFromConsole",
    "userIdentity.arn",
];
const TRAIL_CATEGORIES: [&str; 3] = ["Management", "Data", "NetworkActivity"];
/// Categories only event data stores accept (API Reference, AdvancedFieldSelector).
const LAKE_CATEGORIES: [&str; 4] = [
    "Insight",
    "ConfigurationItem",
    "Evidence",
    "ActivityAuditLog",
];

impl Decoder {
    pub(super) fn advanced(&mut self, who: &SelectorRef, selector: &AdvancedEventSelector) {
        for field in &selector.field_selectors {
            self.check_field(who, field);
        }
        let (categories, fields): (Vec<&FieldSelector>, Vec<&FieldSelector>) = selector
            .field_selectors
            .iter()
            .partition(|f| f.field == "eventCategory");
        if categories.is_empty() {
            self.warn(who, Problem::NoEventCategory);
            return;
        }
        for field in &categories {
            self.only_equals(who, field);
            for value in field
                .values()
                .filter(|v| !TRAIL_CATEGORIES.contains(&v.as_str()))
            {
                let problem = if LAKE_CATEGORIES.contains(&value.as_str()) {
                    Problem::LakeOnlyCategory(value.clone())
                } else {
                    Problem::UnknownCategory(value.clone())
                };
                self.warn(who, problem);
            }
        }
        let matched: Vec<&str> = TRAIL_CATEGORIES
            .into_iter()
            .filter(|category| categories.iter().all(|f| f.passes(category)))
            .collect();
        match matched.len() {
            0 => self.warn(who, Problem::MatchesNoCategory),
            1 => {}
            _ => self.warn(who, Problem::SeveralCategories),
        }
        for category in matched {
            match category {
                "Management" => self.advanced_management(who, &fields),
                "Data" => self.advanced_data(who, &fields),
                _ => self.advanced_network(who, &fields),
            }
        }
    }

    fn advanced_management(&mut self, who: &SelectorRef, fields: &[&FieldSelector]) {
        let (read, write) = self.read_write(who, fields);
        let mut grant = Grant {
            read,
            write,
            ..Grant::default()
        };
        for field in fields.iter().filter(|f| f.field != "readOnly") {
            let mut rest = (*field).clone();
            if field.field == "eventSource" {
                grant
                    .excluded
                    .extend(self.excluded_sources(who, &field.not_equals));
                rest.not_equals.clear();
                if !rest.has_values() {
                    continue;
                }
                self.warn(who, Problem::ManagementEventSource);
            } else {
                self.warn(who, Problem::NotManagementField(field.field.clone()));
            }
            grant.conditions.extend(condition(&rest));
        }
        self.grants.push(grant);
    }

    fn advanced_data(&mut self, who: &SelectorRef, fields: &[&FieldSelector]) {
        let (read, write) = self.read_write(who, fields);
        let (mut types, mut arns, mut conditions) = (Vec::new(), Vec::new(), Vec::new());
        for field in fields {
            match field.field.as_str() {
                "readOnly" => {}
                "resources.type" => {
                    self.only_equals(who, field);
                    types.extend(field.equals.iter().map(|t| ResourceType::parse(t)));
                    let rest = FieldSelector {
                        equals: Vec::new(),
                        ..(*field).clone()
                    };
                    conditions.extend(condition(&rest));
                }
                "resources.ARN" if arns.is_empty() => arns.push(*field),
                name => {
                    if name == "resources.ARN" {
                        self.warn(who, Problem::SeveralArnFields);
                    } else if !DATA_FIELDS.contains(&name) {
                        self.warn(who, Problem::NotDataField(name.to_owned()));
                    }
                    conditions.extend(condition(field));
                }
            }
        }
        if types.is_empty() {
            self.warn(who, Problem::NoResourceType);
            types.push(ResourceType::Unnamed);
        } else if types.len() > 1 {
            self.warn(who, Problem::SeveralResourceTypes);
        }
        for resource_type in types {
            let scope = match arns.first() {
                Some(field) => {
                    self.check_arn_field(who, &resource_type, field);
                    arn::scope(&resource_type, field)
                }
                None => DataScope::all(),
            };
            self.data.push(DataRule {
                resource_type,
                read,
                write,
                scope,
                conditions: conditions.clone(),
            });
        }
    }

    fn check_arn_field(
        &mut self,
        who: &SelectorRef,
        resource_type: &ResourceType,
        field: &FieldSelector,
    ) {
        for value in &field.equals {
            self.check_arn(who, resource_type, value, false);
        }
        for value in &field.starts_with {
            self.check_arn(who, resource_type, value, true);
        }
        if field
            .not_starts_with
            .iter()
            .any(|v| arn::covers_all(resource_type, v))
        {
            self.warn(who, Problem::ExcludesEverything);
        }
    }

    fn advanced_network(&mut self, who: &SelectorRef, fields: &[&FieldSelector]) {
        let (mut sources, mut conditions) = (Vec::new(), Vec::new());
        for field in fields {
            match field.field.as_str() {
                "eventSource" => {
                    self.only_equals(who, field);
                    sources.extend(field.equals.iter().cloned());
                    let rest = FieldSelector {
                        equals: Vec::new(),
                        ..(*field).clone()
                    };
                    conditions.extend(condition(&rest));
                }
                "errorCode" => {
                    self.only_equals(who, field);
                    for value in field.values().filter(|v| *v != "VpceAccessDenied") {
                        self.warn(who, Problem::NotVpceAccessDenied(value.clone()));
                    }
                    conditions.extend(condition(field));
                }
                "eventName" | "vpcEndpointId" => conditions.extend(condition(field)),
                name => {
                    self.warn(who, Problem::NotNetworkField(name.to_owned()));
                    conditions.extend(condition(field));
                }
            }
        }
        if sources.is_empty() {
            self.warn(who, Problem::NoNetworkSource);
            sources.push(String::new());
        } else if sources.len() > 1 {
            self.warn(who, Problem::SeveralNetworkSources);
        }
        for event_source in sources {
            self.network.push(NetworkRule {
                event_source,
                conditions: conditions.clone(),
            });
        }
    }

    /// (read, write) the `readOnly` fields let through: `true` is a read event, `false` a write.
    fn read_write(&mut self, who: &SelectorRef, fields: &[&FieldSelector]) -> (bool, bool) {
        let flags: Vec<&&FieldSelector> = fields.iter().filter(|f| f.field == "readOnly").collect();
        for field in &flags {
            self.only_equals(who, field);
            for value in field.values().filter(|v| *v != "true" && *v != "false") {
                self.warn(who, Problem::ReadOnlyValue(value.clone()));
            }
        }
        let read = flags.iter().all(|f| f.passes("true"));
        let write = flags.iter().all(|f| f.passes("false"));
        if !read && !write {
            self.warn(who, Problem::ReadOnlyMatchesNothing);
        }
        (read, write)
    }

    fn check_field(&mut self, who: &SelectorRef, field: &FieldSelector) {
        if field.field.is_empty() {
            self.warn(who, Problem::FieldWithoutName);
        }
        if !field.has_values() {
            self.warn(who, Problem::FieldWithoutValues(field.field.clone()));
        }
        let only_equals = field.starts_with.is_empty() && field.ends_with.is_empty();
        if only_equals && !field.equals.is_empty() && !field.equals.iter().any(|v| field.passes(v))
        {
            self.warn(who, Problem::Contradiction(field.field.clone()));
        }
    }

    /// AWS accepts only Equals on readOnly, eventCategory, resources.type, errorCode and the
    /// network activity eventSource.
    fn only_equals(&mut self, who: &SelectorRef, field: &FieldSelector) {
        for (operator, values) in field.operators() {
            if operator != Operator::Equals && !values.is_empty() {
                let problem = Problem::OnlyEquals {
                    field: field.field.clone(),
                    operator,
                };
                self.warn(who, problem);
            }
        }
    }
}
