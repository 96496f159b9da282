//! Decoding of a trail's event and Insights selectors into plain sentences and the facts coverage
//! and CIS checks use. Inputs are the GetEventSelectors / GetInsightSelectors wire shapes
//! (awsJson1.1). Semantics follow the CloudTrail API Reference (EventSelector, DataResource,
//! AdvancedFieldSelector, InsightSelector) and User Guide ("Filtering data events by using advanced
//! event selectors", "Logging network activity events", "Managing trails with the AWS CLI").
//! Nothing is dropped: what cannot be decoded, or would be rejected by AWS, becomes a warning.
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;

/// AWS and moto leave out empty members or send `null`; both mean "none".
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// A GetEventSelectors response. AWS fills one of the lists; moto may fill both or neither.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EventSelectorsResponse {
    #[serde(rename = "TrailARN")]
    pub trail_arn: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub event_selectors: Vec<EventSelector>,
    #[serde(deserialize_with = "null_as_default")]
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

/// A basic selector. Enum-like members stay strings so unknown values reach the user as warnings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`; absent means `All`.
    pub read_write_type: Option<String>,
    /// Absent means `true`.
    pub include_management_events: Option<bool>,
    #[serde(deserialize_with = "null_as_default")]
    pub data_resources: Vec<DataResource>,
    #[serde(deserialize_with = "null_as_default")]
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DataResource {
    #[serde(rename = "Type")]
    pub resource_type: Option<String>,
    /// ARN prefixes (S3) or ARNs (Lambda, DynamoDB); `arn:aws:s3` etc. mean every resource.
    #[serde(deserialize_with = "null_as_default")]
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdvancedEventSelector {
    pub name: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub field_selectors: Vec<FieldSelector>,
}

/// One condition of an advanced selector: an event field and the values each operator uses.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FieldSelector {
    #[serde(deserialize_with = "null_as_default")]
    pub field: String,
    #[serde(deserialize_with = "null_as_default")]
    pub equals: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub starts_with: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub ends_with: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub not_equals: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub not_starts_with: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub not_ends_with: Vec<String>,
}

/// A GetInsightSelectors response; no selectors means Insights is off (AWS then answers
/// `InsightNotEnabledException`, moto just the ARN).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InsightSelectorsResponse {
    #[serde(rename = "TrailARN")]
    pub trail_arn: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub insight_selectors: Vec<InsightSelector>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InsightSelector {
    /// `ApiCallRateInsight` or `ApiErrorRateInsight`.
    pub insight_type: Option<String>,
    /// `Management` and/or `Data`; empty means `Management`.
    #[serde(deserialize_with = "null_as_default")]
    pub event_categories: Vec<String>,
}

