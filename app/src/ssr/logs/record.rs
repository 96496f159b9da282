//! Parses a decompressed log file (`{"Records":[…]}`) into the columns the store indexes.
//! Parsing is tolerant as AWS asks: unknown fields are ignored, null and absent are the same. Only the fields
//! the store needs are read; the record itself stays in the compressed file the store keeps.
use serde::Deserialize;
use serde::de::{Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;

use super::key::LogKey;
use crate::model::time::parse_rfc3339;

/// `eventCategory`, stored as a small integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventCategory {
    Management = 0,
    Data = 1,
    Insight = 2,
    NetworkActivity = 3,
}

/// One event, reduced to what the store indexes. `ordinal` is its index in the file's `Records`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub ordinal: u32,
    pub event_time: i64,
    pub event_id: String,
    pub account_id: String,
    pub region: String,
    pub event_source: String,
    pub event_name: String,
    pub identity_type: Option<String>,
    pub identity_arn: Option<String>,
    /// Readable principal: `alice`, `Role/session`, `root`, `ec2.amazonaws.com`.
    pub identity_name: Option<String>,
    pub access_key_id: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub read_only: Option<bool>,
    pub category: EventCategory,
    /// `resources[]`: (type, ARN) of each resource the record names.
    pub resources: Vec<(Option<String>, String)>,
}

/// A record the file holds that cannot be stored, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    pub ordinal: u32,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct ParsedLog {
    pub events: Vec<EventRow>,
    pub rejected: Vec<RecordError>,
}

/// Why a whole file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LogFileError {
    #[error("not a CloudTrail log file: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not a CloudTrail log file: no \"Records\" array")]
    NoRecords,
}

/// A JSON string that borrows from the input unless it holds escapes (serde only borrows a bare `Cow`).
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
        }
        deserializer.deserialize_str(StrVisitor).map(Str)
    }
}

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

type Text<'a> = Option<Str<'a>>;

#[derive(Deserialize)]
struct RawLog<'a> {
    #[serde(rename = "Records", borrow)]
    records: Option<Vec<RawRecord<'a>>>,
}

/// `readOnly` is a boolean in log files and the string `"true"`/`"false"` in LookupEvents; anything else is unknown.
struct Flag(Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlagVisitor;
        impl Visitor<'_> for FlagVisitor {
            type Value = Option<bool>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean or \"true\"/\"false\"")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Some(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(["false", "true"]
                    .iter()
                    .position(|t| v.eq_ignore_ascii_case(t))
                    .map(|i| i == 1))
            }
        }
        deserializer.deserialize_any(FlagVisitor).map(Flag)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRecord<'a> {
    #[serde(borrow)]
    event_time: Text<'a>,
    #[serde(rename = "eventID", borrow)]
    event_id: Text<'a>,
    #[serde(borrow)]
    event_source: Text<'a>,
    #[serde(borrow)]
    event_name: Text<'a>,
    #[serde(borrow)]
    aws_region: Text<'a>,
    #[serde(borrow)]
    recipient_account_id: Text<'a>,
    #[serde(rename = "sourceIPAddress", borrow)]
    source_ip_address: Text<'a>,
    #[serde(borrow)]
    user_agent: Text<'a>,
    #[serde(borrow)]
    error_code: Text<'a>,
    read_only: Option<Flag>,
    #[serde(borrow)]
    event_category: Text<'a>,
    #[serde(borrow)]
    event_type: Text<'a>,
    management_event: Option<bool>,
    #[serde(borrow)]
    user_identity: Option<RawIdentity<'a>>,
    #[serde(borrow)]
    insight_details: Option<RawInsight<'a>>,
    #[serde(borrow)]
    resources: Option<Vec<RawResource<'a>>>,
}

#[derive(Deserialize)]
struct RawResource<'a> {
    #[serde(rename = "ARN", borrow)]
    arn: Text<'a>,
    #[serde(rename = "type", borrow)]
    kind: Text<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIdentity<'a> {
    #[serde(rename = "type", borrow)]
    kind: Text<'a>,
    #[serde(borrow)]
    principal_id: Text<'a>,
    #[serde(borrow)]
    arn: Text<'a>,
    #[serde(borrow)]
    account_id: Text<'a>,
    #[serde(borrow)]
    access_key_id: Text<'a>,
    #[serde(borrow)]
    user_name: Text<'a>,
    #[serde(borrow)]
    invoked_by: Text<'a>,
    #[serde(borrow)]
    session_context: Option<RawSessionContext<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSessionContext<'a> {
    #[serde(borrow)]
    session_issuer: Option<RawIssuer<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIssuer<'a> {
    #[serde(borrow)]
    user_name: Text<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInsight<'a> {
    #[serde(borrow)]
    event_source: Text<'a>,
    #[serde(borrow)]
    event_name: Text<'a>,
}

