//! What the estimate is computed from: the trails as billing sees them (derived from the trails snapshot's
//! typed selector facts), the monthly event volumes per account × Region × event class, each measured or
//! entered, and the sizes of the delivered log files.
use crate::model::selectors::{
    self, DecodedSelectors, EventSelectorsResponse, InsightSelectorsResponse, ResourceType,
};
use crate::model::trails::TrailsSnapshot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything [`super::estimate`] reads besides prices and changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    /// Every trail, in a stable order (by ARN when made by [`trails_from_snapshot`]).
    pub trails: Vec<BillingTrail>,
    /// Events per month by account, Region and class. One row per key; rows for the same key add up.
    pub volumes: Vec<Volume>,
    /// Log file sizes per account and Region, measured from the archive; cells without one use
    /// `default_size`.
    pub sizes: Vec<EventSize>,
    /// The size assumed where none was measured.
    pub default_size: EventSize,
}

/// A trail as billing sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BillingTrail {
    /// `TrailARN`: the key what-if changes name a trail by.
    pub trail_arn: String,
    /// `Name`.
    pub name: String,
    /// The account that owns the trail (its ARN's).
    pub home_account: String,
    /// `HomeRegion`.
    pub home_region: String,
    /// `IsMultiRegionTrail`: it delivers the events of every Region of its accounts.
    pub is_multi_region: bool,
    /// `IsOrganizationTrail`: it delivers the events of every member account in `accounts`.
    pub is_organization: bool,
    /// `GetTrailStatus`' `IsLogging` (true when no status could be read): a stopped trail delivers nothing.
    pub is_logging: bool,
    /// The accounts whose events it delivers: its owner, and for an organization trail every account it
    /// is listed in. Sorted.
    pub accounts: Vec<String>,
    /// The event and Insights selectors as typed facts.
    pub selectors: DecodedSelectors,
    /// `S3BucketName`: where its log files go (S3 storage is priced for every trail).
    pub s3_bucket_name: Option<String>,
    /// It delivers to a CloudWatch Logs log group (`CloudWatchLogsLogGroupArn` is set).
    pub cloud_watch_logs: bool,
}

/// A class of events, the unit volumes are counted in and trails' selectors are matched against.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "category", rename_all = "snake_case")]
pub enum EventClass {
    /// Management events of one kind.
    Management {
        /// Read-only (`readOnly: true`) events; false for write events (and the few without the field).
        read_only: bool,
        /// An event source a trail can exclude (AWS KMS, RDS Data API), or `None` for every other source.
        event_source: Option<String>,
    },
    /// Data events of one resource type, on one resource when known.
    Data {
        /// The resource type, e.g. S3 objects.
        resource_type: ResourceTypeName,
        /// Read-only events (e.g. `GetObject`); false for writes.
        read_only: bool,
        /// The bucket name for S3 objects, the ARN for other types; `None` when the events name no resource.
        resource: Option<String>,
    },
    /// Network activity events (calls through VPC endpoints) of one event source.
    NetworkActivity {
        /// E.g. `s3.amazonaws.com`.
        event_source: String,
    },
}

/// A data resource type by its wire name (`AWS::S3::Object`), so it can be a map key.
pub type ResourceTypeName = String;

impl EventClass {
    /// The resource type of a data class, parsed.
    pub fn resource_type(&self) -> Option<ResourceType> {
        match self {
            Self::Data { resource_type, .. } => Some(ResourceType::parse(resource_type)),
            _ => None,
        }
    }
}

/// Events of one class in one account and Region, per month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    /// The 12-digit account ID the events happened in (`recipientAccountId`).
    pub account: String,
    /// The Region code.
    pub region: String,
    /// Which events.
    pub class: EventClass,
    /// Events per month (30 days).
    pub events_per_month: u64,
    /// Where the figure comes from.
    pub basis: Basis,
}

/// Where a figure comes from; measured and entered figures are labelled differently everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Basis {
    /// Counted in the store over `window_secs` and scaled to 30 days (exactly when the window is 30 days).
    Measured {
        /// The window counted, in seconds.
        window_secs: i64,
    },
    /// Entered by hand in the configuration (`billing_volumes`).
    Entered,
    /// Neither measured nor entered: a stated assumption (log file sizes where no file was ingested).
    Assumed,
    /// A line adding up figures of different bases.
    Mixed,
}

impl Basis {
    /// The basis of a sum of figures with bases `self` and `other`.
    pub fn merge(self, other: Self) -> Self {
        if self == other { self } else { Self::Mixed }
    }

