//! Money and rates as integers: amounts in micro-dollars ([`MicroUsd`]), prices as a whole number of
//! micro-dollars per a whole number of units ([`Rate`]), so sums are exact and the same on the server and in
//! the browser. Rounding to the cent happens only in the display helpers here.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An amount of US dollars in millionths of a dollar (1 USD = 1,000,000). Signed, so a saving or a
/// difference can be negative.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct MicroUsd(pub i64);

impl MicroUsd {
    /// Zero dollars.
    pub const ZERO: Self = Self(0);

    /// From whole cents, e.g. `from_cents(8_200)` is $82.00.
    pub const fn from_cents(cents: i64) -> Self {
        Self(cents * 10_000)
    }

    /// The amount in cents, rounded half away from zero ($1.155 → 116 cents). Display only.
    pub fn cents(self) -> i64 {
        let sign = self.0.signum();
        sign * ((self.0.abs() + 5_000) / 10_000)
    }

    /// Reads a decimal number of dollars such as `2.00`, `0.023` or `$0.10` (at most six decimals), the form
    /// of the price file and of the `billing_prices` configuration key.
    ///
    /// Errors: a text that is not such a number, said in words.
    pub fn parse_usd(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let t = t.strip_prefix('$').unwrap_or(t);
        let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (!fraction.is_empty() && !digits(fraction)) || fraction.len() > 6 {
            return Err(format!(
                "{text:?} is not an amount of dollars like 2.00 (at most 6 decimals)"
            ));
        }
        let whole: i64 = whole
            .parse()
            .map_err(|_| format!("{text:?} is too large an amount"))?;
        let fraction: i64 = format!("{fraction:0<6}").parse().unwrap_or(0);
        whole
            .checked_mul(1_000_000)
            .and_then(|w| w.checked_add(fraction))
            .map(Self)
            .ok_or_else(|| format!("{text:?} is too large an amount"))
    }

    /// The amount rounded to the cent with thousands separators, e.g. `$1,234.57` or `-$3.00`.
    pub fn display(self) -> String {
        let cents = self.cents();
        let sign = if cents < 0 { "-" } else { "" };
        let cents = cents.abs();
        format!("{sign}${}.{:02}", group_thousands(cents / 100), cents % 100)
    }

    /// The exact amount with every non-zero micro-dollar digit, e.g. `$0.00002` or `$2`, for prices.
    pub fn display_exact(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let v = self.0.abs();
        let (whole, micros) = (v / 1_000_000, v % 1_000_000);
        let whole = group_thousands(whole);
        if micros == 0 {
            return format!("{sign}${whole}.00");
        }
        let fraction = format!("{micros:06}");
        let trimmed = fraction.trim_end_matches('0');
        let shown = if trimmed.len() < 2 {
            &fraction[..2]
        } else {
            trimmed
        };
        format!("{sign}${whole}.{shown}")
    }
}

impl fmt::Display for MicroUsd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl Add for MicroUsd {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

impl AddAssign for MicroUsd {
    fn add_assign(&mut self, other: Self) {
        *self = *self + other;
    }
}

impl Sub for MicroUsd {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }
}

impl std::iter::Sum for MicroUsd {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

/// What a rate is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Events delivered or analyzed.
    Events,
    /// Bytes (a GB is 2^30 bytes, as AWS bills storage and ingestion).
    Bytes,
    /// Byte-months of storage.
    ByteMonths,
}

/// A price: `price` for every `per` units, e.g. $2.00 per 100,000 events. Costs are
/// `quantity × price / per`, rounded to the nearest micro-dollar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rate {
    /// The price of `per` units.
    pub price: MicroUsd,
    /// How many units the price is for (100,000 events; 2^30 bytes for a GB).
    pub per: u64,
    /// What the units are.
    pub unit: Unit,
}

/// Bytes in a GB as AWS bills it (2^30).
pub const GB_BYTES: u64 = 1 << 30;

impl Rate {
    /// `price` per 100,000 events.
    pub const fn per_100k_events(price: MicroUsd) -> Self {
        Self {
            price,
            per: 100_000,
            unit: Unit::Events,
        }
    }

