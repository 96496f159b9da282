//! The Events explorer's filters: the URL form (`EventQuery`, every value a string as in a query string) and the
//! validated form (`EventFilter`). The page's URL, its links, `/api/events/search` and the exports take the same
//! keys, so a search can be bookmarked, shared or scripted:
//!
//! | key | filter |
//! | --- | --- |
//! | `range`, `from`, `to` | a preset (30m … 30d, `all`) or `custom` with `YYYY-MM-DD` / RFC 3339 UTC bounds |
//! | `account`, `region` | account ID (12 digits, or a redacted one as stored), Region code |
//! | `name`, `source`, `key`, `id` | event name, event source, access key, event ID |
//! | `user` | identity: a readable name (`alice`, `root`, `Role/session`), a role session's name (`alice@example.com` finds her sessions under every role), or an identity ARN; with `account`, only that account's |
//! | `role` | every session of a role: its IAM ARN (`arn:aws:iam::ACCOUNT:role/[PATH/]NAME`: that account's sessions) or its name (every account's) |
//! | `rtype`, `resource` | resource type; resource ARN or its last name part |
//! | `rw` | unset: read-only events hidden (as the console does); `read`; `all` |
//! | `ip`, `error`, `errors`, `agent`, `itype`, `category` | source IP, error code, `1` = errors only, user agent contains, identity type, `management`/`data`/`insight`/`network` |
//! | `size`, `after`, `cols` | page size (25/50/100), keyset cursor (live: Event History's token), shown columns |
//! | `live` | `1`: ask Event History (LookupEvents) of one configured account and Region instead of the store |
use crate::error::AppError;
use crate::model::filter::{
    CUSTOM_RANGE, RangeSpec, encode_component, non_empty, parse_account, parse_flag, parse_range,
    parse_region,
};
use crate::model::time::{DAY, HOUR, MINUTE};
use serde::{Deserialize, Serialize};

pub mod identity;
pub mod pivot;

use identity::{RoleFilter, identity_matches, session_name};

/// Time-range presets of the Events page: (URL value, label, seconds; 0 = everything).
pub const EVENT_RANGES: [(&str, &str, i64); 8] = [
    ("30m", "30 min", 30 * MINUTE),
    ("1h", "1 hour", HOUR),
    ("3h", "3 hours", 3 * HOUR),
    ("12h", "12 hours", 12 * HOUR),
    ("24h", "24 hours", DAY),
    ("7d", "7 days", 7 * DAY),
    ("30d", "30 days", 30 * DAY),
    ("all", "All", 0),
];
pub const DEFAULT_EVENT_RANGE: &str = "24h";
pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// How many events the compare view takes.
pub const COMPARE_MAX: usize = 5;

macro_rules! url_fields {
    ($($field:ident),* $(,)?) => {
        /// Filters as they travel in a URL; see the module documentation for the keys. Empty means unset.
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub struct EventQuery {
            $(#[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<String>,)*
        }

        impl EventQuery {
            /// Every URL key, in the order links write them.
            pub const KEYS: &[&str] = &[$(stringify!($field)),*];

            /// The field a URL key sets.
            pub fn field_mut(&mut self, key: &str) -> Option<&mut Option<String>> {
                match key {
                    $(stringify!($field) => Some(&mut self.$field),)*
                    _ => None,
                }
            }

            pub fn field(&self, key: &str) -> Option<&str> {
                match key {
                    $(stringify!($field) => non_empty(&self.$field),)*
                    _ => None,
                }
            }
        }
    };
}

url_fields!(
    range, from, to, account, region, name, source, user, role, key, id, rtype, resource, rw, ip,
    error, errors, agent, itype, category, size, cols, after, live,
);

/// The keys that are not filters: changing them keeps the result set, so the cursor may stay.
const VIEW_KEYS: [&str; 3] = ["size", "cols", "after"];

/// Read-only events: hidden unless asked for, as in the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOnlyView {
    Hidden,
    Only,
    Shown,
}

/// A column of the events table that must equal a value (all but `event_id` are dictionary strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exact {
    EventName,
    EventSource,
    /// Readable identity name (`alice`, `role/session`, `root`) or a role session's name
    /// (`identity::identity_matches`).
    Identity,
    IdentityArn,
    AccessKey,
    SourceIp,
    ErrorCode,
    IdentityType,
    EventId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventFilter {
    pub range: RangeSpec,
    pub account: Option<String>,
    pub region: Option<String>,
    pub exact: Vec<(Exact, String)>,
    /// Every session of one role (`role`).
    pub role: Option<RoleFilter>,
    pub resource_type: Option<String>,
    pub resource: Option<String>,
    pub read_only: ReadOnlyView,
    pub errors_only: bool,
    pub agent_contains: Option<String>,
    /// `events.category`: 0 management, 1 data, 2 insight, 3 network activity.
    pub category: Option<u8>,
}