/// What a trail logs, in words and as flags.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecodedSelectors {
    pub management: Management,
    /// One rule per basic data resource value or per advanced data selector, in selector order.
    pub data: Vec<DataRule>,
    pub network_activity: Vec<NetworkRule>,
    /// E.g. "API call rate (management events)".
    pub insights: Vec<String>,
    /// Sentences about what cannot be decoded, is not valid on a trail or can never match.
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Management {
    /// Read management events are logged (possibly with exclusions or conditions).
    pub read: bool,
    /// Write management events are logged (possibly with exclusions or conditions).
    pub write: bool,
    /// Sources left out of every logged kind, e.g. `kms.amazonaws.com`.
    pub excluded_sources: Vec<String>,
    /// Every other restriction in words, e.g. a source left out of read events only.
    pub conditions: Vec<String>,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataRule {
    /// `resources.type` or the basic `Type`, e.g. `AWS::S3::Object`; empty if there is none.
    pub resource_type: String,
    pub resource_label: String,
    pub read: bool,
    pub write: bool,
    /// Which resources, e.g. "objects in bucket amzn-s3-demo-bucket".
    pub scope: String,
    /// Further conditions, all of which must hold.
    pub conditions: Vec<String>,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkRule {
    /// E.g. `kms.amazonaws.com`; empty if the selector has none.
    pub event_source: String,
    pub conditions: Vec<String>,
    pub summary: String,
}

impl DecodedSelectors {
    /// Read and write management events from every source, without conditions (the management
    /// part of CIS 3.1, "CloudTrail enabled in all Regions").
    pub fn logs_all_management_events(&self) -> bool {
        let m = &self.management;
        m.read && m.write && m.excluded_sources.is_empty() && m.conditions.is_empty()
    }

    /// (read, write): some rule logs that kind of data event for every S3 object, unconditionally
    /// (CIS v3.0.0 3.8 / 3.9; 3.10 / 3.11 in v1.4–v2.0).
    pub fn logs_s3_data_events(&self) -> (bool, bool) {
        self.data
            .iter()
            .filter(|r| r.resource_type == S3_OBJECT && r.scope == ALL_S3_OBJECTS)
            .filter(|r| r.conditions.is_empty())
            .fold((false, false), |(read, write), r| {
                (read || r.read, write || r.write)
            })
    }

    /// Everything decoded, one sentence per line, for a plain list.
    pub fn lines(&self) -> Vec<String> {
        let sentence = |text: &String| format!("{text}.");
        let mut lines = vec![sentence(&self.management.summary)];
        lines.extend(self.data.iter().map(|r| sentence(&r.summary)));
        if self.data.is_empty() {
            lines.push("No data events.".to_owned());
        }
        lines.extend(self.network_activity.iter().map(|r| sentence(&r.summary)));
        if self.network_activity.is_empty() {
            lines.push("No network activity events.".to_owned());
        }
        lines.extend(self.insights.iter().map(|i| format!("Insights: {i}.")));
        if self.insights.is_empty() {
            lines.push("Insights events are not enabled.".to_owned());
        }
        lines.extend(self.warnings.iter().map(|w| format!("Warning: {w}")));
        lines
    }
}

const S3_OBJECT: &str = "AWS::S3::Object";
const LAMBDA_FUNCTION: &str = "AWS::Lambda::Function";
const DYNAMODB_TABLE: &str = "AWS::DynamoDB::Table";
/// The scope of a rule covering every S3 object; `logs_s3_data_events` looks for it.
const ALL_S3_OBJECTS: &str = "all S3 objects in the account";
/// The only management sources a trail can leave out (API Reference, EventSelector).
const EXCLUDABLE_SOURCES: [&str; 2] = ["kms.amazonaws.com", "rdsdata.amazonaws.com"];
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
        decoder.warn(
            "The trail reports both basic and advanced event selectors; AWS keeps only one \
             kind per trail, so this shows both and may overstate what is logged."
                .to_owned(),
        );
    }
    for (index, selector) in basic.iter().enumerate() {
        decoder.basic(index + 1, selector);
    }
    for (index, selector) in advanced.iter().enumerate() {
        decoder.advanced(index + 1, selector);
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
    /// Only from fields AWS rejects on trails; the summary then applies them to all management
    /// events, which can understate but never overstate what is logged.
    conditions: Vec<String>,
}

#[derive(Default)]
struct Decoder {
    grants: Vec<Grant>,
    data: Vec<DataRule>,
    network: Vec<NetworkRule>,
    warnings: Vec<String>,
}

impl Decoder {
    fn warn(&mut self, warning: String) {
        self.warnings.push(warning);
    }

    fn basic(&mut self, number: usize, selector: &EventSelector) {
        let who = format!("Basic event selector {number}");
        let access = match selector.read_write_type.as_deref() {
            None | Some("All") => (true, true),
            Some("ReadOnly") => (true, false),
            Some("WriteOnly") => (false, true),
            Some(other) => {
                self.warn(format!(
                    "{who} has ReadWriteType \"{other}\", which is not All, ReadOnly or WriteOnly; \
                     it is counted as logging nothing."
                ));
                (false, false)
            }
        };
        if selector.include_management_events.unwrap_or(true) {
            let excluded = self.excluded_sources(&who, &selector.exclude_management_event_sources);
            let (read, write) = access;
            self.grants.push(Grant {
                read,
                write,
                excluded,
                conditions: Vec::new(),
            });
        } else if selector.data_resources.is_empty() {
            self.warn(format!(
                "{who} has neither management events nor data resources, so it logs nothing."
            ));
        }
        for resource in &selector.data_resources {
            let resource_type = resource.resource_type.clone().unwrap_or_default();
            if ![S3_OBJECT, LAMBDA_FUNCTION, DYNAMODB_TABLE].contains(&resource_type.as_str()) {
                self.warn(format!(
                    "{who} has data resource type \"{resource_type}\"; basic selectors accept only \
                     AWS::S3::Object, AWS::Lambda::Function and AWS::DynamoDB::Table."
                ));
            }
            if resource.values.is_empty() {
                self.warn(format!(
                    "{who} lists {resource_type} without values, so it logs no such data events."
                ));
            }
            for value in &resource.values {
                self.check_arn(&who, &resource_type, value, resource_type == S3_OBJECT);
                // S3 values are prefixes; function ARNs are exact (API Reference, DataResource).
                let scope = match resource_type.as_str() {
                    LAMBDA_FUNCTION | DYNAMODB_TABLE if !covers_all(&resource_type, value) => {
                        exact_scope(&resource_type, value)
                    }
                    _ => prefix_scope(&resource_type, value)
                        .unwrap_or_else(|| all_scope(&resource_type)),
                };
                self.push_data(resource_type.clone(), access, scope, Vec::new());
            }
        }
    }

    fn advanced(&mut self, number: usize, selector: &AdvancedEventSelector) {
        let who = match selector.name.as_deref() {
            Some(name) if !name.is_empty() => format!("Advanced event selector \"{name}\""),
            _ => format!("Advanced event selector {number}"),
        };
        for field in &selector.field_selectors {
            self.check_field(&who, field);
        }
        let (categories, fields): (Vec<&FieldSelector>, Vec<&FieldSelector>) = selector
            .field_selectors
            .iter()
            .partition(|f| f.field == "eventCategory");
        if categories.is_empty() {
            self.warn(format!(
                "{who} has no eventCategory, which AWS requires, so what it logs is unknown."
            ));
            return;
        }
        for field in &categories {
            self.only_equals(&who, field);
            for value in values(field).filter(|v| !TRAIL_CATEGORIES.contains(&v.as_str())) {
                if LAKE_CATEGORIES.contains(&value.as_str()) {
                    self.warn(format!(
                        "{who} uses eventCategory {value}, which only event data stores accept."
                    ));
                } else {
                    self.warn(format!("{who} uses the unknown eventCategory \"{value}\"."));
                }
            }
        }
        let matched: Vec<&str> = TRAIL_CATEGORIES
            .into_iter()
            .filter(|category| categories.iter().all(|f| passes(f, category)))
            .collect();
        match matched.len() {
            0 => self.warn(format!(
                "{who} matches no event category a trail logs, so it logs nothing."
            )),
            1 => {}
            _ => self.warn(format!(
                "{who} matches several event categories; AWS allows one per selector."
            )),
        }
        for category in matched {
            match category {
                "Management" => self.advanced_management(&who, &fields),
                "Data" => self.advanced_data(&who, &fields),
                _ => self.advanced_network(&who, &fields),
            }
        }
    }

    fn advanced_management(&mut self, who: &str, fields: &[&FieldSelector]) {
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
                if !has_values(&rest) {
                    continue;
                }
                self.warn(format!(
                    "{who}: for management events a trail accepts eventSource only with NotEquals \
                     kms.amazonaws.com or rdsdata.amazonaws.com."
                ));
            } else {
                self.warn(format!(
                    "{who}: {} is not a field trails accept for management events (only \
                     eventCategory, readOnly and eventSource are).",
                    field.field
                ));
            }
            grant.conditions.extend(describe_field(&rest));
        }
        self.grants.push(grant);
    }

    fn advanced_data(&mut self, who: &str, fields: &[&FieldSelector]) {
        let access = self.read_write(who, fields);
        let (mut types, mut arns, mut conditions) = (Vec::new(), Vec::new(), Vec::new());
        for field in fields {
            match field.field.as_str() {
                "readOnly" => {}
                "resources.type" => {
                    self.only_equals(who, field);
                    types.extend(field.equals.iter().cloned());
                    let rest = FieldSelector {
                        equals: Vec::new(),
                        ..(*field).clone()
                    };
                    conditions.extend(describe_field(&rest));
                }
                "resources.ARN" if arns.is_empty() => arns.push(*field),
                name => {
                    if name == "resources.ARN" {
                        self.warn(format!(
                            "{who} has several resources.ARN fields; all must match."
                        ));
                    } else if !DATA_FIELDS.contains(&name) {
                        self.warn(format!(
                            "{who}: {name} is not a field trails accept for data events."
                        ));
                    }
                    conditions.extend(describe_field(field));
                }
            }
        }
        if types.is_empty() {
            self.warn(format!(
                "{who} has no resources.type Equals value, which AWS requires."
            ));
            types.push(String::new());
        } else if types.len() > 1 {
            self.warn(format!(
                "{who} names several resource types; AWS allows one per selector."
            ));
        }
        for resource_type in types {
            let scope = match arns.first() {
                Some(arn) => {
                    self.check_arn_field(who, &resource_type, arn);
                    arn_scope(&resource_type, arn)
                }
                None => all_scope(&resource_type),
            };
            self.push_data(resource_type, access, scope, conditions.clone());
        }
    }

    fn check_arn_field(&mut self, who: &str, resource_type: &str, arn: &FieldSelector) {
        for value in &arn.equals {
            self.check_arn(who, resource_type, value, false);
        }
        for value in &arn.starts_with {
            self.check_arn(who, resource_type, value, true);
        }
        if arn
            .not_starts_with
            .iter()
            .any(|v| covers_all(resource_type, v))
        {
            self.warn(format!(
                "{who} excludes every resource of its type, so it logs nothing."
            ));
        }
    }

    fn advanced_network(&mut self, who: &str, fields: &[&FieldSelector]) {
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
                    conditions.extend(describe_field(&rest));
                }
                "errorCode" => {
                    self.only_equals(who, field);
                    for value in values(field).filter(|v| *v != "VpceAccessDenied") {
                        self.warn(format!(
                            "{who}: errorCode \"{value}\" is not VpceAccessDenied, the only value."
                        ));
                    }
                    conditions.extend(describe_field(field));
                }
                "eventName" | "vpcEndpointId" => conditions.extend(describe_field(field)),
                name => {
                    self.warn(format!(
                        "{who}: {name} is not a field trails accept for network activity."
                    ));
                    conditions.extend(describe_field(field));
                }
            }
        }
        if sources.is_empty() {
            self.warn(format!(
                "{who} has no eventSource Equals value, which AWS requires."
            ));
            sources.push(String::new());
        } else if sources.len() > 1 {
            self.warn(format!(
                "{who} names several event sources; AWS expects a selector for each."
            ));
        }
        for event_source in sources {
            let service = match event_source.as_str() {
                "" => "any event source",
                source => service_name(source),
            };
            let head =
                format!("Network activity events (calls through VPC endpoints) for {service}");
            let summary = with_conditions(head, &conditions);
            let conditions = conditions.clone();
            self.network.push(NetworkRule {
                event_source,
                conditions,
                summary,
            });
        }
    }

    /// (read, write) the `readOnly` fields let through: `true` is a read event, `false` a write.
    fn read_write(&mut self, who: &str, fields: &[&FieldSelector]) -> (bool, bool) {
        let flags: Vec<&&FieldSelector> = fields.iter().filter(|f| f.field == "readOnly").collect();
        for field in &flags {
            self.only_equals(who, field);
            for value in values(field).filter(|v| *v != "true" && *v != "false") {
                self.warn(format!(
                    "{who}: readOnly value \"{value}\" is neither true nor false."
                ));
            }
        }
        let read = flags.iter().all(|f| passes(f, "true"));
        let write = flags.iter().all(|f| passes(f, "false"));
        if !read && !write {
            self.warn(format!(
                "{who}: its readOnly condition matches neither read nor write events."
            ));
        }
        (read, write)
    }

    fn excluded_sources(&mut self, who: &str, sources: &[String]) -> BTreeSet<String> {
        for source in sources
            .iter()
            .filter(|s| !EXCLUDABLE_SOURCES.contains(&s.as_str()))
        {
            self.warn(format!(
                "{who} excludes {source}; trails can exclude only kms.amazonaws.com and \
                 rdsdata.amazonaws.com."
            ));
        }
        sources.iter().cloned().collect()
    }

    fn check_field(&mut self, who: &str, field: &FieldSelector) {
        let name = &field.field;
        if name.is_empty() {
            self.warn(format!("{who} has a field selector without a Field."));
        }
        if !has_values(field) {
            self.warn(format!(
                "{who}: {name} has no values, so it filters nothing."
            ));
        }
        let only_equals = field.starts_with.is_empty() && field.ends_with.is_empty();
        if only_equals && !field.equals.is_empty() && !field.equals.iter().any(|v| passes(field, v))
        {
            self.warn(format!(
                "{who}: the conditions on {name} exclude every value they include, so it logs \
                 nothing."
            ));
        }
    }

    /// AWS accepts only Equals on readOnly, eventCategory, resources.type, errorCode and the
    /// network activity eventSource.
    fn only_equals(&mut self, who: &str, field: &FieldSelector) {
        for (operator, values) in operators(field) {
            if operator != "Equals" && !values.is_empty() {
                self.warn(format!(
                    "{who}: {} accepts only Equals, not {operator}.",
                    field.field
                ));
            }
        }
    }

    fn check_arn(&mut self, who: &str, resource_type: &str, value: &str, is_prefix: bool) {
        if let (Some(expected), Some((service, _))) =
            (service_of(resource_type), arn_service(value))
            && service != expected
        {
            let label = resource_label(resource_type);
            self.warn(format!(
                "{who}: \"{value}\" is not an ARN of {label}, so it never matches."
            ));
        }
        if let Some(bucket) = s3_path(value).filter(|path| !path.is_empty() && !path.contains('/'))
            && is_prefix
            && resource_type == S3_OBJECT
        {
            self.warn(format!(
                "{who}: \"{value}\" has no slash after the bucket name, so it matches every bucket \
                 whose name starts with \"{bucket}\"."
            ));
        }
    }

    fn push_data(
        &mut self,
        resource_type: String,
        access: (bool, bool),
        scope: String,
        conditions: Vec<String>,
    ) {
        let (read, write) = access;
        let head = format!("{} data events for {scope}", access_phrase(read, write));
        let summary = with_conditions(head, &conditions);
        let resource_label = resource_label(&resource_type);
        let rule = DataRule {
            resource_type,
            resource_label,
            read,
            write,
            scope,
            conditions,
            summary,
        };
        self.data.push(rule);
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
        let mut phrases = Vec::new();
        if !excluded.is_empty() {
            let names: Vec<String> = excluded
                .iter()
                .map(|s| service_name(s).to_owned())
                .collect();
            phrases.push(format!("{} events", join_words(&names, "and")));
        }
        let mut conditions = Vec::new();
        for (kind, kind_excluded) in [("read", &read_excluded), ("write", &write_excluded)] {
            for source in kind_excluded
                .difference(&excluded)
                .filter(|_| read && write)
            {
                phrases.push(format!("{} {kind} events", service_name(source)));
                conditions.push(format!(
                    "{} {kind} events are not logged",
                    service_name(source)
                ));
            }
        }
        let only_when: Vec<String> = self
            .grants
            .iter()
            .flat_map(|g| g.conditions.clone())
            .collect();
        conditions.extend(only_when.iter().cloned());
        let summary = match (read, write) {
            (false, false) => "No management events".to_owned(),
            (true, true) if phrases.is_empty() && only_when.is_empty() => {
                "All management events (read and write)".to_owned()
            }
            _ => {
                let mut head = format!("{} management events", access_phrase(read, write));
                if !phrases.is_empty() {
                    head = format!("{head}, excluding {}", join_words(&phrases, "and"));
                }
                with_conditions(head, &only_when)
            }
        };
        let excluded_sources = excluded.into_iter().collect();
        Management {
            read,
            write,
            excluded_sources,
            conditions,
            summary,
        }
    }

    fn insights(
        &mut self,
        response: &InsightSelectorsResponse,
        management: &Management,
    ) -> Vec<String> {
        let mut insights = Vec::new();
        for selector in &response.insight_selectors {
            let insight_type = selector.insight_type.as_deref().unwrap_or_default();
            // ApiCallRateInsight needs write management events, ApiErrorRateInsight read or write
            // ones (User Guide, "Managing trails with the AWS CLI").
            let (kind, logged, needed) = match insight_type {
                "ApiCallRateInsight" => {
                    ("API call rate", management.write, "write management events")
                }
                "ApiErrorRateInsight" => (
                    "API error rate",
                    management.read || management.write,
                    "management events",
                ),
                other => {
                    self.warn(format!(
                        "Insights type \"{other}\" is not ApiCallRateInsight or \
                         ApiErrorRateInsight."
                    ));
                    (other, true, "")
                }
            };
            // Without EventCategories, Insights covers management events (API Reference).
            let mut words = Vec::new();
            for category in &selector.event_categories {
                match category.as_str() {
                    "Management" => words.push("management".to_owned()),
                    "Data" => words.push("data".to_owned()),
                    other => {
                        self.warn(format!(
                            "Insights event category \"{other}\" is not Management or Data."
                        ));
                        words.push(other.to_owned());
                    }
                }
            }
            if words.is_empty() {
                words.push("management".to_owned());
            }
            if !logged && words.iter().any(|w| w == "management") {
                self.warn(format!(
                    "{kind} Insights on management events need {needed}, which the trail does \
                     not log."
                ));
            }
            insights.push(format!("{kind} ({} events)", join_words(&words, "and")));
        }
        insights
    }
}

