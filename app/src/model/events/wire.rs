//! The Events explorer's wire types: one event as the table and the exports show it, a page of them (stored or
//! live), and the keyset cursor between pages.
use super::category::EventCategory;
use super::fields::EventField;
use serde::{Deserialize, Serialize};

/// Where a page starts: strictly older than this (time, row) pair, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Epoch seconds of the last event of the page before.
    pub time: i64,
    /// Its `events.id`.
    pub row: i64,
}

impl Cursor {
    /// `TIME_ROW`, the `after` URL value.
    pub fn encode(self) -> String {
        format!("{}_{}", self.time, self.row)
    }

    /// The cursor an `after` value names, `None` when it is not one.
    pub fn decode(text: &str) -> Option<Self> {
        let (time, row) = text.split_once('_')?;
        Some(Self {
            time: time.parse().ok()?,
            row: row.parse().ok()?,
        })
    }
}

/// One event as the results table and the exports show it (its fields: [`super::fields::FIELDS`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    /// `eventID`: the GUID CloudTrail gives each event.
    pub event_id: String,
    /// Epoch seconds.
    pub time: i64,
    /// `recipientAccountId`: the 12-digit account ID. (Wire name; kept as `account`.)
    pub account: String,
    /// `awsRegion`, e.g. `us-east-1`.
    pub region: String,
    /// `eventSource`, e.g. `s3.amazonaws.com`.
    pub event_source: String,
    /// `eventName`, e.g. `PutObject`.
    pub event_name: String,
    /// Readable: `alice`, `role/session`, `root`, `ec2.amazonaws.com`.
    pub identity: Option<String>,
    /// `userIdentity.type`, e.g. `IAMUser`, `AssumedRole`.
    pub identity_type: Option<String>,
    /// `userIdentity.arn`.
    pub identity_arn: Option<String>,
    /// `userIdentity.accessKeyId`. (Wire name; kept as `access_key`.)
    pub access_key: Option<String>,
    /// `sourceIPAddress`: an IP address or an AWS service's name.
    pub source_ip: Option<String>,
    /// `userAgent`.
    pub user_agent: Option<String>,
    /// `errorCode`, when the request failed.
    pub error_code: Option<String>,
    /// `readOnly`; `None` when the record has none (e.g. Insights events).
    pub read_only: Option<bool>,
    /// `eventCategory`.
    pub category: EventCategory,
    /// Where the store got it: the trail archive or Event History.
    pub from_event_history: bool,
}

impl EventSummary {
    /// The value of a field held as a string (`None` for one that is not, or unset).
    pub fn text(&self, field: EventField) -> Option<&str> {
        fn optional(v: &Option<String>) -> Option<&str> {
            v.as_deref()
        }
        match field {
            EventField::EventId => Some(&self.event_id),
            EventField::Account => Some(&self.account),
            EventField::Region => Some(&self.region),
            EventField::EventSource => Some(&self.event_source),
            EventField::EventName => Some(&self.event_name),
            EventField::Identity => optional(&self.identity),
            EventField::IdentityType => optional(&self.identity_type),
            EventField::IdentityArn => optional(&self.identity_arn),
            EventField::AccessKey => optional(&self.access_key),
            EventField::SourceIp => optional(&self.source_ip),
            EventField::UserAgent => optional(&self.user_agent),
            EventField::ErrorCode => optional(&self.error_code),
            EventField::Time | EventField::ReadOnly | EventField::Category | EventField::Origin => {
                None
            }
        }
    }

    /// The text of one column of the results table.
    pub fn cell(&self, field: EventField) -> String {
        match field {
            EventField::Time => crate::model::time::format_rfc3339(self.time),
            EventField::Category => self.category.label().to_owned(),
            EventField::ReadOnly => match self.read_only {
                Some(true) => "read".to_owned(),
                Some(false) => "write".to_owned(),
                None => String::new(),
            },
            EventField::Origin => self.origin().to_owned(),
            other => self.text(other).unwrap_or_default().to_owned(),
        }
    }

    /// The text of one field in the CSV export: the table's, except `read_only` as `true`/`false`.
    pub fn export_cell(&self, field: EventField) -> String {
        match field {
            EventField::ReadOnly => self.read_only.map(|r| r.to_string()).unwrap_or_default(),
            other => self.cell(other),
        }
    }

    /// `event-history` or `trail`.
    pub fn origin(&self) -> &'static str {
        if self.from_event_history {
            "event-history"
        } else {
            "trail"
        }
    }
}

/// One page of results, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    /// The events of this page, newest first.
    pub events: Vec<EventSummary>,
    /// Events matching the filter in the whole window, not only this page.
    pub total: u64,
    /// The `after` value of the next page, when there is one.
    pub next: Option<String>,
    /// The resolved window `[start, end)`, epoch seconds.
    pub start: i64,
    /// The end of the resolved window: epoch seconds UTC, exclusive.
    pub end: i64,
}

/// A page read live from Event History: not stored, so not searchable or openable until a sync stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePage {
    /// The events of this page as Event History returned them, newest first, after the other filters.
    pub events: Vec<EventSummary>,
    /// Event History's token for the next page (the `after` key in live mode).
    pub next: Option<String>,
    /// What was sent to AWS, e.g. `EventName = ConsoleLogin` (AWS takes one attribute per call).
    pub sent: String,
    /// The 12-digit account ID asked. (Wire name; kept as `account`.)
    pub account: String,
    /// The Region asked, e.g. `us-east-1` (Event History is per Region).
    pub region: String,
    /// Events AWS returned before the other filters were applied to the page.
    pub returned: usize,
}