/// Where a page starts: strictly older than this (time, row) pair, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub time: i64,
    pub row: i64,
}

impl Cursor {
    pub fn encode(self) -> String {
        format!("{}_{}", self.time, self.row)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (time, row) = text.split_once('_')?;
        Some(Self {
            time: time.parse().ok()?,
            row: row.parse().ok()?,
        })
    }
}

pub const CATEGORIES: [(&str, &str); 4] = [
    ("management", "Management"),
    ("data", "Data"),
    ("insight", "Insight"),
    ("network", "Network activity"),
];

pub fn category_label(code: u8) -> &'static str {
    CATEGORIES.get(usize::from(code)).map_or("Other", |c| c.1)
}

/// A column of the results table: (URL name, heading).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Time,
    EventName,
    Identity,
    EventSource,
    Account,
    Region,
    SourceIp,
    ErrorCode,
    UserAgent,
    AccessKey,
    IdentityType,
    Category,
    ReadOnly,
}

impl Column {
    pub const ALL: [Column; 13] = [
        Column::Time,
        Column::EventName,
        Column::Identity,
        Column::EventSource,
        Column::Account,
        Column::Region,
        Column::SourceIp,
        Column::ErrorCode,
        Column::UserAgent,
        Column::AccessKey,
        Column::IdentityType,
        Column::Category,
        Column::ReadOnly,
    ];
    pub const DEFAULT: [Column; 8] = [
        Column::Time,
        Column::EventName,
        Column::Identity,
        Column::EventSource,
        Column::Account,
        Column::Region,
        Column::SourceIp,
        Column::ErrorCode,
    ];

    /// (URL name, heading).
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Column::Time => ("time", "Time (UTC)"),
            Column::EventName => ("name", "Event name"),
            Column::Identity => ("identity", "Identity"),
            Column::EventSource => ("source", "Event source"),
            Column::Account => ("account", "Account"),
            Column::Region => ("region", "Region"),
            Column::SourceIp => ("ip", "Source IP"),
            Column::ErrorCode => ("error", "Error"),
            Column::UserAgent => ("agent", "User agent"),
            Column::AccessKey => ("key", "Access key"),
            Column::IdentityType => ("itype", "Identity type"),
            Column::Category => ("category", "Category"),
            Column::ReadOnly => ("rw", "Read-only"),
        }
    }

    pub fn key(self) -> &'static str {
        self.names().0
    }

    pub fn heading(self) -> &'static str {
        self.names().1
    }
}

/// One event as the results table and the exports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub event_id: String,
    pub time: i64,
    pub account: String,
    pub region: String,
    pub event_source: String,
    pub event_name: String,
    /// Readable: `alice`, `role/session`, `root`, `ec2.amazonaws.com`.
    pub identity: Option<String>,
    pub identity_type: Option<String>,
    pub identity_arn: Option<String>,
    pub access_key: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub read_only: Option<bool>,
    pub category: u8,
    /// Where the store got it: the trail archive or Event History.
    pub from_event_history: bool,
}

impl EventSummary {
    /// The text of one column.
    pub fn cell(&self, column: Column) -> String {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match column {
            Column::Time => crate::model::time::format_rfc3339(self.time),
            Column::EventName => self.event_name.clone(),
            Column::Identity => text(&self.identity),
            Column::EventSource => self.event_source.clone(),
            Column::Account => self.account.clone(),
            Column::Region => self.region.clone(),
            Column::SourceIp => text(&self.source_ip),
            Column::ErrorCode => text(&self.error_code),
            Column::UserAgent => text(&self.user_agent),
            Column::AccessKey => text(&self.access_key),
            Column::IdentityType => text(&self.identity_type),
            Column::Category => category_label(self.category).to_owned(),
            Column::ReadOnly => match self.read_only {
                Some(true) => "read".to_owned(),
                Some(false) => "write".to_owned(),
                None => String::new(),
            },
        }
    }
}

/// One page of results, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<EventSummary>,
    /// Events matching the filter in the whole window, not only this page.
    pub total: u64,
    /// The `after` value of the next page, when there is one.
    pub next: Option<String>,
    /// The resolved window `[start, end)`.
    pub start: i64,
    pub end: i64,
}