fn values(field: &FieldSelector) -> impl Iterator<Item = &String> {
    operators(field)
        .into_iter()
        .flat_map(|(_, values)| values.iter())
}

fn operators(field: &FieldSelector) -> [(&'static str, &[String]); 6] {
    [
        ("Equals", &field.equals),
        ("StartsWith", &field.starts_with),
        ("EndsWith", &field.ends_with),
        ("NotEquals", &field.not_equals),
        ("NotStartsWith", &field.not_starts_with),
        ("NotEndsWith", &field.not_ends_with),
    ]
}

fn has_values(field: &FieldSelector) -> bool {
    values(field).next().is_some()
}

/// Whether `value` passes: one SELECT value (Equals, StartsWith, EndsWith) must match if there are
/// any, and no DESELECT value (NotEquals, NotStartsWith, NotEndsWith) may (User Guide, "How
/// CloudTrail evaluates multiple conditions for a field").
fn passes(field: &FieldSelector, value: &str) -> bool {
    let selects = [&field.equals, &field.starts_with, &field.ends_with];
    let selected = selects.iter().all(|values| values.is_empty())
        || field.equals.iter().any(|v| v == value)
        || field
            .starts_with
            .iter()
            .any(|v| value.starts_with(v.as_str()))
        || field.ends_with.iter().any(|v| value.ends_with(v.as_str()));
    let deselected = field.not_equals.iter().any(|v| v == value)
        || field
            .not_starts_with
            .iter()
            .any(|v| value.starts_with(v.as_str()))
        || field
            .not_ends_with
            .iter()
            .any(|v| value.ends_with(v.as_str()));
    selected && !deselected
}

/// The field selector in words: one condition for its SELECT values, one for its DESELECTs.
fn describe_field(field: &FieldSelector) -> Vec<String> {
    if field.field == "sessionCredentialFromConsole" && values(field).count() == 1 {
        let console = "the call comes from an AWS Management Console session";
        match (field.equals.first(), field.not_equals.first()) {
            (Some(v), _) if v == "true" => return vec![console.to_owned()],
            (_, Some(v)) if v == "true" => return vec![console.replace("comes", "does not come")],
            _ => {}
        }
    }
    let shown = |values: &[String]| -> Vec<String> {
        values
            .iter()
            .map(|v| value_label(&field.field, v))
            .collect()
    };
    let (mut selects, mut deselects) = (Vec::new(), Vec::new());
    for (operator, values) in operators(field).into_iter().filter(|(_, v)| !v.is_empty()) {
        let (words, negated) = match operator {
            "Equals" => ("is", None),
            "StartsWith" => ("starts with", None),
            "EndsWith" => ("ends with", None),
            "NotEquals" => ("is not", Some("is none of")),
            "NotStartsWith" => ("does not start with", Some("starts with none of")),
            _ => ("does not end with", Some("ends with none of")),
        };
        match (shown(values), negated) {
            (listed, None) => selects.push(format!("{words} {}", join_words(&listed, "or"))),
            (listed, Some(_)) if listed.len() == 1 => {
                deselects.push(format!("{words} {}", listed[0]))
            }
            (listed, Some(many)) => deselects.push(format!("{many} {}", listed.join(", "))),
        }
    }
    let subject = field_label(&field.field);
    [(selects, "or"), (deselects, "and")]
        .into_iter()
        .filter(|(parts, _)| !parts.is_empty())
        .map(|(parts, conjunction)| format!("{subject} {}", join_words(&parts, conjunction)))
        .collect()
}

fn field_label(field: &str) -> &str {
    match field {
        "eventName" => "event name",
        "eventSource" => "event source",
        "eventType" => "event type",
        "userIdentity.arn" => "user identity ARN",
        "resources.ARN" => "resource ARN",
        "resources.type" => "resource type",
        "errorCode" => "error code",
        "vpcEndpointId" => "VPC endpoint ID",
        "readOnly" => "the read-only flag",
        "sessionCredentialFromConsole" => "the console-session flag",
        other => other,
    }
}

fn value_label(field: &str, value: &str) -> String {
    match (field, value) {
        ("eventSource", source) => service_name(source).to_owned(),
        ("errorCode", "VpceAccessDenied") => {
            "VpceAccessDenied (denied by a VPC endpoint policy)".to_owned()
        }
        (_, other) => other.to_owned(),
    }
}

/// A person's name for an event source, or the source itself.
fn service_name(source: &str) -> &str {
    match source {
        "kms.amazonaws.com" => "AWS KMS",
        "rdsdata.amazonaws.com" => "Amazon RDS Data API",
        "s3.amazonaws.com" => "Amazon S3",
        "ec2.amazonaws.com" => "Amazon EC2",
        "cloudtrail.amazonaws.com" => "AWS CloudTrail",
        "secretsmanager.amazonaws.com" => "AWS Secrets Manager",
        "lambda.amazonaws.com" => "AWS Lambda",
        "dynamodb.amazonaws.com" => "Amazon DynamoDB",
        "iam.amazonaws.com" => "AWS IAM",
        "sts.amazonaws.com" => "AWS STS",
        "sns.amazonaws.com" => "Amazon SNS",
        "sqs.amazonaws.com" => "Amazon SQS",
        "rds.amazonaws.com" => "Amazon RDS",
        "ssm.amazonaws.com" => "AWS Systems Manager",
        "monitoring.amazonaws.com" => "Amazon CloudWatch",
        "bedrock.amazonaws.com" => "Amazon Bedrock",
        other => other,
    }
}

fn resource_label(resource_type: &str) -> String {
    match resource_type {
        S3_OBJECT => "S3 objects",
        LAMBDA_FUNCTION => "Lambda functions",
        DYNAMODB_TABLE => "DynamoDB tables",
        "" => "resources of any type",
        other => other,
    }
    .to_owned()
}

fn all_scope(resource_type: &str) -> String {
    match resource_type {
        S3_OBJECT => ALL_S3_OBJECTS.to_owned(),
        LAMBDA_FUNCTION | DYNAMODB_TABLE => {
            format!("all {} in the account", resource_label(resource_type))
        }
        "" => "resources of any type".to_owned(),
        other => format!("all {other} resources"),
    }
}

/// The ARN service of the resource types whose ARNs are checked.
fn service_of(resource_type: &str) -> Option<&'static str> {
    match resource_type {
        S3_OBJECT => Some("s3"),
        LAMBDA_FUNCTION => Some("lambda"),
        DYNAMODB_TABLE => Some("dynamodb"),
        _ => None,
    }
}