    /// The cost of `quantity` units, rounded half up to the micro-dollar.
    pub fn cost(self, quantity: u64) -> MicroUsd {
        if self.per == 0 {
            return MicroUsd::ZERO;
        }
        let exact = i128::from(quantity) * i128::from(self.price.0);
        let per = i128::from(self.per);
        let rounded = (exact + per / 2) / per;
        MicroUsd(i64::try_from(rounded).unwrap_or(i64::MAX))
    }

    /// The rate in a few characters, e.g. `$2.00/100k` or `$0.023/GB-month`.
    pub fn display(self) -> String {
        let per = match (self.unit, self.per) {
            (Unit::Events, n) => format!("/{}", compact_count(n)),
            (Unit::Bytes, GB_BYTES) => "/GB".to_owned(),
            (Unit::ByteMonths, GB_BYTES) => "/GB-month".to_owned(),
            (Unit::Bytes, n) => format!(" per {n} bytes"),
            (Unit::ByteMonths, n) => format!(" per {n} byte-months"),
        };
        format!("{}{per}", self.price.display_exact())
    }
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An event count in at most four characters of digits: `950`, `4.1k`, `4.1M`, `100k`, `2B`. Display only.
pub fn compact_count(n: u64) -> String {
    let (scaled_tenths, suffix) = match n {
        0..1_000 => return n.to_string(),
        1_000..1_000_000 => (n / 100, "k"),
        1_000_000..1_000_000_000 => (n / 100_000, "M"),
        _ => (n / 100_000_000, "B"),
    };
    if scaled_tenths.is_multiple_of(10) || scaled_tenths >= 1_000 {
        format!("{}{suffix}", scaled_tenths / 10)
    } else {
        format!("{}.{}{suffix}", scaled_tenths / 10, scaled_tenths % 10)
    }
}

/// A byte count in binary units: `512 B`, `3.2 MB`, `1.5 GB` (GB = 2^30, as AWS bills). Display only.
pub fn compact_bytes(n: u64) -> String {
    let units = [("GB", GB_BYTES), ("MB", 1 << 20), ("KB", 1 << 10)];
    for (name, size) in units {
        if n >= size {
            return format!("{:.1} {name}", n as f64 / size as f64);
        }
    }
    format!("{n} B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_round_half_away_from_zero_only_for_display() {
        assert_eq!(MicroUsd(1_155_000).cents(), 116);
        assert_eq!(MicroUsd(1_154_999).cents(), 115);
        assert_eq!(MicroUsd(-1_155_000).cents(), -116);
        assert_eq!(MicroUsd(1_155_000).display(), "$1.16");
        assert_eq!(MicroUsd(123_456_789_000).display(), "$123,456.79");
        assert_eq!(MicroUsd(-3_000_000).display(), "-$3.00");
    }

    #[test]
    fn rates_cost_exactly_in_micro_dollars() {
        let paid = Rate::per_100k_events(MicroUsd::parse_usd("2.00").expect("parses"));
        assert_eq!(paid.cost(150_000), MicroUsd(3_000_000));
        assert_eq!(paid.cost(1), MicroUsd(20), "$0.00002 per event");
        assert_eq!(paid.display(), "$2.00/100k");
        let data = Rate::per_100k_events(MicroUsd::parse_usd("$0.10").expect("parses"));
        // One data event costs $0.000001: exactly one micro-dollar.
        assert_eq!(data.cost(1), MicroUsd(1));
        let s3 = Rate {
            price: MicroUsd::parse_usd("0.023").expect("parses"),
            per: GB_BYTES,
            unit: Unit::ByteMonths,
        };
        assert_eq!(s3.cost(GB_BYTES / 2), MicroUsd(11_500));
        assert_eq!(s3.display(), "$0.023/GB-month");
    }

    #[test]
    fn dollar_texts_are_read_or_refused_in_words() {
        assert_eq!(MicroUsd::parse_usd("0.35"), Ok(MicroUsd(350_000)));
        assert_eq!(MicroUsd::parse_usd("3"), Ok(MicroUsd(3_000_000)));
        for bad in ["", "abc", "1.2345678", "-1", "1.2.3"] {
            assert!(MicroUsd::parse_usd(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn counts_read_compactly() {
        assert_eq!(compact_count(4_100_000), "4.1M");
        assert_eq!(compact_count(100_000), "100k");
        assert_eq!(compact_count(150_000), "150k");
        assert_eq!(compact_count(999), "999");
        assert_eq!(compact_count(2_000_000_000), "2B");
    }
}
