//! The filters' URL forms and validation: the Activity page's (`ActivityQuery` → `ActivityFilter`), and what
//! every page with a time range shares: its presets and custom bounds ([`RangePresets`] → [`RangeSpec`]), and
//! the checks of account, Region and on/off values. The page's URL, the links it draws and the `/api/activity/*`
//! endpoints all use the same keys, so a filtered view can be bookmarked or scripted.
use crate::error::AppError;
use crate::model::time::{DAY, HOUR, MINUTE, parse_rfc3339};
use leptos::Params;
use leptos_router::params::Params;
use serde::{Deserialize, Serialize};

/// The `range` value that asks for `from` and `to`.
pub const CUSTOM_RANGE: &str = "custom";

/// A page's time-range presets, in the order the picker shows them, and the one in effect when `range` is
/// unset. Each preset is (URL value, label, seconds; 0 = everything the store holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangePresets {
    /// (URL value, label, seconds; 0 = everything the store holds), in picker order.
    pub presets: &'static [(&'static str, &'static str, i64)],
    /// The URL value of the preset in effect when `range` is unset.
    pub default: &'static str,
}

/// The time-range presets of every page, in the order the picker shows them: (URL value, label, seconds;
/// 0 = everything the store holds).
pub const TIME_RANGES: &[(&str, &str, i64)] = &[
    ("30m", "30 min", 30 * MINUTE),
    ("1h", "1 hour", HOUR),
    ("3h", "3 hours", 3 * HOUR),
    ("12h", "12 hours", 12 * HOUR),
    ("24h", "24 hours", DAY),
    ("7d", "7 days", 7 * DAY),
    ("30d", "30 days", 30 * DAY),
    ("all", "All", 0),
];

/// The Activity page's presets (default the last 7 days).
pub const ACTIVITY_RANGES: RangePresets = RangePresets {
    presets: TIME_RANGES,
    default: "7d",
};

impl RangePresets {
    /// The `range` value in effect: `range` itself, or the default when unset.
    pub fn current<'a>(&self, range: Option<&'a str>) -> &'a str {
        range.unwrap_or(self.default)
    }

    /// A preset or `custom` with `from` and `to`, validated (`Invalid` naming `range`, `from` or `to`).
    pub fn parse(
        &self,
        range: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<RangeSpec, AppError> {
        parse_range(self.presets, self.current(range), from, to)
    }
}

/// Filters as they travel in a URL (read by the router as typed query parameters). Unknown or empty values
/// mean "no filter".
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, Params)]
pub struct ActivityQuery {
    /// A preset from [`ACTIVITY_RANGES`] or `custom` (then `from` and `to` apply). Default `7d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// Custom range start, `YYYY-MM-DD` or RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Custom range end (exclusive), same forms; a bare date means the end of that day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// AWS account ID: 12 digits, or a redacted one as the store holds it (see `is_account_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// AWS Region code, e.g. `us-east-1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `read` or `write`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rw: Option<String>,
    /// `1` (or `true`, `on`) to keep only events with an error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<String>,
}

/// The validated time range, before the server resolves it against "now" and the data it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeSpec {
    /// The last N seconds up to now.
    Last(i64),
    /// Everything the store holds.
    All,
    /// `[start, end)` in epoch seconds.
    Between(i64, i64),
}

/// Which events a page shows by CloudTrail's `readOnly`, the `rw` URL key of every page (Activity, Events, the
/// APIs and exports): `read` (read-only events), `write` (events that are not read-only: `readOnly` false, or
/// absent, since an event without it may change something) or `all`. Each page has its own default: Activity
/// shows all events, Events hides read-only ones as the CloudTrail console does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadWrite {
    /// `readOnly: true`.
    Read,
    /// `readOnly` false or absent.
    Write,
    /// Every event.
    All,
}

impl ReadWrite {
    /// Every value with its `rw` URL word.
    pub const ALL: [(ReadWrite, &'static str); 3] = [
        (ReadWrite::Read, "read"),
        (ReadWrite::Write, "write"),
        (ReadWrite::All, "all"),
    ];

    /// The `rw` URL word.
    pub fn url_value(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(value, _)| *value == self)
            .map_or("all", |(_, word)| word)
    }

