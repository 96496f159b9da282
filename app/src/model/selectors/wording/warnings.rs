//! Warnings about selectors, in words.
use crate::model::selectors::facts::{InsightType, Problem, SelectorRef, Warning};

impl SelectorRef {
    /// E.g. "Basic event selector 1", "Advanced event selector \"audit\""; empty for the trail.
    pub fn label(&self) -> String {
        match self {
            Self::Trail => String::new(),
            Self::Basic(number) => format!("Basic event selector {number}"),
            Self::Advanced {
                name: Some(name), ..
            } => format!("Advanced event selector \"{name}\""),
            Self::Advanced { number, .. } => format!("Advanced event selector {number}"),
        }
    }
}

impl Warning {
    /// One or two sentences, with their full stop.
    pub fn text(&self) -> String {
        // (whether the text follows a colon after the selector's name, the text)
        let (colon, text) = match &self.problem {
            Problem::BothKinds => (
                false,
                "The trail reports both basic and advanced event selectors; AWS keeps only one \
                 kind per trail, so this shows both and may overstate what is logged."
                    .to_owned(),
            ),
            Problem::UnknownReadWriteType(value) => (
                false,
                format!(
                    "has ReadWriteType \"{value}\", which is not All, ReadOnly or WriteOnly; it \
                     is counted as logging nothing."
                ),
            ),
            Problem::LogsNothing => (
                false,
                "has neither management events nor data resources, so it logs nothing.".to_owned(),
            ),
            Problem::NotBasicResourceType(resource_type) => (
                false,
                format!(
                    "has data resource type \"{resource_type}\"; basic selectors accept only \
                     AWS::S3::Object, AWS::Lambda::Function and AWS::DynamoDB::Table."
                ),
            ),
            Problem::NoValues(resource_type) => (
                false,
                format!("lists {resource_type} without values, so it logs no such data events."),
            ),
            Problem::WrongArnService {
                value,
                resource_type,
            } => (
                true,
                format!(
                    "\"{value}\" is not an ARN of {}, so it never matches.",
                    resource_type.label()
                ),
            ),
            Problem::NoBucketSlash { value, bucket } => (
                true,
                format!(
                    "\"{value}\" has no slash after the bucket name, so it matches every bucket \
                     whose name starts with \"{bucket}\"."
                ),
            ),
            Problem::NoEventCategory => (
                false,
                "has no eventCategory, which AWS requires, so what it logs is unknown.".to_owned(),
            ),
            Problem::LakeOnlyCategory(value) => (
                false,
                format!("uses eventCategory {value}, which only event data stores accept."),
            ),
            Problem::UnknownCategory(value) => (
                false,
                format!("uses the unknown eventCategory \"{value}\"."),
            ),
            Problem::MatchesNoCategory => (
                false,
                "matches no event category a trail logs, so it logs nothing.".to_owned(),
            ),
            Problem::SeveralCategories => (
                false,
                "matches several event categories; AWS allows one per selector.".to_owned(),
            ),
            Problem::ManagementEventSource => (
                true,
                "for management events a trail accepts eventSource only with NotEquals \
                 kms.amazonaws.com or rdsdata.amazonaws.com."
                    .to_owned(),
            ),
            Problem::NotManagementField(field) => (
                true,
                format!(
                    "{field} is not a field trails accept for management events (only \
                     eventCategory, readOnly and eventSource are)."
                ),
            ),
            Problem::SeveralArnFields => (
                false,
                "has several resources.ARN fields; all must match.".to_owned(),
            ),
            Problem::NotDataField(field) => (
                true,
                format!("{field} is not a field trails accept for data events."),
            ),
            Problem::NoResourceType => (
                false,
                "has no resources.type Equals value, which AWS requires.".to_owned(),
            ),
            Problem::SeveralResourceTypes => (
                false,
                "names several resource types; AWS allows one per selector.".to_owned(),
            ),
            Problem::ExcludesEverything => (
                false,
                "excludes every resource of its type, so it logs nothing.".to_owned(),
            ),
            Problem::NotVpceAccessDenied(value) => (
                true,
                format!("errorCode \"{value}\" is not VpceAccessDenied, the only value."),
            ),
            Problem::NotNetworkField(field) => (
                true,
                format!("{field} is not a field trails accept for network activity."),
            ),
            Problem::NoNetworkSource => (
                false,
                "has no eventSource Equals value, which AWS requires.".to_owned(),
            ),
            Problem::SeveralNetworkSources => (
                false,
                "names several event sources; AWS expects a selector for each.".to_owned(),
            ),
            Problem::ReadOnlyValue(value) => (
                true,
                format!("readOnly value \"{value}\" is neither true nor false."),
            ),
            Problem::ReadOnlyMatchesNothing => (
                true,
                "its readOnly condition matches neither read nor write events.".to_owned(),
            ),
            Problem::NotExcludable(source) => (
                false,
                format!(
                    "excludes {source}; trails can exclude only kms.amazonaws.com and \
                     rdsdata.amazonaws.com."
                ),
            ),
            Problem::FieldWithoutName => {
                (false, "has a field selector without a Field.".to_owned())
            }
            Problem::FieldWithoutValues(field) => (
                true,
                format!("{field} has no values, so it filters nothing."),
            ),
            Problem::Contradiction(field) => (
                true,
                format!(
                    "the conditions on {field} exclude every value they include, so it logs \
                     nothing."
                ),
            ),
            Problem::OnlyEquals { field, operator } => (
                true,
                format!("{field} accepts only Equals, not {}.", operator.wire_name()),
            ),
            Problem::UnknownInsightType(value) => (
                false,
                format!(
                    "Insights type \"{value}\" is not ApiCallRateInsight or ApiErrorRateInsight."
                ),
            ),
            Problem::UnknownInsightCategory(value) => (
                false,
                format!("Insights event category \"{value}\" is not Management or Data."),
            ),
            Problem::InsightWithoutEvents(insight_type) => {
                let needed = match insight_type {
                    InsightType::ApiCallRate => "write management events",
                    _ => "management events",
                };
                (
                    false,
                    format!(
                        "{} Insights on management events need {needed}, which the trail does \
                         not log.",
                        insight_type.label()
                    ),
                )
            }
        };
        match (self.selector.label(), colon) {
            (who, _) if who.is_empty() => text,
            (who, true) => format!("{who}: {text}"),
            (who, false) => format!("{who} {text}"),
        }
    }
}
