//! The event's fields, in one table: for each, CloudTrail's name for it, the `events` column that stores it, the
//! results table's column (URL key and heading), the CSV export's header and the URL filter key. The search's
//! columns, the summary, the CSV export, the column chooser and live mode all read it from here.
use serde::{Deserialize, Serialize};

/// One field of an event summary ([`super::EventSummary`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventField {
    /// `eventTime`: when the request was completed, epoch seconds UTC.
    Time,
    /// `eventID`: the GUID CloudTrail gives each event.
    EventId,
    /// `recipientAccountId`: the 12-digit account ID that received the event.
    Account,
    /// `awsRegion`: the Region the request went to, e.g. `us-east-1`.
    Region,
    /// `eventSource`: the service the request was made to, e.g. `s3.amazonaws.com`.
    EventSource,
    /// `eventName`: the requested action, e.g. `PutObject`.
    EventName,
    /// Readable: `alice`, `role/session`, `root`, `ec2.amazonaws.com`.
    Identity,
    /// `userIdentity.type`, e.g. `IAMUser`, `AssumedRole`, `AWSService`.
    IdentityType,
    /// `userIdentity.arn`: the ARN of the principal that made the call.
    IdentityArn,
    /// `userIdentity.accessKeyId`: the access key that signed the request.
    AccessKey,
    /// `sourceIPAddress`: the caller's IP address, or the name of the AWS service that called.
    SourceIp,
    /// `userAgent`: the agent through which the request was made.
    UserAgent,
    /// `errorCode`: the AWS service error, when the request failed.
    ErrorCode,
    /// `readOnly`: whether the operation is read-only.
    ReadOnly,
    /// `eventCategory`: Management, Data, NetworkActivity or Insight.
    Category,
    /// Where the store got the event: a trail's archive or Event History.
    Origin,
}

/// How the store holds a field in `events`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// Epoch seconds.
    Seconds,
    /// The event ID's own key (`ssr::store::event_id`).
    EventId,
    /// A `strings.id` the dictionary resolves.
    Text {
        /// The column is never NULL.
        required: bool,
    },
    /// 0, 1 or NULL.
    Flag,
    /// A small integer code (`EventCategory::code`, the writer's `ORIGIN_*`).
    Code,
}

/// A column of the Events results table: its `cols` URL name and its heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnNames {
    /// The `cols` URL name, e.g. `event_name`.
    pub key: &'static str,
    /// The column heading, e.g. `Event name`.
    pub heading: &'static str,
}

/// Everything said about one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// Which field.
    pub field: EventField,
    /// Where CloudTrail's record holds it (CloudTrail User Guide, "CloudTrail record contents").
    pub cloudtrail: &'static str,
    /// The `events` column.
    pub store_column: &'static str,
    /// How the `events` column holds it.
    pub stored: Stored,
    /// Its column in the results table, if it has one.
    pub column: Option<ColumnNames>,
    /// Its header in the CSV export (every field has one).
    pub csv_header: &'static str,
    /// The URL key that filters on it, if one does.
    pub filter_key: Option<&'static str>,
    /// Whether that filter asks for the value itself (an exact match on the stored string).
    pub exact_filter: bool,
}

const fn spec(
    field: EventField,
    cloudtrail: &'static str,
    store_column: &'static str,
    stored: Stored,
    column: Option<(&'static str, &'static str)>,
    filter_key: Option<&'static str>,
    exact_filter: bool,
) -> FieldSpec {
    FieldSpec {
        field,
        cloudtrail,
        store_column,
        stored,
        column: match column {
            Some((key, heading)) => Some(ColumnNames { key, heading }),
            None => None,
        },
        // The export's headers are the store's column names, except the readable identity.
        csv_header: match field {
            EventField::Identity => "identity",
            _ => store_column,
        },
        filter_key,
        exact_filter,
    }
}

const TEXT: Stored = Stored::Text { required: true };
const OPTIONAL_TEXT: Stored = Stored::Text { required: false };

/// Every field, in the CSV export's order (also the order a summary is read from the store).
#[rustfmt::skip]
pub const FIELDS: [FieldSpec; 16] = {
    use EventField as F;
    [
        spec(F::Time, "eventTime", "event_time", Stored::Seconds, Some(("time", "Time (UTC)")), None, false),
        spec(F::EventId, "eventID", "event_id", Stored::EventId, None, Some("id"), true),
        spec(F::Account, "recipientAccountId", "account", TEXT, Some(("account", "Account")), Some("account"), false),
        spec(F::Region, "awsRegion", "region", TEXT, Some(("region", "Region")), Some("region"), false),
        spec(F::EventSource, "eventSource", "event_source", TEXT, Some(("source", "Event source")), Some("source"), true),
        spec(F::EventName, "eventName", "event_name", TEXT, Some(("name", "Event name")), Some("name"), true),
        spec(F::Identity, "userIdentity", "identity_name", OPTIONAL_TEXT, Some(("identity", "Identity")), Some("user"), true),
        spec(F::IdentityType, "userIdentity.type", "identity_type", OPTIONAL_TEXT, Some(("itype", "Identity type")), Some("itype"), true),
        spec(F::IdentityArn, "userIdentity.arn", "identity_arn", OPTIONAL_TEXT, None, Some("user"), true),
        spec(F::AccessKey, "userIdentity.accessKeyId", "access_key", OPTIONAL_TEXT, Some(("key", "Access key")), Some("key"), true),
        spec(F::SourceIp, "sourceIPAddress", "source_ip", OPTIONAL_TEXT, Some(("ip", "Source IP")), Some("ip"), true),
        spec(F::UserAgent, "userAgent", "user_agent", OPTIONAL_TEXT, Some(("agent", "User agent")), Some("agent"), false),
        spec(F::ErrorCode, "errorCode", "error_code", OPTIONAL_TEXT, Some(("error", "Error")), Some("error"), true),
        spec(F::ReadOnly, "readOnly", "read_only", Stored::Flag, Some(("rw", "Read-only")), Some("rw"), false),
        spec(F::Category, "eventCategory", "category", Stored::Code, Some(("category", "Category")), Some("category"), false),
        spec(F::Origin, "", "origin", Stored::Code, None, None, false),
    ]
};

