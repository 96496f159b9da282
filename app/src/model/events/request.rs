//! The Events explorer's validated form: a URL query ([`EventQuery`]) parsed once into the filter the store
//! and live mode apply ([`EventFilter`]) and the page asked for ([`PageRequest`]).
use super::category::EventCategory;
use super::fields::EventField;
use super::identity::{RoleFilter, identity_matches, session_name};
use super::query::{EVENT_RANGES, EventQuery};
use super::wire::{Cursor, EventSummary};
use crate::error::AppError;
use crate::model::filter::{RangeSpec, ReadWrite, parse_account, parse_flag, parse_region};

/// Page sizes offered (the `size` key).
pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];
/// The page size when `size` is unset.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The filters of a search, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventFilter {
    /// The time window, relative (a preset) or absolute.
    pub range: RangeSpec,
    /// `recipientAccountId`: a 12-digit account ID. (URL key; kept as `account`.)
    pub account: Option<String>,
    /// `awsRegion`, e.g. `us-east-1`.
    pub region: Option<String>,
    /// Fields that must equal a value (all but the event ID are dictionary strings). The identity is a readable
    /// name (`alice`, `role/session`, `root`) or a role session's name (`identity::identity_matches`).
    pub exact: Vec<(EventField, String)>,
    /// Every session of one role (`role`).
    pub role: Option<RoleFilter>,
    /// `resources[].type`, e.g. `AWS::S3::Bucket`.
    pub resource_type: Option<String>,
    /// `resources[].ARN`, or the part of it given.
    pub resource: Option<String>,
    /// Read-only events, the others, or all (`rw`).
    pub read_only: ReadWrite,
    /// Only events with an `errorCode`.
    pub errors_only: bool,
    /// Only events whose `userAgent` contains this text.
    pub agent_contains: Option<String>,
    /// Only events of this `eventCategory`.
    pub category: Option<EventCategory>,
}

/// Where a page starts and how many events it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// Events per page: one of [`PAGE_SIZES`].
    pub size: u32,
    /// Where the page starts.
    pub start: PageStart,
}

/// Where a page starts: in the store (below a keyset cursor) or in Event History (at its paging token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageStart {
    /// In the store, below this cursor (`None`: the first page).
    Stored(Option<Cursor>),
    /// In Event History, at this `NextToken` (`None`: the first page).
    Live(Option<String>),
}

impl PageRequest {
    /// The store's cursor; a live token is not one (`Invalid` on `after`).
    pub fn cursor(&self) -> Result<Option<Cursor>, AppError> {
        match &self.start {
            PageStart::Stored(cursor) => Ok(*cursor),
            PageStart::Live(None) => Ok(None),
            PageStart::Live(Some(_)) => Err(not_a_cursor()),
        }
    }

    /// Event History's paging token, in live mode.
    pub fn live_token(&self) -> Option<String> {
        match &self.start {
            PageStart::Live(token) => token.clone(),
            PageStart::Stored(_) => None,
        }
    }
}

/// A query parsed once: what to match and which page of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRequest {
    /// What to match.
    pub filter: EventFilter,
    /// Which page of it.
    pub page: PageRequest,
}

fn not_a_cursor() -> AppError {
    AppError::invalid("after", "not a page cursor")
}

impl EventQuery {
    /// The page size asked for (`Invalid` on `size` when it is not one of [`PAGE_SIZES`]).
    fn page_size(&self) -> Result<u32, AppError> {
        match self.field("size") {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(size) => size
                .parse()
                .ok()
                .filter(|s| PAGE_SIZES.contains(s))
                .ok_or_else(|| AppError::invalid("size", "use 25, 50 or 100")),
        }
    }