/// `arn:<partition>:<service>:<rest>` → (service, rest), for any partition (aws, aws-cn, …).
fn arn_service(value: &str) -> Option<(&str, &str)> {
    let (_partition, rest) = value.strip_prefix("arn:")?.split_once(':')?;
    Some(rest.split_once(':').unwrap_or((rest, "")))
}

/// Whether a prefix names the whole service: `arn:aws:s3`, `arn:aws:s3:::`, `arn:aws-cn:lambda`.
fn covers_all(resource_type: &str, prefix: &str) -> bool {
    match (service_of(resource_type), arn_service(prefix)) {
        (Some(expected), Some((service, rest))) => {
            service == expected && rest.chars().all(|c| c == ':')
        }
        _ => false,
    }
}

/// The `bucket/key` part of an S3 ARN.
fn s3_path(arn: &str) -> Option<&str> {
    match arn_service(arn)? {
        ("s3", rest) => rest.strip_prefix("::"),
        _ => None,
    }
}

/// What an ARN prefix (a basic value or StartsWith) selects; `None` means every resource.
fn prefix_scope(resource_type: &str, prefix: &str) -> Option<String> {
    if covers_all(resource_type, prefix) {
        return None;
    }
    let path = s3_path(prefix).filter(|path| resource_type == S3_OBJECT && !path.is_empty());
    Some(match path.map(|path| (path, path.split_once('/'))) {
        Some((_, Some((bucket, "")))) => format!("objects in bucket {bucket}"),
        Some((path, Some(_))) => format!("objects under {path}"),
        Some((bucket, None)) => format!("objects in buckets whose name starts with {bucket}"),
        None => format!("resources whose ARN starts with {prefix}"),
    })
}

/// What one exact ARN selects.
fn exact_scope(resource_type: &str, arn: &str) -> String {
    if let Some(path) = s3_path(arn).filter(|p| resource_type == S3_OBJECT && p.contains('/')) {
        return format!("object {path}");
    }
    if let Some((service, rest)) = arn_service(arn)
        && let [region, account, resource] = rest.splitn(3, ':').collect::<Vec<_>>()[..]
    {
        let name = match (resource_type, service) {
            (LAMBDA_FUNCTION, "lambda") => resource.strip_prefix("function:"),
            (DYNAMODB_TABLE, "dynamodb") => resource.strip_prefix("table/"),
            _ => None,
        };
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            let kind = if service == "lambda" {
                "function"
            } else {
                "table"
            };
            return format!("{kind} {name} ({region}, account {account})");
        }
    }
    format!("the resource {arn}")
}