fn owned(text: &Text<'_>) -> Option<String> {
    text.as_deref().filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The part of an ARN after its last `prefix`, e.g. `role/session` from `…:assumed-role/role/session`.
fn arn_resource<'a>(arn: Option<&'a str>, prefix: &str) -> Option<&'a str> {
    arn.and_then(|a| a.split_once(prefix))
        .map(|(_, rest)| rest)
        .filter(|r| !r.is_empty())
}

impl RawIdentity<'_> {
    /// The name a person would use for this principal (AWS-FACTS §3.2 identity types).
    fn readable_name(&self) -> Option<String> {
        let arn = self.arn.as_deref();
        let name = match self.kind.as_deref().unwrap_or("") {
            "Root" => Some("root"),
            "AssumedRole" => arn_resource(arn, ":assumed-role/"),
            "FederatedUser" => arn_resource(arn, ":federated-user/"),
            "AWSService" => self.invoked_by.as_deref(),
            "AWSAccount" => self.account_id.as_deref().or(self.principal_id.as_deref()),
            "Role" => arn_resource(arn, ":role/"),
            _ => None,
        };
        let issuer = self
            .session_context
            .as_ref()
            .and_then(|c| c.session_issuer.as_ref());
        name.or(self.user_name.as_deref())
            .or_else(|| issuer.and_then(|i| i.user_name.as_deref()))
            .or(self.principal_id.as_deref())
            .or(self.invoked_by.as_deref())
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    }
}

impl RawRecord<'_> {
    fn category(&self) -> EventCategory {
        match self.event_category.as_deref() {
            Some("Data") => EventCategory::Data,
            Some("Insight") => EventCategory::Insight,
            Some("NetworkActivity") => EventCategory::NetworkActivity,
            Some(_) => EventCategory::Management,
            None if self.event_type.as_deref() == Some("AwsCloudTrailInsight") => {
                EventCategory::Insight
            }
            None if self.management_event == Some(false) => EventCategory::Data,
            None => EventCategory::Management,
        }
    }

    fn into_row(self, ordinal: u32, key: &LogKey) -> Result<EventRow, String> {
        let time_text = self.event_time.as_deref().ok_or("no eventTime")?;
        let event_time = parse_rfc3339(time_text)
            .ok_or_else(|| format!("eventTime {time_text:?} is not a UTC timestamp"))?;
        let event_id = owned(&self.event_id).ok_or("no eventID")?;
        let insight = self.insight_details.as_ref();
        let event_source = owned(&self.event_source)
            .or_else(|| insight.and_then(|i| owned(&i.event_source)))
            .ok_or("no eventSource")?;
        let event_name = owned(&self.event_name)
            .or_else(|| insight.and_then(|i| owned(&i.event_name)))
            .ok_or("no eventName")?;
        let identity = self.user_identity.as_ref();
        let account_id = owned(&self.recipient_account_id)
            .or_else(|| identity.and_then(|i| owned(&i.account_id)))
            .unwrap_or_else(|| key.account_id.clone());
        let identity_arn = identity.and_then(|i| owned(&i.arn).or_else(|| owned(&i.invoked_by)));
        Ok(EventRow {
            ordinal,
            event_time,
            event_id,
            account_id,
            region: owned(&self.aws_region).unwrap_or_else(|| key.region.clone()),
            category: self.category(),
            event_source,
            event_name,
            identity_type: identity.and_then(|i| owned(&i.kind)),
            identity_name: identity.and_then(RawIdentity::readable_name),
            identity_arn,
            access_key_id: identity.and_then(|i| owned(&i.access_key_id)),
            source_ip: owned(&self.source_ip_address),
            user_agent: owned(&self.user_agent),
            error_code: owned(&self.error_code),
            read_only: self.read_only.and_then(|f| f.0),
            resources: self
                .resources
                .iter()
                .flatten()
                .filter_map(|r| Some((owned(&r.kind), owned(&r.arn)?)))
                .collect(),
        })
    }
}

/// Parses the decompressed text of one log file. Records that lack what every event has (time, ID, source,
/// name) are returned in `rejected` with their position; the file fails only if it is not a log file at all.
pub fn parse_log(json: &str, key: &LogKey) -> Result<ParsedLog, LogFileError> {
    let raw: RawLog<'_> = serde_json::from_str(json)?;
    let records = raw.records.ok_or(LogFileError::NoRecords)?;
    let mut parsed = ParsedLog {
        events: Vec::with_capacity(records.len()),
        rejected: Vec::new(),
    };
    for (ordinal, record) in (0u32..).zip(records) {
        match record.into_row(ordinal, key) {
            Ok(row) => parsed.events.push(row),
            Err(reason) => parsed.rejected.push(RecordError { ordinal, reason }),
        }
    }
    Ok(parsed)
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