impl EventQuery {
    /// Builds the query from a URL parameter lookup, ignoring empty values.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let mut query = Self::default();
        for key in Self::KEYS {
            if let Some(field) = query.field_mut(key) {
                *field = get(key).filter(|v| !v.trim().is_empty());
            }
        }
        query
    }

    /// The same query with `key` set to `value` (empty: unset). Changing a filter starts again at page one.
    pub fn with(&self, key: &str, value: Option<String>) -> Self {
        let mut next = self.clone();
        if let Some(field) = next.field_mut(key) {
            *field = value.filter(|v| !v.trim().is_empty());
        }
        if !VIEW_KEYS.contains(&key) {
            next.after = None;
        }
        next
    }

    /// The same filters over another preset range (custom bounds dropped, back to page one).
    pub fn with_range(&self, preset: &str) -> Self {
        self.with("from", None)
            .with("to", None)
            .with("range", Some(preset.to_owned()))
    }

    /// Only the filters (no cursor, size or columns): what pivots and exports start from.
    pub fn filters_only(&self) -> Self {
        VIEW_KEYS
            .iter()
            .fold(self.clone(), |q, key| q.with(key, None))
    }

    /// `?range=24h&name=…` with the set fields, or an empty string.
    pub fn to_query_string(&self) -> String {
        let pairs: Vec<String> = Self::KEYS
            .iter()
            .filter_map(|key| {
                self.field(key)
                    .map(|v| format!("{key}={}", encode_component(v.trim())))
            })
            .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    pub fn range_or_default(&self) -> &str {
        self.field("range").unwrap_or(DEFAULT_EVENT_RANGE)
    }

    pub fn is_custom_range(&self) -> bool {
        self.range_or_default() == CUSTOM_RANGE
    }

    pub fn read_only_shown(&self) -> bool {
        self.field("rw") == Some("all")
    }

    pub fn page_size(&self) -> Result<u32, AppError> {
        match self.field("size") {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(size) => size
                .parse()
                .ok()
                .filter(|s| PAGE_SIZES.contains(s))
                .ok_or_else(|| AppError::invalid("size", "use 25, 50 or 100")),
        }
    }

    pub fn cursor(&self) -> Result<Option<Cursor>, AppError> {
        self.field("after")
            .map(|a| {
                Cursor::decode(a).ok_or_else(|| AppError::invalid("after", "not a page cursor"))
            })
            .transpose()
    }

    /// The columns to show, in table order (unknown names are ignored; none known: the defaults).
    pub fn columns(&self) -> Vec<Column> {
        let Some(cols) = self.field("cols") else {
            return Column::DEFAULT.to_vec();
        };
        let chosen: Vec<&str> = cols.split(',').map(str::trim).collect();
        let columns: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| chosen.contains(&c.key()))
            .collect();
        if columns.is_empty() {
            Column::DEFAULT.to_vec()
        } else {
            columns
        }
    }

    /// The same query with `column` shown or hidden.
    pub fn toggle_column(&self, column: Column) -> Self {
        let current = self.columns();
        let keys: Vec<&str> = Column::ALL
            .into_iter()
            .filter(|c| (*c == column) != current.contains(c))
            .map(Column::key)
            .collect();
        self.with("cols", Some(keys.join(",")))
    }

    pub fn validate(&self) -> Result<EventFilter, AppError> {
        let mut exact = Vec::new();
        for (key, column) in [
            ("name", Exact::EventName),
            ("source", Exact::EventSource),
            ("key", Exact::AccessKey),
            ("ip", Exact::SourceIp),
            ("error", Exact::ErrorCode),
            ("itype", Exact::IdentityType),
            ("id", Exact::EventId),
        ] {
            if let Some(value) = self.field(key) {
                exact.push((column, value.trim().to_owned()));
            }
        }
        if let Some(user) = self.field("user").map(str::trim) {
            let column = if user.starts_with("arn:") {
                Exact::IdentityArn
            } else {
                Exact::Identity
            };
            exact.push((column, user.to_owned()));
        }
        let read_only = match self.field("rw") {
            None => ReadOnlyView::Hidden,
            Some("read") => ReadOnlyView::Only,
            Some("all") => ReadOnlyView::Shown,
            Some(_) => return Err(AppError::invalid("rw", "use read or all")),
        };
        let category = match self.field("category") {
            None => None,
            Some(c) => Some(
                CATEGORIES
                    .iter()
                    .position(|(key, _)| *key == c)
                    .ok_or_else(|| {
                        AppError::invalid("category", "use management, data, insight or network")
                    })? as u8,
            ),
        };
        self.page_size()?;
        let live = parse_flag("live", self.field("live"))?;
        if !live {
            self.cursor()?;
        }
        Ok(EventFilter {
            range: parse_range(
                &EVENT_RANGES,
                self.range_or_default(),
                self.field("from"),
                self.field("to"),
            )?,
            account: parse_account(self.field("account"))?,
            region: parse_region(self.field("region"))?,
            exact,
            role: self.field("role").map(RoleFilter::parse).transpose()?,
            resource_type: self.field("rtype").map(|t| t.trim().to_owned()),
            resource: self.field("resource").map(|r| r.trim().to_owned()),
            // One event ID is one event: a read-only one must not vanish behind the default.
            read_only: if self.field("id").is_some() && read_only == ReadOnlyView::Hidden {
                ReadOnlyView::Shown
            } else {
                read_only
            },
            errors_only: parse_flag("errors", self.field("errors"))?,
            agent_contains: self.field("agent").map(str::to_owned),
            category,
        })
    }
}

