//! What a trail's selectors mean, as typed facts: which management events, which data events on
//! which resources, which network activity, which Insights types, and what is wrong with them. No
//! words live here (they are rendered from these facts by `wording`), so checks and prices that
//! read the facts cannot change when a label does.
use super::wire::Operator;
use serde::{Deserialize, Serialize};

/// Everything a trail's event and Insights selectors say it logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecodedSelectors {
    /// The management events logged, from every selector together.
    pub management: Management,
    /// One rule per basic data resource value or per advanced data selector, in selector order.
    pub data: Vec<DataRule>,
    /// One rule per event source of an advanced network activity selector, in selector order.
    pub network_activity: Vec<NetworkRule>,
    /// One per Insights selector, in order.
    pub insights: Vec<InsightRule>,
    /// What cannot be decoded, is not valid on a trail or can never match.
    pub warnings: Vec<Warning>,
}

/// The management events a trail logs: the union of what its selectors let through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Management {
    /// Read management events are logged (possibly with exclusions or conditions).
    pub read: bool,
    /// Write management events are logged (possibly with exclusions or conditions).
    pub write: bool,
    /// Event sources left out of every logged kind, e.g. `kms.amazonaws.com`, sorted.
    pub excluded_sources: Vec<String>,
    /// With both kinds logged: sources left out of read events only, sorted.
    pub excluded_from_reads: Vec<String>,
    /// With both kinds logged: sources left out of write events only, sorted.
    pub excluded_from_writes: Vec<String>,
    /// Conditions (from fields AWS rejects on management selectors), applied to all management
    /// events, which can understate but never overstate what is logged.
    pub conditions: Vec<Condition>,
}

/// One kind of data event a trail logs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataRule {
    /// `resources.type` or the basic `Type`.
    pub resource_type: ResourceType,
    /// Read data events (e.g. `GetObject`) are logged.
    pub read: bool,
    /// Write data events (e.g. `PutObject`) are logged.
    pub write: bool,
    /// Which resources of that type.
    pub scope: DataScope,
    /// Further conditions, all of which must hold.
    pub conditions: Vec<Condition>,
}

/// A data event resource type (`resources.type`), e.g. `AWS::S3::Object`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceType {
    /// `AWS::S3::Object`.
    S3Object,
    /// `AWS::Lambda::Function`.
    LambdaFunction,
    /// `AWS::DynamoDB::Table`.
    DynamoDbTable,
    /// Any other type, verbatim, e.g. `AWS::SNS::Topic`.
    Other(String),
    /// The selector names no type (AWS requires one).
    Unnamed,
}

impl ResourceType {
    /// From the wire value; empty means [`ResourceType::Unnamed`].
    pub fn parse(value: &str) -> Self {
        match value {
            "AWS::S3::Object" => Self::S3Object,
            "AWS::Lambda::Function" => Self::LambdaFunction,
            "AWS::DynamoDB::Table" => Self::DynamoDbTable,
            "" => Self::Unnamed,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire value; empty for [`ResourceType::Unnamed`].
    pub fn as_str(&self) -> &str {
        match self {
            Self::S3Object => "AWS::S3::Object",
            Self::LambdaFunction => "AWS::Lambda::Function",
            Self::DynamoDbTable => "AWS::DynamoDB::Table",
            Self::Other(other) => other,
            Self::Unnamed => "",
        }
    }

    /// The types basic selectors accept (API Reference, DataResource).
    pub fn is_basic(&self) -> bool {
        matches!(
            self,
            Self::S3Object | Self::LambdaFunction | Self::DynamoDbTable
        )
    }

    /// The ARN service of the types whose ARNs are checked, e.g. `s3`.
    pub fn arn_service(&self) -> Option<&'static str> {
        match self {
            Self::S3Object => Some("s3"),
            Self::LambdaFunction => Some("lambda"),
            Self::DynamoDbTable => Some("dynamodb"),
            _ => None,
        }
    }
}

/// The resources of its type a data rule covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataScope {
    /// The resources selected before exceptions.
    pub selected: Selected,
    /// Resources left out, all of them (negations: NotStartsWith, NotEquals, NotEndsWith).
    pub except: Vec<ResourceMatch>,
}

