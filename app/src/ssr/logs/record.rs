//! Parses a decompressed log file (`{"Records":[…]}`) into the columns the store indexes.
//! Parsing is tolerant as AWS asks: unknown fields are ignored, null and absent are the same. Only the fields
//! the store needs are read; the record itself stays in the compressed file the store keeps.
mod identity;
mod lenient;

pub use identity::IdentityCenterUser;

use identity::RawIdentity;
use lenient::{FailedStep, Flag, List, Obj, Text};
use serde::Deserialize;

use super::key::LogKey;
use crate::model::events::EventCategory;
use crate::model::time::parse_rfc3339;

/// One event, reduced to what the store indexes. `ordinal` is its index in the file's `Records`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    /// The record's index in the file's `Records` array, from 0.
    pub ordinal: u32,
    /// `eventTime`: epoch seconds UTC.
    pub event_time: i64,
    /// `eventID`, a UUID CloudTrail assigns to each event.
    pub event_id: String,
    /// `recipientAccountId`: the 12-digit account ID that received the event.
    pub account_id: String,
    /// `awsRegion`, e.g. `us-east-1`.
    pub region: String,
    /// `eventSource`, the service's endpoint, e.g. `s3.amazonaws.com`.
    pub event_source: String,
    /// `eventName`, the API action, e.g. `PutObject`.
    pub event_name: String,
    /// `userIdentity.type`, e.g. `IAMUser`, `AssumedRole`, `AWSService`.
    pub identity_type: Option<String>,
    /// `userIdentity.arn`.
    pub identity_arn: Option<String>,
    /// Readable principal: `alice`, `Role/session`, `root`, `ec2.amazonaws.com`, an Identity Center user's ID
    /// (see `RawIdentity::readable_name` for the order of fields).
    pub identity_name: Option<String>,
    /// `userIdentity.accessKeyId`.
    pub access_key_id: Option<String>,
    /// `sourceIPAddress`: an IP address, or an AWS service's name for calls it made.
    pub source_ip: Option<String>,
    /// `userAgent`.
    pub user_agent: Option<String>,
    /// Set when the event failed, by the one definition of an error (`RawRecord::error_code`).
    pub error_code: Option<String>,
    /// `readOnly`; `None` when the record has none (e.g. Insights events).
    pub read_only: Option<bool>,
    /// `eventCategory`: Management, Data, NetworkActivity or Insight.
    pub category: EventCategory,
    /// `resources[]`: (type, ARN) of each resource the record names.
    pub resources: Vec<(Option<String>, String)>,
    /// The IAM Identity Center user the request was made for (`userIdentity.onBehalfOf`), if any.
    pub identity_center: Option<IdentityCenterUser>,
}

/// A record the file holds that cannot be stored, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    /// The record's index in the file's `Records` array, from 0.
    pub ordinal: u32,
    /// Why it cannot be stored, for display.
    pub reason: String,
}

#[derive(Debug, Default)]
/// What one log file holds: the events that can be stored and the records that cannot.
pub struct ParsedLog {
    /// The records that can be stored, in file order.
    pub events: Vec<EventRow>,
    /// The records that cannot, with why.
    pub rejected: Vec<RecordError>,
}

/// Why a whole file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LogFileError {
    #[error("not a CloudTrail log file: {0}")]
    /// The file is not JSON, or not a JSON object.
    Json(#[from] serde_json::Error),
    #[error("not a CloudTrail log file: no \"Records\" array")]
    /// The JSON has no `Records` array. See
    /// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html>.
    NoRecords,
}

#[derive(Deserialize)]
struct RawLog<'a> {
    #[serde(rename = "Records", borrow)]
    records: Option<Vec<Obj<RawRecord<'a>>>>,
}