    /// Parses the `rw` URL value; `default` when unset. Errors: `Invalid` naming `rw`.
    pub fn parse(value: Option<&str>, default: ReadWrite) -> Result<ReadWrite, AppError> {
        match value {
            None => Ok(default),
            Some(word) => Self::ALL
                .iter()
                .find(|(_, w)| *w == word)
                .map(|(value, _)| *value)
                .ok_or_else(|| AppError::invalid("rw", "use read, write or all")),
        }
    }

    /// Whether an event whose `readOnly` is `read_only` (`None`: absent) is shown.
    pub fn includes(self, read_only: Option<bool>) -> bool {
        match self {
            ReadWrite::Read => read_only == Some(true),
            ReadWrite::Write => read_only != Some(true),
            ReadWrite::All => true,
        }
    }

    /// The SQL condition on a `read_only` column holding 1 for read-only events (0 or NULL/2 otherwise), with a
    /// leading ` AND `; empty for `all`.
    pub fn sql_condition(self, column: &str) -> String {
        match self {
            ReadWrite::Read => format!(" AND {column} = 1"),
            ReadWrite::Write => format!(" AND {column} IS NOT 1"),
            ReadWrite::All => String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// The filters of the Activity page, validated.
pub struct ActivityFilter {
    /// The time window, relative (a preset) or absolute.
    pub range: RangeSpec,
    /// A 12-digit account ID. (URL key; kept as `account`.)
    pub account: Option<String>,
    /// A Region code, e.g. `us-east-1`.
    pub region: Option<String>,
    /// Read-only events, the others, or all (`rw`; all when unset).
    pub read_write: ReadWrite,
    /// Only events with an `errorCode`.
    pub errors_only: bool,
}

pub(crate) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn is_region_code(value: &str) -> bool {
    value.len() <= 32
        && value.contains('-')
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl ActivityQuery {
    /// Builds the query from a URL parameter lookup, ignoring empty values.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |key: &str| get(key).filter(|v| !v.trim().is_empty());
        Self {
            range: get("range"),
            from: get("from"),
            to: get("to"),
            account: get("account"),
            region: get("region"),
            rw: get("rw"),
            errors: get("errors"),
        }
    }

    /// The same query with blank values unset, as [`ActivityQuery::from_lookup`] reads them.
    pub fn without_blanks(self) -> Self {
        let keep = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        Self {
            range: keep(self.range),
            from: keep(self.from),
            to: keep(self.to),
            account: keep(self.account),
            region: keep(self.region),
            rw: keep(self.rw),
            errors: keep(self.errors),
        }
    }

    /// The field a URL key sets, for views that edit one filter.
    pub fn field_mut(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "range" => &mut self.range,
            "from" => &mut self.from,
            "to" => &mut self.to,
            "account" => &mut self.account,
            "region" => &mut self.region,
            "rw" => &mut self.rw,
            "errors" => &mut self.errors,
            _ => return None,
        })
    }

    /// The same filters with the one under `key` set to `value` (empty means unset).
    pub fn with(&self, key: &str, value: Option<String>) -> Self {
        let mut next = self.clone();
        if let Some(field) = next.field_mut(key) {
            *field = value.filter(|v| !v.trim().is_empty());
        }
        next
    }

    fn pairs(&self) -> [(&'static str, Option<&str>); 7] {
        [
            ("range", non_empty(&self.range)),
            ("from", non_empty(&self.from)),
            ("to", non_empty(&self.to)),
            ("account", non_empty(&self.account)),
            ("region", non_empty(&self.region)),
            ("rw", non_empty(&self.rw)),
            ("errors", non_empty(&self.errors)),
        ]
    }

    /// `?range=7d&account=…` with only the set fields, or an empty string.
    pub fn to_query_string(&self) -> String {
        let encoded: Vec<String> = self
            .pairs()
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={}", encode_component(v))))
            .collect();
        if encoded.is_empty() {
            String::new()
        } else {
            format!("?{}", encoded.join("&"))
        }
    }

    /// The same filters with another time-range preset (custom bounds dropped).
    pub fn with_range(&self, preset: &str) -> Self {
        Self {
            range: Some(preset.to_owned()),
            from: None,
            to: None,
            ..self.clone()
        }
    }

    /// The range value in effect (the default when unset).
    pub fn range_or_default(&self) -> &str {
        ACTIVITY_RANGES.current(non_empty(&self.range))
    }

    /// Parses and validates every key once (`Invalid` naming the key at fault).
    pub fn parse(&self) -> Result<ActivityFilter, AppError> {
        Ok(ActivityFilter {
            range: ACTIVITY_RANGES.parse(
                non_empty(&self.range),
                non_empty(&self.from),
                non_empty(&self.to),
            )?,
            account: parse_account(non_empty(&self.account))?,
            region: parse_region(non_empty(&self.region))?,
            read_write: ReadWrite::parse(non_empty(&self.rw), ReadWrite::All)?,
            errors_only: parse_flag("errors", non_empty(&self.errors))?,
        })
    }
}

/// A preset (from `presets`) or `custom` with `from` and `to`, validated.
fn parse_range(
    presets: &[(&str, &str, i64)],
    range: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<RangeSpec, AppError> {
    if range == CUSTOM_RANGE {
        let start =
            from.ok_or_else(|| AppError::invalid("from", "a custom range needs a start"))?;
        let end = to.ok_or_else(|| AppError::invalid("to", "a custom range needs an end"))?;
        let start = parse_rfc3339(start)
            .ok_or_else(|| AppError::invalid("from", "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"))?;
        let end_is_date = end.len() == 10;
        let mut end = parse_rfc3339(end)
            .ok_or_else(|| AppError::invalid("to", "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"))?;
        if end_is_date {
            end += DAY;
        }
        if end <= start {
            return Err(AppError::invalid("to", "the end must be after the start"));
        }
        return Ok(RangeSpec::Between(start, end));
    }
    match presets.iter().find(|(value, _, _)| *value == range) {
        Some((_, _, 0)) => Ok(RangeSpec::All),
        Some((_, _, secs)) => Ok(RangeSpec::Last(*secs)),
        None => {
            let values: Vec<&str> = presets.iter().map(|(v, _, _)| *v).collect();
            Err(AppError::invalid(
                "range",
                format!("use one of {} or custom", values.join(", ")),
            ))
        }
    }
}

/// The longest account value a filter takes: far above AWS's 12 digits, far below anything abusive.
pub const ACCOUNT_ID_MAX_LEN: usize = 64;

/// Whether `value` can name an account as the store holds it: 1 to [`ACCOUNT_ID_MAX_LEN`] of
/// `[A-Za-z0-9_-]`. AWS writes 12 digits, but redacted and sample records carry `XXXXXXXXXXXX`,
/// `ANONYMOUS_PRINCIPAL` and the like, and they are stored and offered as choices as written; a filter that
/// refused them would break the links built from them. Anything else (spaces, punctuation) is a typo.
pub(crate) fn is_account_id(value: &str) -> bool {
    (1..=ACCOUNT_ID_MAX_LEN).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(crate) fn parse_account(account: Option<&str>) -> Result<Option<String>, AppError> {
    match account {
        Some(a) if !is_account_id(a) => Err(AppError::invalid(
            "account",
            "use an account ID: 12 digits (or the letters, digits, _ and - of a redacted one)",
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

pub(crate) fn parse_region(region: Option<&str>) -> Result<Option<String>, AppError> {
    match region {
        Some(r) if !is_region_code(r) => Err(AppError::invalid(
            "region",
            "use a Region code such as us-east-1",
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

/// `1`/`true`/`on` or `0`/`false`/`off` (absent is off).
pub(crate) fn parse_flag(field: &str, value: Option<&str>) -> Result<bool, AppError> {
    match value {
        None | Some("0" | "false" | "off") => Ok(false),
        Some("1" | "true" | "on") => Ok(true),
        Some(_) => Err(AppError::invalid(field, "use 1 or 0")),
    }
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters stay as they are).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