impl DataScope {
    /// Every resource of the type, none left out.
    pub fn all() -> Self {
        Self {
            selected: Selected::All,
            except: Vec::new(),
        }
    }

    /// Whether it covers every resource of its type without exception.
    pub fn is_all(&self) -> bool {
        self.selected == Selected::All && self.except.is_empty()
    }
}

/// The resources a rule selects before exceptions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Selected {
    /// Every resource of the type (`arn:aws:s3`, or no `resources.ARN` condition).
    All,
    /// Resources matching any of these.
    Any(Vec<ResourceMatch>),
}

/// A set of resources named by an ARN, an ARN prefix or an ARN suffix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceMatch {
    /// Every resource of the type (only in exceptions: a rule that excludes everything).
    Every,
    /// Every object of one bucket (`arn:aws:s3:::bucket/`).
    Bucket(String),
    /// Objects whose `bucket/key` starts with this path, which contains a slash.
    ObjectPrefix(String),
    /// Objects of every bucket whose name starts with this (a prefix without the bucket's slash).
    BucketNamePrefix(String),
    /// One object, `bucket/key`.
    Object(String),
    /// One Lambda function, from `arn:aws:lambda:REGION:ACCOUNT:function:NAME`.
    Function {
        /// The function's name.
        name: String,
        /// The function's Region code, e.g. `us-east-1`.
        region: String,
        /// The 12-digit account ID that owns the function.
        account: String,
    },
    /// One DynamoDB table, from `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME`.
    Table {
        /// The table's name.
        name: String,
        /// The table's Region code, e.g. `us-east-1`.
        region: String,
        /// The 12-digit account ID that owns the table.
        account: String,
    },
    /// Resources whose ARN starts with this (any type but a recognised S3 path).
    ArnPrefix(String),
    /// One resource by ARN (any ARN not recognised above).
    Arn(String),
    /// Resources whose ARN ends with this.
    ArnSuffix(String),
}

/// A condition on one event field: the field's value must pass every test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// The event field, e.g. `eventName`.
    pub field: String,
    /// One test per operator with values, in the wire's order.
    pub tests: Vec<(Operator, Vec<String>)>,
}

/// Network activity events (calls through VPC endpoints) of one event source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkRule {
    /// E.g. `kms.amazonaws.com`; empty if the selector has none.
    pub event_source: String,
    /// Further conditions (e.g. `errorCode`, `vpcEndpointId`), all of which must hold.
    pub conditions: Vec<Condition>,
}

/// One Insights type and the event categories it analyzes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightRule {
    /// What Insights looks for.
    pub insight_type: InsightType,
    /// Never empty: without `EventCategories`, Insights covers management events (API Reference,
    /// InsightSelector).
    pub categories: Vec<InsightCategory>,
}

/// An Insights type (API Reference, InsightSelector).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InsightType {
    /// `ApiCallRateInsight`: analyzes write management events.
    ApiCallRate,
    /// `ApiErrorRateInsight`: analyzes read and write management events.
    ApiErrorRate,
    /// Any other value, verbatim.
    Other(String),
}

/// An event category Insights analyzes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InsightCategory {
    /// `Management`.
    Management,
    /// `Data` (trails only).
    Data,
    /// Any other value, verbatim.
    Other(String),
}

/// Which selector a warning is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SelectorRef {
    /// The trail as a whole (its Insights selectors, or both kinds of event selectors).
    Trail,
    /// A basic event selector, numbered from 1.
    Basic(usize),
    /// An advanced event selector, numbered from 1, with its name if it has one.
    Advanced {
        /// Its position among the trail's advanced selectors, from 1.
        number: usize,
        /// Its `Name`, if it has one.
        name: Option<String>,
    },
}