impl EventField {
    /// The results table's columns, in the chooser's (and the table's) order.
    pub const COLUMNS: [EventField; 13] = [
        EventField::Time,
        EventField::EventName,
        EventField::Identity,
        EventField::EventSource,
        EventField::Account,
        EventField::Region,
        EventField::SourceIp,
        EventField::ErrorCode,
        EventField::UserAgent,
        EventField::AccessKey,
        EventField::IdentityType,
        EventField::Category,
        EventField::ReadOnly,
    ];
    /// The columns shown when the URL chooses none.
    pub const DEFAULT_COLUMNS: [EventField; 8] = [
        EventField::Time,
        EventField::EventName,
        EventField::Identity,
        EventField::EventSource,
        EventField::Account,
        EventField::Region,
        EventField::SourceIp,
        EventField::ErrorCode,
    ];

    /// This field's row of [`FIELDS`].
    pub fn spec(self) -> &'static FieldSpec {
        // Every field has its row (checked by the tests); the first is the fallback the match never needs.
        FIELDS
            .iter()
            .find(|s| s.field == self)
            .unwrap_or(&FIELDS[0])
    }

    /// Its `cols` URL name (its CSV header for a field the table does not show).
    pub fn key(self) -> &'static str {
        let spec = self.spec();
        spec.column.map_or(spec.csv_header, |c| c.key)
    }

    /// Its column heading (its CSV header for a field the table does not show).
    pub fn heading(self) -> &'static str {
        let spec = self.spec();
        spec.column.map_or(spec.csv_header, |c| c.heading)
    }

    /// The fields a URL filter asks for exactly, by its key: `name` → event name, `user` → identity and
    /// identity ARN (which one, the value decides).
    pub fn exact_filters() -> impl Iterator<Item = &'static FieldSpec> {
        FIELDS.iter().filter(|s| s.exact_filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_field_has_one_row_and_distinct_names() {
        let fields: HashSet<_> = FIELDS.iter().map(|s| s.field).collect();
        assert_eq!(fields.len(), FIELDS.len());
        for spec in &FIELDS {
            assert_eq!(spec.field.spec(), spec);
        }
        let distinct = |names: Vec<&str>| names.iter().collect::<HashSet<_>>().len() == names.len();
        assert!(distinct(FIELDS.iter().map(|s| s.store_column).collect()));
        assert!(distinct(FIELDS.iter().map(|s| s.csv_header).collect()));
        let columns: Vec<ColumnNames> = FIELDS.iter().filter_map(|s| s.column).collect();
        assert!(distinct(columns.iter().map(|c| c.key).collect()));
        assert!(distinct(columns.iter().map(|c| c.heading).collect()));
        // `user` is the one key for two fields: the value decides which (an ARN or a readable name).
        let keys: Vec<&str> = FIELDS
            .iter()
            .filter(|s| s.field != EventField::IdentityArn)
            .filter_map(|s| s.filter_key)
            .collect();
        assert!(distinct(keys));
    }

    #[test]
    fn the_chooser_offers_every_column_the_table_has() {
        let with_column: HashSet<_> = FIELDS
            .iter()
            .filter(|s| s.column.is_some())
            .map(|s| s.field)
            .collect();
        assert_eq!(
            EventField::COLUMNS.iter().copied().collect::<HashSet<_>>(),
            with_column
        );
        assert!(
            EventField::DEFAULT_COLUMNS
                .iter()
                .all(|c| EventField::COLUMNS.contains(c))
        );
    }

    #[test]
    fn names_stay_as_links_and_exports_use_them() {
        let keys: Vec<&str> = EventField::COLUMNS.iter().map(|c| c.key()).collect();
        assert_eq!(
            keys,
            [
                "time", "name", "identity", "source", "account", "region", "ip", "error", "agent",
                "key", "itype", "category", "rw"
            ]
        );
        let headers: Vec<&str> = FIELDS.iter().map(|s| s.csv_header).collect();
        assert_eq!(
            headers.join(","),
            "event_time,event_id,account,region,event_source,event_name,identity,identity_type,identity_arn,access_key,source_ip,user_agent,error_code,read_only,category,origin"
        );
    }
}
