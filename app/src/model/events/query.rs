//! The Events explorer's URL form ([`EventQuery`]): every key a string as in a query string, so a search can be
//! bookmarked, shared or scripted; what the keys mean is in the parent module's documentation.
use super::fields::EventField;
use crate::model::filter::{CUSTOM_RANGE, RangePresets, TIME_RANGES, encode_component, non_empty};
use leptos::Params;
use leptos_router::params::Params;
use serde::{Deserialize, Serialize};

/// Time-range presets of the Events page (default the last 24 hours).
pub const EVENT_RANGES: RangePresets = RangePresets {
    presets: TIME_RANGES,
    default: "24h",
};

macro_rules! url_fields {
    ($($field:ident),* $(,)?) => {
        /// Filters as they travel in a URL (read by the router as typed query parameters); see the module
        /// documentation for the keys. Empty means unset.
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, Params)]
        pub struct EventQuery {
            $(
                #[doc = concat!("The `", stringify!($field), "` URL key as given; `None` when absent.")]
                #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<String>,
            )*
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

            /// The same query with blank values unset, as [`EventQuery::from_lookup`] reads them.
            pub fn without_blanks(self) -> Self {
                Self { $($field: self.$field.filter(|v| !v.trim().is_empty()),)* }
            }

            /// The value of a URL key, trimmed; `None` when unset or blank.
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

    /// The range value in effect (the default when unset).
    pub fn range_or_default(&self) -> &str {
        EVENT_RANGES.current(self.field("range"))
    }

    /// Whether the range in effect is a custom one (`range=custom`, with `from` and `to`).
    pub fn is_custom_range(&self) -> bool {
        self.range_or_default() == CUSTOM_RANGE
    }

    /// Whether read-only events are shown alongside the others (`rw=all`).
    pub fn read_only_shown(&self) -> bool {
        self.field("rw") == Some("all")
    }

    /// Whether the page asks Event History live (`live=1`) instead of the store.
    pub fn is_live(&self) -> bool {
        self.field("live") == Some("1")
    }

    /// The columns to show, in table order (unknown names are ignored; none known: the defaults).
    pub fn columns(&self) -> Vec<EventField> {
        let Some(cols) = self.field("cols") else {
            return EventField::DEFAULT_COLUMNS.to_vec();
        };
        let chosen: Vec<&str> = cols.split(',').map(str::trim).collect();
        let columns: Vec<EventField> = EventField::COLUMNS
            .into_iter()
            .filter(|c| chosen.contains(&c.key()))
            .collect();
        if columns.is_empty() {
            EventField::DEFAULT_COLUMNS.to_vec()
        } else {
            columns
        }
    }

    /// The same query with `column` shown or hidden.
    pub fn toggle_column(&self, column: EventField) -> Self {
        let current = self.columns();
        let keys: Vec<&str> = EventField::COLUMNS
            .into_iter()
            .filter(|c| (*c == column) != current.contains(c))
            .map(EventField::key)
            .collect();
        self.with("cols", Some(keys.join(",")))
    }
}