    /// A few words for tables, e.g. "measured over 30 days", "entered".
    pub fn label(self) -> String {
        match self {
            Self::Measured { window_secs } => {
                let days = window_secs as f64 / 86_400.0;
                if (days - days.round()).abs() < 0.05 {
                    format!("measured over {} days", days.round() as i64)
                } else {
                    format!("measured over {days:.1} days, scaled to 30")
                }
            }
            Self::Entered => "entered".to_owned(),
            Self::Assumed => "assumed".to_owned(),
            Self::Mixed => "measured and entered".to_owned(),
        }
    }
}

/// Sizes of the log files delivered for one account and Region: bytes per event are
/// `compressed_bytes / events` (S3 storage) and `uncompressed_bytes / events` (CloudWatch Logs ingestion).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventSize {
    /// The account; empty for the default.
    pub account: String,
    /// The Region; empty for the default.
    pub region: String,
    /// Events in the files measured.
    pub events: u64,
    /// Their `.json.gz` size, in bytes.
    pub compressed_bytes: u64,
    /// Their JSON size, in bytes.
    pub uncompressed_bytes: u64,
    /// Measured from the archive, or assumed.
    pub basis: Basis,
}

impl EventSize {
    /// The assumption where nothing was measured: 1,500 bytes of JSON per record, 10:1 gzip. CloudTrail
    /// records are typically 1–2 KB; gzip of JSON log files reaches about a tenth.
    pub fn assumed() -> Self {
        Self {
            account: String::new(),
            region: String::new(),
            events: 1_000,
            compressed_bytes: 150_000,
            uncompressed_bytes: 1_500_000,
            basis: Basis::Assumed,
        }
    }
}

impl Default for EventSize {
    fn default() -> Self {
        Self::assumed()
    }
}

/// The trails of a snapshot as billing sees them, one per ARN, sorted by ARN. Selectors come from the
/// first listing that could read them (all management events when none could, AWS's default); the status
/// from the first listing that has one.
pub fn trails_from_snapshot(snapshot: &TrailsSnapshot) -> Vec<BillingTrail> {
    let mut by_arn: BTreeMap<&str, BillingTrail> = BTreeMap::new();
    // Trails whose selectors came from a listing that could read them.
    let mut selectors_read: BTreeMap<&str, bool> = BTreeMap::new();
    for region in &snapshot.regions {
        for record in &region.trails {
            let trail = &record.trail;
            if trail.trail_arn.is_empty() {
                continue;
            }
            let arn_field = |i: usize| trail.trail_arn.split(':').nth(i).filter(|f| !f.is_empty());
            let owner = arn_field(4).unwrap_or(&region.account).to_owned();
            let entry = by_arn
                .entry(&trail.trail_arn)
                .or_insert_with(|| BillingTrail {
                    trail_arn: trail.trail_arn.clone(),
                    name: trail.name.clone(),
                    home_region: trail
                        .home_region
                        .clone()
                        .filter(|r| !r.is_empty())
                        .or_else(|| arn_field(3).map(str::to_owned))
                        .unwrap_or_else(|| region.region.clone()),
                    accounts: vec![owner.clone()],
                    home_account: owner,
                    is_multi_region: trail.is_multi_region_trail.unwrap_or(false),
                    is_organization: trail.is_organization_trail.unwrap_or(false),
                    is_logging: true,
                    // Replaced below by the first listing that could read them.
                    selectors: selectors::decode(
                        &EventSelectorsResponse::default(),
                        &InsightSelectorsResponse::default(),
                    ),
                    s3_bucket_name: trail.s3_bucket_name.clone().filter(|b| !b.is_empty()),
                    cloud_watch_logs: trail
                        .cloud_watch_logs_log_group_arn
                        .as_deref()
                        .is_some_and(|g| !g.is_empty()),
                });
            if entry.is_organization && !entry.accounts.contains(&region.account) {
                entry.accounts.push(region.account.clone());
            }
            if let Some(status) = &record.status {
                entry.is_logging = status.is_logging;
            }
            let read = selectors_read.entry(&trail.trail_arn).or_insert(false);
            if !*read && record.selectors_error.is_none() {
                entry.selectors =
                    selectors::decode(&record.event_selectors, &record.insight_selectors);
                *read = true;
            }
        }
    }
    by_arn
        .into_values()
        .map(|mut t| {
            t.accounts.sort();
            t
        })
        .collect()
}

