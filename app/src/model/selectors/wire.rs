//! The wire shapes of GetEventSelectors and GetInsightSelectors (awsJson1.1), as AWS and moto send
//! them, and what one advanced field selector lets through. Enum-like members stay strings so
//! unknown values reach the user as warnings rather than failing the whole response.
use serde::{Deserialize, Deserializer, Serialize};

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
    /// The trail's ARN (`TrailARN`). See
    /// <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetEventSelectors.html>.
    pub trail_arn: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    /// Basic selectors (`EventSelectors`), at most 5 on a trail.
    pub event_selectors: Vec<EventSelector>,
    #[serde(deserialize_with = "null_as_default")]
    /// Advanced selectors (`AdvancedEventSelectors`); a trail has these or basic ones, not both.
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
    /// Data resources to log (`DataResources`); empty means no data events.
    pub data_resources: Vec<DataResource>,
    #[serde(deserialize_with = "null_as_default")]
    /// Sources left out of management events (`ExcludeManagementEventSources`), e.g. `kms.amazonaws.com`.
    pub exclude_management_event_sources: Vec<String>,
}

/// One basic `DataResources` entry: a resource type and the resources of it to log.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DataResource {
    #[serde(rename = "Type")]
    /// The resource type (`Type`), e.g. `AWS::S3::Object`.
    pub resource_type: Option<String>,
    /// ARN prefixes (S3) or ARNs (Lambda, DynamoDB); `arn:aws:s3` etc. mean every resource.
    #[serde(deserialize_with = "null_as_default")]
    pub values: Vec<String>,
}

/// An advanced selector: an optional name and conditions that must all hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AdvancedEventSelector {
    /// The selector's `Name`, shown by the console; optional.
    pub name: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    /// The conditions (`FieldSelectors`); an event is logged when all of them hold.
    pub field_selectors: Vec<FieldSelector>,
}

/// One condition of an advanced selector: an event field and the values each operator uses.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FieldSelector {
    #[serde(deserialize_with = "null_as_default")]
    /// The event field (`Field`), e.g. `eventCategory`, `resources.type`, `resources.ARN`.
    pub field: String,
    #[serde(deserialize_with = "null_as_default")]
    /// `Equals`: one of these values exactly.
    pub equals: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    /// `StartsWith`: a value starting with one of these.
    pub starts_with: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    /// `EndsWith`: a value ending with one of these.
    pub ends_with: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    /// `NotEquals`: none of these values.
    pub not_equals: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    /// `NotStartsWith`: a value starting with none of these.
    pub not_starts_with: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    /// `NotEndsWith`: a value ending with none of these.
    pub not_ends_with: Vec<String>,
}

/// A GetInsightSelectors response; no selectors means Insights is off (AWS then answers
/// `InsightNotEnabledException`, moto just the ARN).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InsightSelectorsResponse {
    #[serde(rename = "TrailARN")]
    /// The trail's ARN (`TrailARN`). See
    /// <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetInsightSelectors.html>.
    pub trail_arn: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    /// The Insights selectors (`InsightSelectors`); empty when Insights is off.
    pub insight_selectors: Vec<InsightSelector>,
}

/// One Insights type a trail analyzes, and over which event categories.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct InsightSelector {
    /// `ApiCallRateInsight` or `ApiErrorRateInsight`.
    pub insight_type: Option<String>,
    /// `Management` and/or `Data`; empty means `Management`.
    #[serde(deserialize_with = "null_as_default")]
    pub event_categories: Vec<String>,
}

/// One operator of an advanced field selector (API Reference, AdvancedFieldSelector).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    /// One of these values exactly.
    Equals,
    /// A value starting with one of these.
    StartsWith,
    /// A value ending with one of these.
    EndsWith,
    /// None of these values.
    NotEquals,
    /// A value starting with none of these.
    NotStartsWith,
    /// A value ending with none of these.
    NotEndsWith,
}

impl Operator {
    /// The DESELECT operators: a value they match is left out.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            Self::NotEquals | Self::NotStartsWith | Self::NotEndsWith
        )
    }

    /// Its name on the wire, e.g. `StartsWith`.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Equals => "Equals",
            Self::StartsWith => "StartsWith",
            Self::EndsWith => "EndsWith",
            Self::NotEquals => "NotEquals",
            Self::NotStartsWith => "NotStartsWith",
            Self::NotEndsWith => "NotEndsWith",
        }
    }
}

impl FieldSelector {
    /// Each operator with its values, in the wire's order.
    pub fn operators(&self) -> [(Operator, &[String]); 6] {
        [
            (Operator::Equals, &self.equals),
            (Operator::StartsWith, &self.starts_with),
            (Operator::EndsWith, &self.ends_with),
            (Operator::NotEquals, &self.not_equals),
            (Operator::NotStartsWith, &self.not_starts_with),
            (Operator::NotEndsWith, &self.not_ends_with),
        ]
    }

    /// Every value of every operator.
    pub fn values(&self) -> impl Iterator<Item = &String> {
        self.operators()
            .into_iter()
            .flat_map(|(_, values)| values.iter())
    }

    /// Whether any operator has a value.
    pub fn has_values(&self) -> bool {
        self.values().next().is_some()
    }

    /// Whether `value` passes: one SELECT value (Equals, StartsWith, EndsWith) must match if there
    /// are any, and no DESELECT value (NotEquals, NotStartsWith, NotEndsWith) may (User Guide, "How
    /// CloudTrail evaluates multiple conditions for a field").
    pub fn passes(&self, value: &str) -> bool {
        let selects = [&self.equals, &self.starts_with, &self.ends_with];
        let selected = selects.iter().all(|values| values.is_empty())
            || self.equals.iter().any(|v| v == value)
            || self
                .starts_with
                .iter()
                .any(|v| value.starts_with(v.as_str()))
            || self.ends_with.iter().any(|v| value.ends_with(v.as_str()));
        let deselected = self.not_equals.iter().any(|v| v == value)
            || self
                .not_starts_with
                .iter()
                .any(|v| value.starts_with(v.as_str()))
            || self
                .not_ends_with
                .iter()
                .any(|v| value.ends_with(v.as_str()));
        selected && !deselected
    }
}