/// The resources a `resources.ARN` field selector lets through.
fn arn_scope(resource_type: &str, field: &FieldSelector) -> String {
    let mut everything = [&field.equals, &field.starts_with, &field.ends_with]
        .iter()
        .all(|values| values.is_empty());
    let mut includes = Vec::new();
    for prefix in &field.starts_with {
        match prefix_scope(resource_type, prefix) {
            Some(scope) => includes.push(scope),
            None => everything = true,
        }
    }
    includes.extend(
        field
            .equals
            .iter()
            .map(|arn| exact_scope(resource_type, arn)),
    );
    let ends_with = |suffix: &String| format!("resources whose ARN ends with {suffix}");
    includes.extend(field.ends_with.iter().map(ends_with));
    let mut excludes: Vec<String> = (field.not_starts_with.iter())
        .map(|prefix| {
            prefix_scope(resource_type, prefix).unwrap_or_else(|| all_scope(resource_type))
        })
        .collect();
    excludes.extend(
        field
            .not_equals
            .iter()
            .map(|arn| exact_scope(resource_type, arn)),
    );
    excludes.extend(field.not_ends_with.iter().map(ends_with));
    let base = if everything {
        all_scope(resource_type)
    } else {
        join_words(&includes, "or")
    };
    match excludes.as_slice() {
        [] => base,
        _ => format!("{base}, except {}", join_words(&excludes, "and")),
    }
}

fn access_phrase(read: bool, write: bool) -> &'static str {
    match (read, write) {
        (true, true) => "Read and write",
        (true, false) => "Read-only",
        (false, true) => "Write-only",
        (false, false) => "No",
    }
}

fn with_conditions(head: String, conditions: &[String]) -> String {
    match conditions {
        [] => head,
        _ => format!("{head}, only when {}", join_words(conditions, "and")),
    }
}

fn common_exclusions<'a>(mut grants: impl Iterator<Item = &'a Grant>) -> BTreeSet<String> {
    let Some(first) = grants.next() else {
        return BTreeSet::new();
    };
    grants.fold(first.excluded.clone(), |common, g| {
        common.intersection(&g.excluded).cloned().collect()
    })
}

