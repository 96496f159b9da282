//! Wire types of the Activity page and `/api/activity/*`, and the choice of timeline bucket size.
use crate::model::time::{DAY, HOUR, MINUTE};
use serde::{Deserialize, Serialize};

/// Bucket sizes a timeline may use; the smallest that keeps the chart within [`MAX_BUCKETS`] wins.
pub const BUCKET_SIZES: [i64; 9] = [
    MINUTE,
    5 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
];
/// The most buckets a timeline chart shows; longer ranges get larger buckets.
pub const MAX_BUCKETS: i64 = 120;

/// `a / b` rounded up, for positive `b` (`i64::div_ceil` is not stable).
pub fn ceil_div(a: i64, b: i64) -> i64 {
    a.div_euclid(b) + i64::from(a.rem_euclid(b) != 0)
}

/// The bucket size for a range of `span_secs` seconds.
pub fn bucket_secs_for(span_secs: i64) -> i64 {
    BUCKET_SIZES
        .into_iter()
        .find(|size| ceil_div(span_secs, *size) <= MAX_BUCKETS)
        .unwrap_or_else(|| {
            // Longer than MAX_BUCKETS days: whole days, as many as it takes to fit.
            ceil_div(ceil_div(span_secs, MAX_BUCKETS), DAY) * DAY
        })
}

/// Events in one time bucket `[start, start + bucket_secs)`. Read and write follow the record's `readOnly`;
/// `other` counts records without it (e.g. Insights events).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineBucket {
    /// The bucket's first second: epoch seconds UTC, aligned to the timeline's `bucket_secs`.
    pub start: i64,
    /// Read events (`readOnly: true`).
    pub read: u64,
    /// Write events (`readOnly: false`).
    pub write: u64,
    /// Events without `readOnly`, e.g. Insights events.
    pub other: u64,
    /// Events with an `errorCode`, of any kind.
    pub errors: u64,
}

impl TimelineBucket {
    /// Read, write and other events together (errors are among them, not added).
    pub fn total(&self) -> u64 {
        self.read + self.write + self.other
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
/// Event counts over a whole timeline.
pub struct Totals {
    /// All events: `read + write + other`.
    pub events: u64,
    /// Read events (`readOnly: true`).
    pub read: u64,
    /// Write events (`readOnly: false`).
    pub write: u64,
    /// Events without `readOnly`, e.g. Insights events.
    pub other: u64,
    /// Events with an `errorCode`, among the others.
    pub errors: u64,
}

/// A timeline over `[start, end)` (epoch seconds, aligned to `bucket_secs`), every bucket present, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// The first second of the range: epoch seconds UTC, inclusive.
    pub start: i64,
    /// The end of the range: epoch seconds UTC, exclusive.
    pub end: i64,
    /// The width of each bucket, in seconds (one of [`BUCKET_SIZES`], or whole days).
    pub bucket_secs: i64,
    /// Every bucket of the range, oldest first, empty ones included.
    pub buckets: Vec<TimelineBucket>,
    /// Sums over all buckets.
    pub totals: Totals,
}

impl Timeline {
    /// A timeline from sparse buckets: fills the empty ones and sums the totals.
    pub fn from_sparse(
        start: i64,
        end: i64,
        bucket_secs: i64,
        sparse: Vec<TimelineBucket>,
    ) -> Self {
        let count = ((end - start) / bucket_secs).max(0) as usize;
        let mut buckets: Vec<TimelineBucket> = (0..count)
            .map(|i| TimelineBucket {
                start: start + i as i64 * bucket_secs,
                ..Default::default()
            })
            .collect();
        for b in sparse {
            let index = (b.start - start).div_euclid(bucket_secs);
            if let Some(slot) = usize::try_from(index).ok().and_then(|i| buckets.get_mut(i)) {
                slot.read += b.read;
                slot.write += b.write;
                slot.other += b.other;
                slot.errors += b.errors;
            }
        }
        let mut totals = Totals::default();
        for b in &buckets {
            totals.read += b.read;
            totals.write += b.write;
            totals.other += b.other;
            totals.errors += b.errors;
        }
        totals.events = totals.read + totals.write + totals.other;
        Self {
            start,
            end,
            bucket_secs,
            buckets,
            totals,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
/// One value of a top list (an event name, source, identity, IP, error code or user agent) and how often it
/// occurs.
pub struct TopEntry {
    /// The value as recorded, e.g. `ConsoleLogin`.
    pub value: String,
    /// The number of matching events with that value.
    pub count: u64,
}

/// The ten most frequent values of each dimension in the filtered range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopLists {
    /// The first second of the range: epoch seconds UTC, inclusive.
    pub start: i64,
    /// The end of the range: epoch seconds UTC, exclusive.
    pub end: i64,
    /// Events matching the filters in `[start, end)`: the base of each entry's share.
    pub events: u64,
    /// Most frequent `eventName`s, at most [`TOP_N`], most frequent first.
    pub event_names: Vec<TopEntry>,
    /// Most frequent `eventSource`s, e.g. `s3.amazonaws.com`, at most [`TOP_N`].
    pub event_sources: Vec<TopEntry>,
    /// Most frequent identities (the user, role or principal that made the call), at most [`TOP_N`].
    pub identities: Vec<TopEntry>,
    /// Most frequent `sourceIPAddress` values, at most [`TOP_N`].
    pub source_ips: Vec<TopEntry>,
    /// Most frequent `errorCode`s, at most [`TOP_N`].
    pub error_codes: Vec<TopEntry>,
    /// Most frequent `userAgent`s, e.g. `aws-cli/2.15.30 Python/3.11.8 Linux/6.1`, at most [`TOP_N`].
    pub user_agents: Vec<TopEntry>,
}

/// How many entries each top list holds at most.
pub const TOP_N: usize = 10;

/// What the filter bar can offer: the accounts and Regions the store holds events for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoices {
    /// 12-digit account IDs with stored events, sorted.
    pub accounts: Vec<String>,
    /// Region codes with stored events, e.g. `us-east-1`, sorted.
    pub regions: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_size_keeps_charts_readable() {
        assert_eq!(bucket_secs_for(HOUR), MINUTE);
        assert_eq!(bucket_secs_for(DAY), 15 * MINUTE);
        assert_eq!(bucket_secs_for(7 * DAY), 3 * HOUR);
        assert_eq!(bucket_secs_for(30 * DAY), 6 * HOUR);
        assert_eq!(bucket_secs_for(365 * DAY), 4 * DAY);
    }

    #[test]
    fn sparse_buckets_are_filled_and_totalled() {
        let sparse = vec![
            TimelineBucket {
                start: 120,
                read: 2,
                write: 1,
                other: 0,
                errors: 1,
            },
            TimelineBucket {
                start: 0,
                read: 0,
                write: 3,
                other: 1,
                errors: 0,
            },
            TimelineBucket {
                start: 600,
                read: 9,
                write: 9,
                other: 9,
                errors: 9,
            },
        ];
        let t = Timeline::from_sparse(0, 180, 60, sparse);
        assert_eq!(t.buckets.len(), 3);
        assert_eq!(t.buckets[1].total(), 0);
        assert_eq!(t.buckets[2].read, 2);
        assert_eq!(
            t.totals,
            Totals {
                events: 7,
                read: 2,
                write: 4,
                other: 1,
                errors: 1
            }
        );
    }
}