/// The slow path's view of a file whose fast parse failed on a record: each record as a JSON value, so one
/// record that cannot be read is rejected alone.
#[derive(Deserialize)]
struct ValueLog {
    #[serde(rename = "Records")]
    records: Option<Vec<serde_json::Value>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
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
    #[serde(borrow)]
    error_message: Text<'a>,
    #[serde(borrow)]
    response_elements: FailedStep<'a>,
    #[serde(borrow)]
    service_event_details: FailedStep<'a>,
    read_only: Flag,
    #[serde(borrow)]
    event_category: Text<'a>,
    #[serde(borrow)]
    event_type: Text<'a>,
    management_event: Flag,
    #[serde(borrow)]
    user_identity: Obj<RawIdentity<'a>>,
    #[serde(borrow)]
    additional_event_data: Obj<RawAdditional<'a>>,
    #[serde(borrow)]
    insight_details: Obj<RawInsight<'a>>,
    #[serde(borrow)]
    resources: List<Obj<RawResource<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawResource<'a> {
    #[serde(rename = "ARN", borrow)]
    arn: Text<'a>,
    #[serde(rename = "type", borrow)]
    kind: Text<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawInsight<'a> {
    #[serde(borrow)]
    event_source: Text<'a>,
    #[serde(borrow)]
    event_name: Text<'a>,
    /// The error code an error-rate Insight (`ApiErrorRateInsight`) watched.
    #[serde(borrow)]
    error_code: Text<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAdditional<'a> {
    /// The name an IAM Identity Center user signed in with.
    #[serde(rename = "UserName", borrow)]
    user_name: Text<'a>,
}

impl RawRecord<'_> {
    fn category(&self) -> EventCategory {
        match self.event_category.get() {
            Some(value) => {
                EventCategory::from_cloudtrail(value).unwrap_or(EventCategory::Management)
            }
            None if self.event_type.get() == Some("AwsCloudTrailInsight") => EventCategory::Insight,
            None if self.management_event.0 == Some(false) => EventCategory::Data,
            None => EventCategory::Management,
        }
    }

    fn insight(&self) -> Option<&RawInsight<'_>> {
        self.insight_details.0.as_ref()
    }

    /// What makes an event an error, the one definition the store, search, Activity and the rollups use:
    /// 1. `errorCode`, when the record has one (most services);
    /// 2. a sign-in event whose `responseElements` or `serviceEventDetails` answers its own name with
    ///    `"Failure"` (`ConsoleLogin`, `CheckMfa`, `SwitchRole`, and IAM Identity Center's
    ///    `CredentialVerification`, `UserAuthentication`, … write no `errorCode`): its `errorMessage`
    ///    (`Failed authentication`, `No username found in supplied account`) stands as the code, or `Failure`
    ///    without one
    ///    (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html>,
    ///    <https://docs.aws.amazon.com/singlesignon/latest/userguide/understanding-sign-in-events.html>);
    /// 3. an error-rate Insights event: the error code it watched, `insightDetails.errorCode`
    ///    (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-insights-events-with-cloudtrail.html>).
    fn error_code(&self) -> Option<String> {
        let failed_sign_in = [&self.response_elements, &self.service_event_details]
            .iter()
            .filter_map(|answer| answer.0.as_deref())
            .any(|step| Some(step) == self.event_name.get());
        self.error_code
            .owned()
            .or_else(|| {
                failed_sign_in.then(|| {
                    self.error_message
                        .owned()
                        .unwrap_or_else(|| "Failure".to_owned())
                })
            })
            .or_else(|| self.insight().and_then(|i| i.error_code.owned()))
    }

    /// The name an IAM Identity Center user signed in with: `additionalEventData.UserName` of a successful
    /// `CredentialChallenge` or `UserAuthentication`, the two sign-in events AWS writes it in once per successful
    /// sign-in (<https://docs.aws.amazon.com/singlesignon/latest/userguide/username-sign-in-cloudtrail-events.html>).
    /// A failed attempt's `UserName` is whatever was typed, so it never names anyone.
    fn sign_in_name(&self, failed: bool) -> Option<&str> {
        let in_scope = matches!(
            self.event_name.get(),
            Some("CredentialChallenge" | "UserAuthentication")
        );
        self.additional_event_data
            .0
            .as_ref()
            .filter(|_| in_scope && !failed)
            .and_then(|a| a.user_name.get())
    }

    fn into_row(self, ordinal: u32, key: &LogKey) -> Result<EventRow, String> {
        let time_text = self.event_time.get().ok_or("no eventTime")?;
        let event_time = parse_rfc3339(time_text)
            .ok_or_else(|| format!("eventTime {time_text:?} is not a UTC timestamp"))?;
        let event_id = self.event_id.owned().ok_or("no eventID")?;
        let insight = self.insight();
        let event_source = self
            .event_source
            .owned()
            .or_else(|| insight.and_then(|i| i.event_source.owned()))
            .ok_or("no eventSource")?;
        let event_name = self
            .event_name
            .owned()
            .or_else(|| insight.and_then(|i| i.event_name.owned()))
            .ok_or("no eventName")?;
        let identity = self.user_identity.0.as_ref();
        let error_code = self.error_code();
        let sign_in_name = self.sign_in_name(error_code.is_some());
        // The account whose trail delivered the file: a record without `recipientAccountId` (before
        // eventVersion 1.02) belongs to the key's account, never to the caller's.
        let account_id = self
            .recipient_account_id
            .owned()
            .unwrap_or_else(|| key.account_id.clone());
        Ok(EventRow {
            ordinal,
            event_time,
            event_id,
            identity_center: identity
                .and_then(|i| i.identity_center_user(sign_in_name, &account_id)),
            account_id,
            region: self
                .aws_region
                .owned()
                .unwrap_or_else(|| key.region.clone()),
            category: self.category(),
            error_code,
            event_source,
            event_name,
            identity_type: identity.and_then(|i| i.kind.owned()),
            identity_name: identity.and_then(RawIdentity::readable_name),
            identity_arn: identity.and_then(RawIdentity::arn),
            access_key_id: identity.and_then(|i| i.access_key_id.owned()),
            source_ip: self.source_ip_address.owned(),
            user_agent: self.user_agent.owned(),
            read_only: self.read_only.0,
            resources: self
                .resources
                .0
                .iter()
                .filter_map(|r| r.0.as_ref())
                .filter_map(|r| Some((r.kind.owned(), r.arn.owned()?)))
                .collect(),
        })
    }
}