/// `a`, `a or b`, `a, b or c`.
fn join_words(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A documented (or observed) GetEventSelectors + GetInsightSelectors pair and what it means.
    struct Case {
        /// The example and the page it comes from.
        name: &'static str,
        events: &'static str,
        insights: &'static str,
        /// `management RW [excluding …]`, then `<type> RW <scope>` per data rule, then
        /// `all management yes|no, all S3 RW` (`-` for a kind not logged); see `facts`.
        facts: &'static [&'static str],
        /// Exactly the lines the UI lists.
        lines: &'static [&'static str],
    }

    const NONE: &str = "{}";
    const ALL_MANAGEMENT: &str = "All management events (read and write).";
    const NO_MANAGEMENT: &str = "No management events.";
    const NO_DATA: &str = "No data events.";
    const NO_NETWORK: &str = "No network activity events.";
    const NO_INSIGHTS: &str = "Insights events are not enabled.";

    fn rw(read: bool, write: bool) -> String {
        format!(
            "{}{}",
            if read { "R" } else { "-" },
            if write { "W" } else { "-" }
        )
    }

    fn facts(decoded: &DecodedSelectors) -> Vec<String> {
        let m = &decoded.management;
        let mut facts = vec![format!("management {}", rw(m.read, m.write))];
        if !m.excluded_sources.is_empty() {
            facts[0] = format!("{} excluding {}", facts[0], m.excluded_sources.join(", "));
        }
        let rule =
            |r: &DataRule| format!("{} {} {}", r.resource_type, rw(r.read, r.write), r.scope);
        facts.extend(decoded.data.iter().map(rule));
        let all = if decoded.logs_all_management_events() {
            "yes"
        } else {
            "no"
        };
        let (s3_read, s3_write) = decoded.logs_s3_data_events();
        facts.push(format!(
            "all management {all}, all S3 {}",
            rw(s3_read, s3_write)
        ));
        facts
    }

    fn decode_json(events: &str, insights: &str) -> DecodedSelectors {
        let events: EventSelectorsResponse = serde_json::from_str(events).expect("events JSON");
        let insights: InsightSelectorsResponse =
            serde_json::from_str(insights).expect("insights JSON");
        decode(&events, &insights)
    }

    #[test]
    fn no_selectors_mean_all_management_events() {
        let inputs = [
            // No selectors at all: the PutEventSelectors API Reference default.
            (NONE, NONE),
            // moto's answers (AWS-FACTS.md 5.2): empty lists, Insights with only the ARN.
            (
                r#"{"EventSelectors": [], "AdvancedEventSelectors": [],
                    "TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail2"}"#,
                r#"{"TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail2"}"#,
            ),
            // null members read as absent.
            (
                r#"{"EventSelectors": null, "AdvancedEventSelectors": null}"#,
                r#"{"InsightSelectors": null}"#,
            ),
            // AWS's default basic selector (aws-cli examples/cloudtrail/get-event-selectors.rst).
            (
                r#"{"EventSelectors": [{"IncludeManagementEvents": true, "DataResources": [],
                    "ReadWriteType": "All"}],
                    "TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/Trail1"}"#,
                NONE,
            ),
        ];
        for (events, insights) in inputs {
            let decoded = decode_json(events, insights);
            assert_eq!(
                facts(&decoded),
                ["management RW", "all management yes, all S3 --"],
                "{events}"
            );
            assert_eq!(
                decoded.lines(),
                [ALL_MANAGEMENT, NO_DATA, NO_NETWORK, NO_INSIGHTS],
                "{events}"
            );
        }
    }

    #[test]
    fn decodes_documented_selectors() {
        for case in CASES {
            let decoded = decode_json(case.events, case.insights);
            assert_eq!(facts(&decoded), case.facts, "{}: facts", case.name);
            assert_eq!(decoded.lines(), case.lines, "{}: lines", case.name);
        }
    }

    const CASES: &[Case] = &[
        Case {
            // The WriteOnly selector of "Example trail that logs relevant low-volume AWS KMS
            // events" (User Guide, Managing trails with the AWS CLI) plus the whole-bucket value
            // of the DataResource API Reference.
            name: "basic write-only with one whole S3 bucket",
            events: r#"{"EventSelectors": [{"ExcludeManagementEventSources": [],
                "IncludeManagementEvents": true, "DataResources": [{"Type": "AWS::S3::Object",
                "Values": ["arn:aws:s3:::amzn-s3-demo-bucket1/"]}],
                "ReadWriteType": "WriteOnly"}]}"#,
            insights: NONE,
            facts: &[
                "management -W",
                "AWS::S3::Object -W objects in bucket amzn-s3-demo-bucket1",
                "all management no, all S3 --",
            ],
            lines: &[
                "Write-only management events.",
                "Write-only data events for objects in bucket amzn-s3-demo-bucket1.",
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // aws-cli examples/cloudtrail/put-event-selectors.rst, Example 2 (its trailing comma
            // removed).
            name: "basic: two S3 bucket/prefix pairs and one Lambda function",
            events: r#"{"EventSelectors": [{"IncludeManagementEvents": true,
                "DataResources": [{"Values": ["arn:aws:s3:::amzn-s3-demo-bucket/prefix",
                "arn:aws:s3:::amzn-s3-demo-bucket2/prefix2"], "Type": "AWS::S3::Object"},
                {"Values": [
                "arn:aws:lambda:us-west-2:123456789012:function:hello-world-python-function"],
                "Type": "AWS::Lambda::Function"}], "ReadWriteType": "All"}],
                "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName"}"#,
            insights: NONE,
            facts: &[
                "management RW",
                "AWS::S3::Object RW objects under amzn-s3-demo-bucket/prefix",
                "AWS::S3::Object RW objects under amzn-s3-demo-bucket2/prefix2",
                "AWS::Lambda::Function RW function hello-world-python-function (us-west-2, account \
                 123456789012)",
                "all management yes, all S3 --",
            ],
            lines: &[
                ALL_MANAGEMENT,
                "Read and write data events for objects under amzn-s3-demo-bucket/prefix.",
                "Read and write data events for objects under amzn-s3-demo-bucket2/prefix2.",
                "Read and write data events for function hello-world-python-function (us-west-2, \
                 account 123456789012).",
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // aws-cli examples/cloudtrail/put-event-selectors.rst, Example 3 (its trailing comma
            // removed).
            name: "basic: all S3 objects and all Lambda functions",
            events: r#"{"EventSelectors": [{"IncludeManagementEvents": true,
                "DataResources": [{"Values": ["arn:aws:s3"], "Type": "AWS::S3::Object"},
                {"Values": ["arn:aws:lambda"], "Type": "AWS::Lambda::Function"}],
                "ReadWriteType": "All"}],
                "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName2"}"#,
            insights: NONE,
            facts: &[
                "management RW",
                "AWS::S3::Object RW all S3 objects in the account",
                "AWS::Lambda::Function RW all Lambda functions in the account",
                "all management yes, all S3 RW",
            ],
            lines: &[
                ALL_MANAGEMENT,
                "Read and write data events for all S3 objects in the account.",
                "Read and write data events for all Lambda functions in the account.",
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // User Guide, Managing trails with the AWS CLI, "Example trail that logs all management
            // and data events".
            name: "basic: arn:aws:s3::: form, all Lambda functions and all DynamoDB tables",
            events: r#"{"EventSelectors": [{"ExcludeManagementEventSources": [],
                "IncludeManagementEvents": true, "DataResources": [{"Values": ["arn:aws:s3:::"],
                "Type": "AWS::S3::Object"}, {"Values": ["arn:aws:lambda"],
                "Type": "AWS::Lambda::Function"}, {"Values": ["arn:aws:dynamodb"],
                "Type": "AWS::DynamoDB::Table"}], "ReadWriteType": "All"}],
                "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName2"}"#,
            insights: NONE,
            facts: &[
                "management RW",
                "AWS::S3::Object RW all S3 objects in the account",
                "AWS::Lambda::Function RW all Lambda functions in the account",
                "AWS::DynamoDB::Table RW all DynamoDB tables in the account",
                "all management yes, all S3 RW",
            ],
            lines: &[
                ALL_MANAGEMENT,
                "Read and write data events for all S3 objects in the account.",
                "Read and write data events for all Lambda functions in the account.",
                "Read and write data events for all DynamoDB tables in the account.",
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // Both documented exclusions (kms, rdsdata) on a WriteOnly selector.
            name: "basic write-only excluding AWS KMS and Amazon RDS Data API",
            events: r#"{"EventSelectors": [{"ReadWriteType": "WriteOnly",
                "ExcludeManagementEventSources": ["rdsdata.amazonaws.com",
                "kms.amazonaws.com"]}]}"#,
            insights: NONE,
            facts: &[
                "management -W excluding kms.amazonaws.com, rdsdata.amazonaws.com",
                "all management no, all S3 --",
            ],
            lines: &[
                "Write-only management events, excluding AWS KMS and Amazon RDS Data API events.",
                NO_DATA,
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            name: "two basic selectors: read-only plus write-only is all management events",
            events: r#"{"EventSelectors": [{"ReadWriteType": "ReadOnly"},
                {"ReadWriteType": "WriteOnly"}]}"#,
            insights: NONE,
            facts: &["management RW", "all management yes, all S3 --"],
            lines: &[ALL_MANAGEMENT, NO_DATA, NO_NETWORK, NO_INSIGHTS],
        },
        Case {
            name: "two basic selectors: AWS KMS left out of read events only",
            events: r#"{"EventSelectors": [{"ReadWriteType": "ReadOnly",
                "ExcludeManagementEventSources": ["kms.amazonaws.com"]},
                {"ReadWriteType": "WriteOnly"}]}"#,
            insights: NONE,
            facts: &["management RW", "all management no, all S3 --"],
            lines: &[
                "Read and write management events, excluding AWS KMS read events.",
                NO_DATA,
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // Archived User Guide (awsdocs/aws-cloudtrail-user-guide), logging-management-events:
            // the output lists empty operator arrays.
            name: "advanced: all management events except AWS KMS",
            events: r#"{"AdvancedEventSelectors": [{
                "Name": "Log all management events except KMS events", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Management"], "StartsWith": [],
                "EndsWith": [], "NotEquals": [], "NotStartsWith": [], "NotEndsWith": []},
                {"Field": "eventSource", "Equals": [], "StartsWith": [], "EndsWith": [],
                "NotEquals": ["kms.amazonaws.com"], "NotStartsWith": [], "NotEndsWith": []}]}],
                "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName"}"#,
            insights: NONE,
            facts: &[
                "management RW excluding kms.amazonaws.com",
                "all management no, all S3 --",
            ],
            lines: &[
                "Read and write management events, excluding AWS KMS events.",
                NO_DATA,
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            name: "advanced: read-only management events",
            events: r#"{"AdvancedEventSelectors": [{"Name": "Read-only management events",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                {"Field": "readOnly", "Equals": ["true"]}]}]}"#,
            insights: NONE,
            facts: &["management R-", "all management no, all S3 --"],
            lines: &[
                "Read-only management events.",
                NO_DATA,
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // User Guide, Logging data events, "Log all Amazon S3 events for a bucket"
            // (S3EventSelector), with a key prefix and readOnly false (Filtering data events).
            name: "advanced: write-only S3 data events under one prefix, no management events",
            events: r#"{"AdvancedEventSelectors": [{"Name": "S3EventSelector", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
                "Equals": ["AWS::S3::Object"]}, {"Field": "resources.ARN",
                "StartsWith": ["arn:aws:s3:::amzn-s3-demo-bucket/logs/"]}, {"Field": "readOnly",
                "Equals": ["false"]}]}]}"#,
            insights: NONE,
            facts: &[
                "management --",
                "AWS::S3::Object -W objects under amzn-s3-demo-bucket/logs/",
                "all management no, all S3 --",
            ],
            lines: &[
                NO_MANAGEMENT,
                "Write-only data events for objects under amzn-s3-demo-bucket/logs/.",
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // User Guide, Logging data events, "Log all data events by using advanced event
            // selectors" (its first three selectors).
            name: "advanced: all S3 objects, Lambda functions and DynamoDB tables",
            events: r#"{"TrailARN": "arn:aws:cloudtrail:us-east-1:111122223333:trail/TrailName",
                "AdvancedEventSelectors": [{"Name": "Log all events for all Amazon S3 buckets",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]},
                {"Name": "Log all events for Lambda functions", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
                "Equals": ["AWS::Lambda::Function"]}]},
                {"Name": "Log all events for DynamoDB tables", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
                "Equals": ["AWS::DynamoDB::Table"]}]}]}"#,
            insights: NONE,
            facts: &[
                "management --",
                "AWS::S3::Object RW all S3 objects in the account",
                "AWS::Lambda::Function RW all Lambda functions in the account",
                "AWS::DynamoDB::Table RW all DynamoDB tables in the account",
                "all management no, all S3 RW",
            ],
            lines: &[
                NO_MANAGEMENT,
                "Read and write data events for all S3 objects in the account.",
                "Read and write data events for all Lambda functions in the account.",
                "Read and write data events for all DynamoDB tables in the account.",
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // User Guide, Filtering data events, "Example 2: Filtering on the resources.ARN and
            // userIdentity.arn fields" (its arn:partition placeholder kept).
            name: "advanced: one bucket, except calls by a scanner role",
            events: r#"{"AdvancedEventSelectors": [{"Name": "S3EventSelector", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
                "Equals": ["AWS::S3::Object"]}, {"Field": "resources.ARN",
                "StartsWith": ["arn:partition:s3:::amzn-s3-demo-bucket/"]},
                {"Field": "userIdentity.arn",
                "NotStartsWith": [
                "arn:aws:sts::123456789012:assumed-role/bucket-scanner-role"]}]}]}"#,
            insights: NONE,
            facts: &[
                "management --",
                "AWS::S3::Object RW objects in bucket amzn-s3-demo-bucket",
                "all management no, all S3 --",
            ],
            lines: &[
                NO_MANAGEMENT,
                "Read and write data events for objects in bucket amzn-s3-demo-bucket, only when \
                 user identity ARN does not start with \
                 arn:aws:sts::123456789012:assumed-role/bucket-scanner-role.",
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // Archived User Guide, Logging data events, "Log events by using advanced event
            // selectors" (the put-event-selectors input).
            name: "advanced: several Equals and StartsWith values OR together",
            events: r#"{"AdvancedEventSelectors": [{
                "Name": "Log readOnly and writeOnly management events", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Management"]}]},
                {"Name": "Log PutObject and DeleteObject events for two S3 prefixes",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}, {"Field": "eventName",
                "Equals": ["PutObject", "DeleteObject"]}, {"Field": "resources.ARN",
                "StartsWith": ["arn:aws:s3:::mybucket/prefix",
                "arn:aws:s3:::mybucket2/prefix2"]}]}]}"#,
            insights: NONE,
            facts: &[
                "management RW",
                "AWS::S3::Object RW objects under mybucket/prefix or objects under \
                 mybucket2/prefix2",
                "all management yes, all S3 --",
            ],
            lines: &[
                ALL_MANAGEMENT,
                "Read and write data events for objects under mybucket/prefix or objects under \
                 mybucket2/prefix2, only when event name is PutObject or DeleteObject.",
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // User Guide, Filtering data events, "Example showing multiple conditions for the
            // resources.ARN field".
            name: "advanced: every operator on resources.ARN (SELECTs OR, DESELECTs AND)",
            events: r#"{"AdvancedEventSelectors": [{"Name": "S3Select", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
                "Equals": ["AWS::S3::Object"]}, {"Field": "resources.ARN",
                "Equals": ["arn:aws:s3:::amzn-s3-demo-bucket/object1"],
                "StartsWith": ["arn:aws:s3:::amzn-s3-demo-bucket/"], "EndsWith": ["object3"],
                "NotStartsWith": ["arn:aws:s3:::amzn-s3-demo-bucket/deselect"],
                "NotEndsWith": ["object5"],
                "NotEquals": ["arn:aws:s3:::amzn-s3-demo-bucket/object6"]}]}]}"#,
            insights: NONE,
            facts: &[
                "management --",
                "AWS::S3::Object RW objects in bucket amzn-s3-demo-bucket, object \
                 amzn-s3-demo-bucket/object1 or resources whose ARN ends with object3, except \
                 objects under amzn-s3-demo-bucket/deselect, object amzn-s3-demo-bucket/object6 \
                 and resources whose ARN ends with object5",
                "all management no, all S3 --",
            ],
            lines: &[
                NO_MANAGEMENT,
                "Read and write data events for objects in bucket amzn-s3-demo-bucket, object \
                 amzn-s3-demo-bucket/object1 or resources whose ARN ends with object3, except \
                 objects under amzn-s3-demo-bucket/deselect, object amzn-s3-demo-bucket/object6 \
                 and resources whose ARN ends with object5.",
                NO_NETWORK,
                NO_INSIGHTS,
            ],
        },
        Case {
            // User Guide, Managing trails with the AWS CLI, "Example trail with specific advanced
            // event selectors" (input). Its Lambda ARN says "function/" where Lambda ARNs say
            // "function:", so it is shown verbatim rather than as a function name.
            name: "advanced: management, S3, Lambda and AWS KMS VpceAccessDenied network activity",
            events: r#"{"AdvancedEventSelectors": [{
                "Name": "Log readOnly and writeOnly management events", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Management"]}]},
                {"Name": "Log PutObject and DeleteObject events for all but one bucket",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}, {"Field": "eventName",
                "Equals": ["PutObject", "DeleteObject"]}, {"Field": "resources.ARN",
                "NotStartsWith": ["arn:aws:s3:::amzn-s3-demo-bucket/"]}]},
                {"Name": "Log data plane actions on MyLambdaFunction", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
                "Equals": ["AWS::Lambda::Function"]}, {"Field": "resources.ARN",
                "Equals": ["arn:aws:lambda:us-east-2:111122223333:function/MyLambdaFunction"]}]},
                {"Name": "Audit AccessDenied AWS KMS events over a VPC endpoint",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["NetworkActivity"]},
                {"Field": "eventSource", "Equals": ["kms.amazonaws.com"]}, {"Field": "errorCode",
                "Equals": ["VpceAccessDenied"]}]}]}"#,
            insights: NONE,
            facts: &[
                "management RW",
                "AWS::S3::Object RW all S3 objects in the account, except objects in bucket \
                 amzn-s3-demo-bucket",
                "AWS::Lambda::Function RW the resource \
                 arn:aws:lambda:us-east-2:111122223333:function/MyLambdaFunction",
                "all management yes, all S3 --",
            ],
            lines: &[
                ALL_MANAGEMENT,
                "Read and write data events for all S3 objects in the account, except objects in \
                 bucket amzn-s3-demo-bucket, only when event name is PutObject or DeleteObject.",
                "Read and write data events for the resource \
                 arn:aws:lambda:us-east-2:111122223333:function/MyLambdaFunction.",
                "Network activity events (calls through VPC endpoints) for AWS KMS, only when \
                 error code is VpceAccessDenied (denied by a VPC endpoint policy).",
                NO_INSIGHTS,
            ],
        },
        Case {
            // User Guide, Logging network activity events, "Log EC2 VpceAccessDenied events over a
            // specific VPC endpoint".
            name: "network activity: Amazon EC2 access denied over one VPC endpoint",
            events: r#"{"TrailARN": "arn:aws:cloudtrail:us-east-1:111122223333:trail/TrailName",
                "AdvancedEventSelectors": [{
                "Name": "Audit AccessDenied EC2 events over a specific VPC endpoint",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["NetworkActivity"]},
                {"Field": "eventSource", "Equals": ["ec2.amazonaws.com"]}, {"Field": "errorCode",
                "Equals": ["VpceAccessDenied"]}, {"Field": "vpcEndpointId",
                "Equals": ["vpce-example8c1b6b9b7"]}]}]}"#,
            insights: NONE,
            facts: &["management --", "all management no, all S3 --"],
            lines: &[
                NO_MANAGEMENT,
                NO_DATA,
                "Network activity events (calls through VPC endpoints) for Amazon EC2, only when \
                 error code is VpceAccessDenied (denied by a VPC endpoint policy) and VPC endpoint \
                 ID is vpce-example8c1b6b9b7.",
                NO_INSIGHTS,
            ],
        },
        Case {
            // User Guide, Managing trails with the AWS CLI, "Example trail that logs Insights
            // events".
            name: "Insights: both types on the default trail",
            events: NONE,
            insights: r#"{"InsightSelectors": [{"InsightType": "ApiErrorRateInsight"},
                {"InsightType": "ApiCallRateInsight"}],
                "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName3"}"#,
            facts: &["management RW", "all management yes, all S3 --"],
            lines: &[
                ALL_MANAGEMENT,
                NO_DATA,
                NO_NETWORK,
                "Insights: API error rate (management events).",
                "Insights: API call rate (management events).",
            ],
        },
        Case {
            // InsightSelector API Reference (EventCategories); ApiCallRateInsight needs write
            // management events (User Guide, Managing trails with the AWS CLI).
            name: "Insights: call rate on management and data events of a read-only trail",
            events: r#"{"EventSelectors": [{"ReadWriteType": "ReadOnly"}]}"#,
            insights: r#"{"InsightSelectors": [{"InsightType": "ApiCallRateInsight",
                "EventCategories": ["Management", "Data"]}]}"#,
            facts: &["management R-", "all management no, all S3 --"],
            lines: &[
                "Read-only management events.",
                NO_DATA,
                NO_NETWORK,
                "Insights: API call rate (management and data events).",
                "Warning: API call rate Insights on management events need write management \
                 events, which the trail does not log.",
            ],
        },
        Case {
            name: "unknown values and fields: warnings, never coverage",
            events: r#"{"AdvancedEventSelectors": [{"Name": "odd", "FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
                "Equals": ["AWS::S3::Object"]}, {"Field": "readOnly", "Equals": ["TRUE"]},
                {"Field": "eventTime", "StartsWith": ["2024"]}]}]}"#,
            insights: r#"{"InsightSelectors": [{"InsightType": "ApiLatencyInsight"}]}"#,
            facts: &[
                "management --",
                "AWS::S3::Object -- all S3 objects in the account",
                "all management no, all S3 --",
            ],
            lines: &[
                NO_MANAGEMENT,
                "No data events for all S3 objects in the account, only when eventTime starts with \
                 2024.",
                NO_NETWORK,
                "Insights: ApiLatencyInsight (management events).",
                "Warning: Advanced event selector \"odd\": readOnly value \"TRUE\" is neither true \
                 nor false.",
                "Warning: Advanced event selector \"odd\": its readOnly condition matches neither \
                 read nor write events.",
                "Warning: Advanced event selector \"odd\": eventTime is not a field trails accept \
                 for data events.",
                "Warning: Insights type \"ApiLatencyInsight\" is not ApiCallRateInsight or \
                 ApiErrorRateInsight.",
            ],
        },
        Case {
            name: "basic selector with an unknown ReadWriteType, event source and resource type",
            events: r#"{"EventSelectors": [{"ReadWriteType": "Sometimes",
                "ExcludeManagementEventSources": ["iam.amazonaws.com"],
                "DataResources": [{"Type": "AWS::SNS::Topic",
                "Values": ["arn:aws:sns:us-east-1:123456789012:myTopic"]}]}]}"#,
            insights: NONE,
            facts: &[
                "management --",
                "AWS::SNS::Topic -- resources whose ARN starts with \
                 arn:aws:sns:us-east-1:123456789012:myTopic",
                "all management no, all S3 --",
            ],
            lines: &[
                NO_MANAGEMENT,
                "No data events for resources whose ARN starts with \
                 arn:aws:sns:us-east-1:123456789012:myTopic.",
                NO_NETWORK,
                NO_INSIGHTS,
                "Warning: Basic event selector 1 has ReadWriteType \"Sometimes\", which is not \
                 All, ReadOnly or WriteOnly; it is counted as logging nothing.",
                "Warning: Basic event selector 1 excludes iam.amazonaws.com; trails can exclude \
                 only kms.amazonaws.com and rdsdata.amazonaws.com.",
                "Warning: Basic event selector 1 has data resource type \"AWS::SNS::Topic\"; basic \
                 selectors accept only AWS::S3::Object, AWS::Lambda::Function and \
                 AWS::DynamoDB::Table.",
            ],
        },
        Case {
            // moto stores selectors without validating them (AWS-FACTS.md 5.2).
            name: "malformed advanced selectors: no eventCategory, a Lake-only category, a \
                   contradiction",
            events: r#"{"AdvancedEventSelectors": [{"Name": "no category", "FieldSelectors": [{
                "Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}, {"FieldSelectors": [{
                "Field": "eventCategory", "Equals": ["Insight"]}]}, {"Name": "contradiction",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}, {"Field": "eventName",
                "Equals": ["GetObject"], "NotEquals": ["GetObject"]}]}]}"#,
            insights: NONE,
            facts: &[
                "management --",
                "AWS::S3::Object RW all S3 objects in the account",
                "all management no, all S3 --",
            ],
            lines: &[
                NO_MANAGEMENT,
                "Read and write data events for all S3 objects in the account, only when event \
                 name is GetObject and event name is not GetObject.",
                NO_NETWORK,
                NO_INSIGHTS,
                "Warning: Advanced event selector \"no category\" has no eventCategory, which AWS \
                 requires, so what it logs is unknown.",
                "Warning: Advanced event selector 2 uses eventCategory Insight, which only event \
                 data stores accept.",
                "Warning: Advanced event selector 2 matches no event category a trail logs, so it \
                 logs nothing.",
                "Warning: Advanced event selector \"contradiction\": the conditions on eventName \
                 exclude every value they include, so it logs nothing.",
            ],
        },
        Case {
            // moto keeps basic selectors when advanced ones are put (AWS-FACTS.md 5.2).
            name: "both basic and advanced selectors",
            events: r#"{"EventSelectors": [{"ReadWriteType": "WriteOnly"}],
                "AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory",
                "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]}]}"#,
            insights: NONE,
            facts: &["management RW", "all management yes, all S3 --"],
            lines: &[
                ALL_MANAGEMENT,
                NO_DATA,
                NO_NETWORK,
                NO_INSIGHTS,
                "Warning: The trail reports both basic and advanced event selectors; AWS keeps \
                 only one kind per trail, so this shows both and may overstate what is logged.",
            ],
        },
        Case {
            name: "other partitions, an S3 value without the bucket's slash, a Lambda value on S3",
            events: r#"{"EventSelectors": [{"ReadWriteType": "ReadOnly",
                "IncludeManagementEvents": false, "DataResources": [{"Type": "AWS::S3::Object",
                "Values": ["arn:aws-us-gov:s3", "arn:aws-cn:s3:::cn-bucket/",
                "arn:aws:s3:::amzn-s3-demo-bucket"]}, {"Type": "AWS::Lambda::Function",
                "Values": ["arn:aws-cn:lambda"]}, {"Type": "AWS::S3::Object",
                "Values": ["arn:aws:lambda"]}]}]}"#,
            insights: NONE,
            facts: &[
                "management --",
                "AWS::S3::Object R- all S3 objects in the account",
                "AWS::S3::Object R- objects in bucket cn-bucket",
                "AWS::S3::Object R- objects in buckets whose name starts with amzn-s3-demo-bucket",
                "AWS::Lambda::Function R- all Lambda functions in the account",
                "AWS::S3::Object R- resources whose ARN starts with arn:aws:lambda",
                "all management no, all S3 R-",
            ],
            lines: &[
                NO_MANAGEMENT,
                "Read-only data events for all S3 objects in the account.",
                "Read-only data events for objects in bucket cn-bucket.",
                "Read-only data events for objects in buckets whose name starts with \
                 amzn-s3-demo-bucket.",
                "Read-only data events for all Lambda functions in the account.",
                "Read-only data events for resources whose ARN starts with arn:aws:lambda.",
                NO_NETWORK,
                NO_INSIGHTS,
                "Warning: Basic event selector 1: \"arn:aws:s3:::amzn-s3-demo-bucket\" has no \
                 slash after the bucket name, so it matches every bucket whose name starts with \
                 \"amzn-s3-demo-bucket\".",
                "Warning: Basic event selector 1: \"arn:aws:lambda\" is not an ARN of S3 objects, \
                 so it never matches.",
            ],
        },
    ];
}