/// A page read live from Event History: not stored, so not searchable or openable until a sync stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePage {
    pub events: Vec<EventSummary>,
    /// Event History's token for the next page (the `after` key in live mode).
    pub next: Option<String>,
    /// What was sent to AWS, e.g. `EventName = ConsoleLogin` (AWS takes one attribute per call).
    pub sent: String,
    pub account: String,
    pub region: String,
    /// Events AWS returned before the other filters were applied to the page.
    pub returned: usize,
}

impl EventFilter {
    /// The one `LookupEvents` attribute live mode sends, as (AttributeKey, value): the most selective filter
    /// set; the others are applied to the page that comes back.
    pub fn live_attribute(&self) -> Option<(&'static str, String)> {
        let exact = |want: Exact| {
            self.exact
                .iter()
                .find(|(e, _)| *e == want)
                .map(|(_, v)| v.clone())
        };
        // LookupEvents' Username is a role session's name, the part after `role/`.
        let user = exact(Exact::Identity).map(|u| session_name(&u).unwrap_or(&u).to_owned());
        let candidates = [
            ("EventId", exact(Exact::EventId)),
            ("AccessKeyId", exact(Exact::AccessKey)),
            ("ResourceName", self.resource.clone()),
            ("Username", user),
            ("EventName", exact(Exact::EventName)),
            ("ResourceType", self.resource_type.clone()),
            ("EventSource", exact(Exact::EventSource)),
            (
                "ReadOnly",
                match self.read_only {
                    ReadOnlyView::Hidden => Some("false".to_owned()),
                    ReadOnlyView::Only => Some("true".to_owned()),
                    ReadOnlyView::Shown => None,
                },
            ),
        ];
        candidates
            .into_iter()
            .find_map(|(key, value)| value.map(|v| (key, v)))
    }

    /// Whether `event` passes the filters that can be checked on its summary (all but the resource ones and
    /// the time range), for pages that did not come from the store's own query.
    pub fn matches(&self, event: &EventSummary) -> bool {
        let is = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let exact_ok = self.exact.iter().all(|(column, value)| {
            let have = match column {
                Exact::EventName => Some(&event.event_name),
                Exact::EventSource => Some(&event.event_source),
                Exact::Identity => event.identity.as_ref(),
                Exact::IdentityArn => event.identity_arn.as_ref(),
                Exact::AccessKey => event.access_key.as_ref(),
                Exact::SourceIp => event.source_ip.as_ref(),
                Exact::ErrorCode => event.error_code.as_ref(),
                Exact::IdentityType => event.identity_type.as_ref(),
                Exact::EventId => Some(&event.event_id),
            };
            match (column, have) {
                (Exact::Identity, Some(have)) => identity_matches(value, have),
                (_, have) => have == Some(value),
            }
        });
        let role_ok = self.role.as_ref().is_none_or(|role| {
            role.matches(event.identity.as_deref(), event.identity_arn.as_deref())
        });
        let read_only_ok = match self.read_only {
            ReadOnlyView::Hidden => event.read_only != Some(true),
            ReadOnlyView::Only => event.read_only == Some(true),
            ReadOnlyView::Shown => true,
        };
        let agent_ok = self.agent_contains.as_ref().is_none_or(|a| {
            event
                .user_agent
                .as_ref()
                .is_some_and(|u| u.to_lowercase().contains(&a.to_lowercase()))
        });
        is(&self.account, &event.account)
            && is(&self.region, &event.region)
            && exact_ok
            && role_ok
            && read_only_ok
            && (!self.errors_only || event.error_code.is_some())
            && agent_ok
            && self.category.is_none_or(|c| c == event.category)
    }
}

#[cfg(test)]
mod tests;
