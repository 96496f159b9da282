//! The Events explorer: the event's fields (`fields`, `category`), the URL form of a search (`query`: `EventQuery`,
//! every value a string as in a query string), its validated form (`request`: `EventFilter` and `PageRequest`,
//! parsed once), the wire types (`wire`) and the pivots from one event to its neighbours (`pivot`).
//! The page's URL, its links, `/api/events/search` and the exports take the same keys, so a search can be
//! bookmarked, shared or scripted:
//!
//! | key | filter |
//! | --- | --- |
//! | `range`, `from`, `to` | a preset (30m … 30d, `all`) or `custom` with `YYYY-MM-DD` / RFC 3339 UTC bounds |
//! | `account`, `region` | account ID (12 digits, or a redacted one as stored), Region code |
//! | `name`, `source`, `key`, `id` | event name, event source, access key, event ID |
//! | `user` | identity: a readable name (`alice`, `root`, `Role/session`), a role session's name (`alice@example.com` finds her sessions under every role), or an identity ARN; with `account`, only that account's |
//! | `role` | every session of a role: its IAM ARN (`arn:aws:iam::ACCOUNT:role/[PATH/]NAME`: that account's sessions) or its name (every account's) |
//! | `rtype`, `resource` | resource type; resource ARN or its last name part |
//! | `rw` | `read`, `write` (not read-only), `all`, as on every page (`filter::ReadWrite`); unset: `write`, read-only events hidden as the console does |
//! | `ip`, `error`, `errors`, `agent`, `itype`, `category` | source IP, error code, `1` = errors only, user agent contains, identity type, `management`/`data`/`insight`/`network` |
//! | `size`, `after`, `cols` | page size (25/50/100), keyset cursor (live: Event History's token), shown columns |
//! | `live` | `1`: ask Event History (LookupEvents) of one configured account and Region instead of the store |
pub mod category;
pub mod fields;
pub mod identity;
pub mod pivot;
pub mod query;
pub mod request;
pub mod wire;

pub use category::EventCategory;
pub use fields::{EventField, FIELDS};
pub use query::{EVENT_RANGES, EventQuery};
pub use request::{
    DEFAULT_PAGE_SIZE, EventFilter, EventRequest, PAGE_SIZES, PageRequest, PageStart,
};
pub use wire::{Cursor, EventPage, EventSummary, LivePage};

/// How many events the compare view takes.
pub const COMPARE_MAX: usize = 5;

#[cfg(test)]
mod tests;