/// Parses the decompressed text of one log file. Records that lack what every event has (time, ID, source,
/// name), and entries of `Records` that are not objects, are returned in `rejected` with their position; the
/// file fails only if it is not a log file at all (not JSON, or no `Records` array).
pub fn parse_log(json: &str, key: &LogKey) -> Result<ParsedLog, LogFileError> {
    let records = match serde_json::from_str::<RawLog<'_>>(json) {
        Ok(raw) => raw.records.ok_or(LogFileError::NoRecords)?,
        // Every field reads any JSON type, so a data error here is a record that serde cannot take at all
        // (e.g. a field written twice): read record by record instead, to reject that one alone.
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            return parse_record_by_record(json, key);
        }
        Err(e) => return Err(e.into()),
    };
    let mut parsed = ParsedLog {
        events: Vec::with_capacity(records.len()),
        rejected: Vec::new(),
    };
    for (ordinal, record) in (0u32..).zip(records) {
        let row = record
            .0
            .ok_or_else(|| "not a JSON object".to_owned())
            .and_then(|r| r.into_row(ordinal, key));
        parsed.push(ordinal, row);
    }
    Ok(parsed)
}

/// The slow path of [`parse_log`]: each record parsed on its own from a JSON value.
fn parse_record_by_record(json: &str, key: &LogKey) -> Result<ParsedLog, LogFileError> {
    let records = serde_json::from_str::<ValueLog>(json)?
        .records
        .ok_or(LogFileError::NoRecords)?;
    let mut parsed = ParsedLog::default();
    for (ordinal, value) in (0u32..).zip(&records) {
        let row = Obj::<RawRecord<'_>>::deserialize(value)
            .map_err(|e| format!("cannot read the record: {e}"))
            .and_then(|r| r.0.ok_or_else(|| "not a JSON object".to_owned()))
            .and_then(|r| r.into_row(ordinal, key));
        parsed.push(ordinal, row);
    }
    Ok(parsed)
}

impl ParsedLog {
    fn push(&mut self, ordinal: u32, row: Result<EventRow, String>) {
        match row {
            Ok(row) => self.events.push(row),
            Err(reason) => self.rejected.push(RecordError { ordinal, reason }),
        }
    }
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