    /// Parses and validates every key once. Errors are `Invalid` naming the key at fault.
    pub fn parse(&self) -> Result<EventRequest, AppError> {
        let live = parse_flag("live", self.field("live"))?;
        let after = self.field("after");
        let start = if live {
            PageStart::Live(after.map(str::to_owned))
        } else {
            PageStart::Stored(
                after
                    .map(|a| Cursor::decode(a).ok_or_else(not_a_cursor))
                    .transpose()?,
            )
        };
        let page = PageRequest {
            size: self.page_size()?,
            start,
        };
        Ok(EventRequest {
            filter: self.filter()?,
            page,
        })
    }

    fn filter(&self) -> Result<EventFilter, AppError> {
        let mut exact = Vec::new();
        for spec in EventField::exact_filters() {
            let Some(value) = spec.filter_key.and_then(|key| self.field(key)) else {
                continue;
            };
            // `user` is the identity's readable name, or its ARN.
            let is_arn = value.starts_with("arn:");
            match spec.field {
                EventField::Identity if is_arn => continue,
                EventField::IdentityArn if !is_arn => continue,
                _ => exact.push((spec.field, value.to_owned())),
            }
        }
        // Read-only events are hidden unless asked for, as in the console; but one event ID is one event, and a
        // read-only one must not vanish behind the default.
        let default = if self.field("id").is_some() {
            ReadWrite::All
        } else {
            ReadWrite::Write
        };
        let read_only = ReadWrite::parse(self.field("rw"), default)?;
        let category = self
            .field("category")
            .map(|c| {
                EventCategory::from_url_key(c).ok_or_else(|| {
                    AppError::invalid("category", "use management, data, insight or network")
                })
            })
            .transpose()?;
        Ok(EventFilter {
            range: EVENT_RANGES.parse(self.field("range"), self.field("from"), self.field("to"))?,
            account: parse_account(self.field("account"))?,
            region: parse_region(self.field("region"))?,
            exact,
            role: self.field("role").map(RoleFilter::parse).transpose()?,
            resource_type: self.field("rtype").map(str::to_owned),
            resource: self.field("resource").map(str::to_owned),
            read_only,
            errors_only: parse_flag("errors", self.field("errors"))?,
            agent_contains: self.field("agent").map(str::to_owned),
            category,
        })
    }
}

impl EventFilter {
    fn exact(&self, want: EventField) -> Option<String> {
        self.exact
            .iter()
            .find(|(e, _)| *e == want)
            .map(|(_, v)| v.clone())
    }

    /// The one `LookupEvents` attribute live mode sends, as (AttributeKey, value): the most selective filter
    /// set; the others are applied to the page that comes back (CloudTrail API Reference, `LookupAttribute`:
    /// one attribute per call).
    pub fn live_attribute(&self) -> Option<(&'static str, String)> {
        // LookupEvents' Username is a role session's name, the part after `role/`.
        let user = self
            .exact(EventField::Identity)
            .map(|u| session_name(&u).unwrap_or(&u).to_owned());
        let candidates = [
            ("EventId", self.exact(EventField::EventId)),
            ("AccessKeyId", self.exact(EventField::AccessKey)),
            ("ResourceName", self.resource.clone()),
            ("Username", user),
            ("EventName", self.exact(EventField::EventName)),
            ("ResourceType", self.resource_type.clone()),
            ("EventSource", self.exact(EventField::EventSource)),
            (
                "ReadOnly",
                match self.read_only {
                    ReadWrite::Write => Some("false".to_owned()),
                    ReadWrite::Read => Some("true".to_owned()),
                    ReadWrite::All => None,
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
        let exact_ok = self
            .exact
            .iter()
            .all(|(field, value)| match (field, event.text(*field)) {
                (EventField::Identity, Some(have)) => identity_matches(value, have),
                (_, have) => have == Some(value.as_str()),
            });
        let role_ok = self.role.as_ref().is_none_or(|role| {
            role.matches(event.identity.as_deref(), event.identity_arn.as_deref())
        });
        let read_only_ok = self.read_only.includes(event.read_only);
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