/// The resource a data event is billed on, from its record's `resources[]` (type, ARN): (resource type,
/// resource) as [`EventClass::Data`] names them: `AWS::S3::Object` and the bucket name for S3 (object or
/// bucket ARNs); `AWS::Lambda::Function` and the function's ARN without a version or alias qualifier;
/// `AWS::DynamoDB::Table` and the table's ARN; else the first typed resource as given. `None` when the
/// record names no resource.
pub fn data_resource(resources: &[(Option<String>, String)]) -> Option<(String, String)> {
    let field = |arn: &str, i: usize| arn.split(':').nth(i).map(str::to_owned);
    for (_, arn) in resources {
        match field(arn, 2).as_deref() {
            Some("s3") => {
                let path = arn.splitn(6, ':').nth(5).unwrap_or("");
                let bucket = path.split('/').next().unwrap_or("");
                if !bucket.is_empty() {
                    return Some((
                        ResourceType::S3Object.as_str().to_owned(),
                        bucket.to_owned(),
                    ));
                }
            }
            Some("lambda") if field(arn, 5).as_deref() == Some("function") => {
                let unqualified: Vec<&str> = arn.split(':').take(7).collect();
                return Some((
                    ResourceType::LambdaFunction.as_str().to_owned(),
                    unqualified.join(":"),
                ));
            }
            Some("dynamodb") => {
                let rest = arn.splitn(6, ':').nth(5).unwrap_or("");
                let mut parts = rest.split('/');
                if let (Some("table"), Some(name)) = (parts.next(), parts.next()) {
                    let prefix: Vec<&str> = arn.splitn(6, ':').take(5).collect();
                    return Some((
                        ResourceType::DynamoDbTable.as_str().to_owned(),
                        format!("{}:table/{name}", prefix.join(":")),
                    ));
                }
            }
            _ => {}
        }
    }
    resources
        .iter()
        .find_map(|(kind, arn)| Some((kind.clone().filter(|k| !k.is_empty())?, arn.clone())))
}

impl std::fmt::Display for EventClass {
    /// The text form of `billing_volumes`' `class`: `management-read`, `management-write`, either with
    /// `@SOURCE` for an excludable source; `data-read:TYPE` or `data-write:TYPE`, optionally `@RESOURCE`;
    /// `network@SOURCE`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = |read_only: bool| if read_only { "read" } else { "write" };
        match self {
            Self::Management {
                read_only,
                event_source,
            } => {
                write!(f, "management-{}", kind(*read_only))?;
                event_source.as_ref().map_or(Ok(()), |s| write!(f, "@{s}"))
            }
            Self::Data {
                resource_type,
                read_only,
                resource,
            } => {
                write!(f, "data-{}:{resource_type}", kind(*read_only))?;
                resource.as_ref().map_or(Ok(()), |r| write!(f, "@{r}"))
            }
            Self::NetworkActivity { event_source } => write!(f, "network@{event_source}"),
        }
    }
}

impl std::str::FromStr for EventClass {
    type Err = String;

    /// Reads the text form (see `Display`). Errors: a sentence quoting the text and the forms.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{text:?} is not an event class: use management-read, management-write (with @SOURCE for \
                 kms.amazonaws.com or rdsdata.amazonaws.com), data-read:TYPE or data-write:TYPE (with \
                 @BUCKET or @ARN), or network@SOURCE"
            )
        };
        let (head, at) = match text.split_once('@') {
            Some((h, a)) if !a.is_empty() => (h, Some(a.to_owned())),
            Some(_) => return Err(bad()),
            None => (text, None),
        };
        let read_only = |k: &str| match k {
            "read" => Ok(true),
            "write" => Ok(false),
            _ => Err(bad()),
        };
        if let Some(k) = head.strip_prefix("management-") {
            return Ok(Self::Management {
                read_only: read_only(k)?,
                event_source: at,
            });
        }
        if let Some(rest) = head.strip_prefix("data-") {
            let (k, resource_type) = rest.split_once(':').ok_or_else(bad)?;
            if !resource_type.starts_with("AWS::") {
                return Err(bad());
            }
            return Ok(Self::Data {
                resource_type: resource_type.to_owned(),
                read_only: read_only(k)?,
                resource: at,
            });
        }
        match (head, at) {
            ("network", Some(event_source)) => Ok(Self::NetworkActivity { event_source }),
            _ => Err(bad()),
        }
    }
}
