//! UTC calendar arithmetic on epoch seconds, without a date library: CloudTrail times are always UTC
//! (`YYYY-MM-DDTHH:MM:SSZ`), and this code also runs in the browser.

/// One minute, in seconds.
pub const MINUTE: i64 = 60;
/// One hour, in seconds.
pub const HOUR: i64 = 3_600;
/// One day, in seconds.
pub const DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day number from [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Broken-down UTC time of epoch seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtcParts {
    /// The year, e.g. 2026.
    pub year: i64,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month, 1 to 31.
    pub day: u32,
    /// The hour, 0 to 23.
    pub hour: u32,
    /// The minute, 0 to 59.
    pub minute: u32,
    /// The second, 0 to 59 (epoch seconds have no leap seconds).
    pub second: u32,
}

/// The UTC calendar date and time of `epoch_secs` (seconds since 1970-01-01T00:00:00Z).
pub fn utc_parts(epoch_secs: i64) -> UtcParts {
    let (year, month, day) = civil_from_days(epoch_secs.div_euclid(DAY));
    let secs = epoch_secs.rem_euclid(DAY);
    UtcParts {
        year,
        month,
        day,
        hour: (secs / HOUR) as u32,
        minute: (secs % HOUR / MINUTE) as u32,
        second: (secs % MINUTE) as u32,
    }
}

/// `2026-11-25T07:40:00Z`, the form CloudTrail writes.
pub fn format_rfc3339(epoch_secs: i64) -> String {
    let p = utc_parts(epoch_secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second
    )
}

/// `2026-11-25 07:40 UTC`, for people.
pub fn format_minute(epoch_secs: i64) -> String {
    let p = utc_parts(epoch_secs);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        p.year, p.month, p.day, p.hour, p.minute
    )
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Parses an RFC 3339 UTC timestamp as CloudTrail writes it: `YYYY-MM-DDTHH:MM:SS` with optional
/// fractional seconds, then `Z` or `+00:00`. A bare date `YYYY-MM-DD` means its midnight.
/// Returns `None` for anything else, including other offsets.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i64::from(digits(&b[0..4])?);
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date = days_from_civil(year, month, day) * DAY;
    if b.len() == 10 {
        return Some(date);
    }
    if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    if !matches!(rest, b"Z" | b"z" | b"+00:00" | b"") {
        return None;
    }
    Some(date + i64::from(hour) * HOUR + i64::from(minute) * MINUTE + i64::from(second))
}

/// Formats a duration in seconds the way a person reads it: `90s`, `15m`, `3h`, `2d`.
pub fn format_span(secs: i64) -> String {
    match secs {
        s if s % DAY == 0 && s >= DAY => format!("{}d", s / DAY),
        s if s % HOUR == 0 && s >= HOUR => format!("{}h", s / HOUR),
        s if s % MINUTE == 0 && s >= MINUTE => format!("{}m", s / MINUTE),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_across_leap_years_and_epoch() {
        for days in [-1, 0, 59, 60, 365, 10_956, 11_016, 20_000, 20_782] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn parses_cloudtrail_event_times() {
        assert_eq!(parse_rfc3339("2015-08-01T02:10:00Z"), Some(1_438_395_000));
        assert_eq!(
            parse_rfc3339("2015-08-01T02:10:00.123Z"),
            Some(1_438_395_000)
        );
        assert_eq!(
            parse_rfc3339("2015-08-01T02:10:00+00:00"),
            Some(1_438_395_000)
        );
        assert_eq!(parse_rfc3339("2015-08-01"), Some(1_438_387_200));
    }

    #[test]
    fn rejects_malformed_times() {
        for bad in [
            "",
            "2015-13-01T00:00:00Z",
            "2015-08-01T25:00:00Z",
            "yesterday",
            "2015-08-01T02:10:00+02:00",
            "2015-08-01T02:10Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_round_trip() {
        let t = 1_795_500_432;
        assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t));
        assert_eq!(format_minute(1_438_395_000), "2015-08-01 02:10 UTC");
        assert_eq!(format_span(3 * HOUR), "3h");
        assert_eq!(format_span(7 * DAY), "7d");
        assert_eq!(format_span(15 * MINUTE), "15m");
    }
}