/// Something about a selector that cannot be decoded, is not valid on a trail or never matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The selector at fault.
    pub selector: SelectorRef,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong; fields hold the offending values verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// The trail reports basic and advanced selectors (AWS keeps one kind; moto may keep both).
    BothKinds,
    /// A `ReadWriteType` other than `All`, `ReadOnly` or `WriteOnly` (API Reference, EventSelector).
    UnknownReadWriteType(String),
    /// A basic selector with neither management events nor data resources.
    LogsNothing,
    /// A basic data resource type other than S3 objects, Lambda functions and DynamoDB tables (API Reference,
    /// DataResource).
    NotBasicResourceType(String),
    /// A basic data resource without values.
    NoValues(String),
    /// An ARN of another service than its resource type's.
    WrongArnService {
        /// The ARN value as written.
        value: String,
        /// The resource type it was given for.
        resource_type: ResourceType,
    },
    /// An S3 prefix without the slash after the bucket name.
    NoBucketSlash {
        /// The value as written, e.g. `arn:aws:s3:::bucket`.
        value: String,
        /// The bucket name it matches as a prefix.
        bucket: String,
    },
    /// An advanced selector without an `eventCategory` field, which AWS requires (API Reference,
    /// AdvancedFieldSelector).
    NoEventCategory,
    /// An eventCategory only event data stores accept, e.g. `Insight`.
    LakeOnlyCategory(String),
    /// An `eventCategory` value CloudTrail does not define.
    UnknownCategory(String),
    /// The `eventCategory` conditions let no category a trail logs through, so the selector logs nothing.
    MatchesNoCategory,
    /// The `eventCategory` conditions let several categories through; AWS allows one per selector.
    SeveralCategories,
    /// An eventSource condition on management events other than NotEquals.
    ManagementEventSource,
    /// A field trails do not accept on management-event selectors (only `eventCategory`, `readOnly` and
    /// `eventSource`).
    NotManagementField(String),
    /// Several `resources.ARN` fields on one selector; every one must match.
    SeveralArnFields,
    /// A field trails do not accept on data-event selectors.
    NotDataField(String),
    /// A data-event selector without a `resources.type` Equals value, which AWS requires.
    NoResourceType,
    /// A data-event selector naming several resource types; AWS allows one per selector.
    SeveralResourceTypes,
    /// A NotStartsWith that leaves out every resource of the type.
    ExcludesEverything,
    /// A network activity `errorCode` value other than `VpceAccessDenied`, the only one AWS accepts.
    NotVpceAccessDenied(String),
    /// A field trails do not accept on network activity selectors.
    NotNetworkField(String),
    /// A network activity selector without an `eventSource` Equals value, which AWS requires.
    NoNetworkSource,
    /// A network activity selector naming several event sources; AWS expects a selector for each.
    SeveralNetworkSources,
    /// A `readOnly` value other than `true` or `false`.
    ReadOnlyValue(String),
    /// The `readOnly` conditions match neither read nor write events.
    ReadOnlyMatchesNothing,
    /// An excluded management source other than AWS KMS and the RDS Data API.
    NotExcludable(String),
    /// A field selector without a `Field`.
    FieldWithoutName,
    /// A field selector without values, so it filters nothing.
    FieldWithoutValues(String),
    /// The conditions on a field exclude every value they include.
    Contradiction(String),
    /// A field that accepts only Equals, with another operator.
    OnlyEquals {
        /// The field, e.g. `eventCategory`.
        field: String,
        /// The operator used instead of Equals.
        operator: Operator,
    },
    /// An Insights type other than `ApiCallRateInsight` and `ApiErrorRateInsight` (API Reference,
    /// InsightSelector).
    UnknownInsightType(String),
    /// An Insights event category other than `Management` and `Data`.
    UnknownInsightCategory(String),
    /// An Insights type on management events without the management events it analyzes.
    InsightWithoutEvents(InsightType),
}

impl DecodedSelectors {
    /// Read and write management events from every source, without conditions (the management
    /// part of CIS 3.1, "CloudTrail enabled in all Regions").
    pub fn logs_all_management_events(&self) -> bool {
        let m = &self.management;
        m.read
            && m.write
            && m.excluded_sources.is_empty()
            && m.excluded_from_reads.is_empty()
            && m.excluded_from_writes.is_empty()
            && m.conditions.is_empty()
    }

    /// (read, write): some rule logs that kind of data event for every S3 object, unconditionally
    /// (CIS v3.0.0 3.8 / 3.9; 3.10 / 3.11 in v1.4–v2.0).
    pub fn logs_s3_data_events(&self) -> (bool, bool) {
        self.data
            .iter()
            .filter(|r| r.resource_type == ResourceType::S3Object && r.scope.is_all())
            .filter(|r| r.conditions.is_empty())
            .fold((false, false), |(read, write), r| {
                (read || r.read, write || r.write)
            })
    }
}
