//! The digest chain walk of `aws cloudtrail validate-logs` (aws-cli `DigestTraverser`), without I/O: the
//! caller lists the digest keys, then loads and checks each digest the walk asks for ([`Walk::wanted`]) and
//! feeds back what it found ([`Walk::feed`]). Also the names' dates and the unlisted-log rule.
//!
//! The walk starts at the newest listed digest and follows each digest's `previousDigestS3Bucket/Object`. A
//! digest without a previous one (a starting digest) continues with the next older listed digest, and the time
//! between them is a [`Gap`](super::Gap); a missing or invalid digest also continues with the next older listed
//! digest. The walk stops when the last valid digest started before the window.
use super::DigestVerdict;
use crate::model::time::{parse_rfc3339, utc_parts};
use std::collections::HashSet;

/// An hour: digests are delivered hourly (AWS CloudTrail User Guide, "CloudTrail digest file structure").
const HOUR_SECS: i64 = 3600;

/// Where a digest is: its bucket (empty for a folder, which has one) and its key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The bucket (`digestS3Bucket`, `previousDigestS3Bucket`); empty in a folder archive.
    pub bucket: String,
    /// The object key (`digestS3Object`, `previousDigestS3Object`), or the path below the folder.
    pub key: String,
}

/// What loading and checking one digest gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No digest file at that location.
    NotFound,
    /// Read but not valid, for this reason.
    Invalid(DigestVerdict),
    /// Signed and where it says it is; `previous` is its link to the digest before it (`None`: a starting
    /// digest, `previousDigestS3Bucket`/`Object` null).
    Valid {
        /// `digestStartTime` (epoch seconds).
        start_secs: i64,
        /// `digestEndTime` (epoch seconds).
        end_secs: i64,
        /// `previousDigestS3Bucket`/`previousDigestS3Object`.
        previous: Option<Location>,
    },
}

/// One digest the walk met, in walk order (newest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    /// Where it is (or, if inferred, would be).
    pub at: Location,
    /// What validation found.
    pub verdict: DigestVerdict,
    /// `digestStartTime` (epoch seconds) of a valid digest; `None` otherwise.
    pub start_secs: Option<i64>,
    /// `digestEndTime` (epoch seconds) of a valid digest; otherwise the end its name states.
    pub end_secs: Option<i64>,
    /// Not met but deduced: see [`super::DigestEntry::inferred`].
    pub inferred: bool,
}

/// The walk of one chain (standard or backfill digests of one trail in one Region).
#[derive(Debug)]
pub struct Walk {
    /// Listed digests not yet passed, oldest first, with the dates their names state.
    listed: Vec<(Location, i64)>,
    start_secs: i64,
    current: Option<(Location, i64)>,
    last_start_secs: i64,
    /// The digests met so far, newest first.
    pub walked: Vec<Walked>,
    /// `(older digest's end, newer digest's start)` of each gap, as the CLI reports them.
    pub gaps: Vec<(i64, i64)>,
}

impl Walk {
    /// A walk over `listed` (the digest keys the listing kept, any order) back to `start_secs`.
    pub fn new(listed: Vec<Location>, start_secs: i64) -> Self {
        let mut listed: Vec<(Location, i64)> = listed
            .into_iter()
            .filter_map(|at| key_date_secs(&at.key).map(|date| (at, date)))
            .collect();
        listed.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        let current = listed.pop();
        let last_start_secs = current.as_ref().map_or(i64::MIN, |c| c.1);
        Self {
            listed,
            start_secs,
            current,
            last_start_secs,
            walked: Vec::new(),
            gaps: Vec::new(),
        }
    }

    /// The digest to load next; `None` when the walk is over.
    pub fn wanted(&self) -> Option<&Location> {
        self.current
            .as_ref()
            .filter(|_| self.start_secs <= self.last_start_secs)
            .map(|(at, _)| at)
    }

    /// The next listed digest older than `date_secs`, dropping the newer ones (the CLI's `_get_last_digest`).
    fn pop_before(&mut self, date_secs: i64) -> Option<(Location, i64)> {
        while let Some(next) = self.listed.pop() {
            if next.1 < date_secs {
                return Some(next);
            }
        }
        None
    }

    /// Records what the [`Self::wanted`] digest gave and moves on.
    pub fn feed(&mut self, outcome: Outcome) {
        let Some((at, date_secs)) = self.current.take() else {
            return;
        };
        match outcome {
            Outcome::Valid {
                start_secs,
                end_secs,
                previous,
            } => {
                self.walked.push(Walked {
                    at,
                    verdict: DigestVerdict::Valid,
                    start_secs: Some(start_secs),
                    end_secs: Some(end_secs),
                    inferred: false,
                });
                self.last_start_secs = start_secs;
                self.current = match previous {
                    Some(previous) => {
                        let date = key_date_secs(&previous.key).unwrap_or(i64::MIN);
                        Some((previous, date))
                    }
                    None => {
                        let next = self.pop_before(date_secs);
                        if let Some((_, next_date)) = &next {
                            self.gaps.push((*next_date, start_secs));
                        }
                        next
                    }
                };
            }
            Outcome::NotFound => {
                let next = self.pop_before(date_secs);
                let missing_key = at.key.clone();
                self.walked.push(Walked {
                    at: at.clone(),
                    verdict: DigestVerdict::NotFound,
                    start_secs: None,
                    end_secs: Some(date_secs),
                    inferred: false,
                });
                if let Some((_, next_date)) = &next {
                    self.infer_missing(&at.bucket, &missing_key, *next_date, date_secs);
                }
                self.current = next;
            }
            Outcome::Invalid(verdict) => {
                self.walked.push(Walked {
                    at,
                    verdict,
                    start_secs: None,
                    end_secs: Some(date_secs),
                    inferred: false,
                });
                self.current = self.pop_before(date_secs);
            }
        }
    }

    /// Names the digests that must have been between a missing digest (ending `missing_end_secs`) and the next
    /// older one found (ending `older_end_secs`): one per hour between them, newest first.
    fn infer_missing(
        &mut self,
        bucket: &str,
        missing_key: &str,
        older_end_secs: i64,
        missing_end_secs: i64,
    ) {
        let hours = (missing_end_secs - older_end_secs + HOUR_SECS / 2) / HOUR_SECS;
        for hour in (1..hours).rev() {
            let end = older_end_secs + hour * HOUR_SECS;
            if end < self.start_secs {
                continue;
            }
            self.walked.push(Walked {
                at: Location {
                    bucket: bucket.to_owned(),
                    key: with_key_date(missing_key, end),
                },
                verdict: DigestVerdict::NotFound,
                start_secs: None,
                end_secs: Some(end),
                inferred: true,
            });
        }
    }
}

/// Whether `key` names a backfill digest.
pub fn is_backfill_key(key: &str) -> bool {
    key.ends_with("_backfill.json.gz")
}

/// Where the `YYYYMMDDTHHMMSSZ` date of a digest key is (the CLI slices `key[-24:-8]`, or `key[-33:-17]` for
/// a backfill digest).
fn date_range(key: &str) -> Option<std::ops::Range<usize>> {
    let from_end = if is_backfill_key(key) { 33 } else { 24 };
    let start = key.len().checked_sub(from_end)?;
    let range = start..start + 16;
    key.get(range.clone()).map(|_| range)
}

/// Epoch seconds of a `YYYYMMDDTHHMMSSZ` date.
pub fn parse_compact_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let all_digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !all_digits(0..8) || !all_digits(9..15) {
        return None;
    }
    parse_rfc3339(&format!(
        "{}-{}-{}T{}:{}:{}Z",
        &text[0..4],
        &text[4..6],
        &text[6..8],
        &text[9..11],
        &text[11..13],
        &text[13..15]
    ))
}

/// `YYYYMMDDTHHMMSSZ`, as digest names write dates.
pub fn format_compact_date(secs: i64) -> String {
    let p = utc_parts(secs);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second
    )
}

/// The date a digest key names (its end time), in epoch seconds.
pub fn key_date_secs(key: &str) -> Option<i64> {
    date_range(key).and_then(|range| parse_compact_date(&key[range]))
}

/// `key` with the date in its name set to `secs` (the day folders are left as they are).
pub fn with_key_date(key: &str, secs: i64) -> String {
    match date_range(key) {
        Some(range) => format!(
            "{}{}{}",
            &key[..range.start],
            format_compact_date(secs),
            &key[range.end..]
        ),
        None => key.to_owned(),
    }
}

/// The delivery time a log file's name states (`ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz`,
/// minute precision), in epoch seconds.
pub fn log_delivery_secs(key: &str) -> Option<i64> {
    let name = key.rsplit('/').next()?;
    name.split('_').find_map(|part| {
        let b = part.as_bytes();
        (b.len() == 14 && b[8] == b'T' && b[13] == b'Z')
            .then(|| parse_compact_date(&format!("{}00Z", &part[..13])))
            .flatten()
    })
}

/// The log files among `archive_logs` (key, delivery time) that no digest lists, delivered while the chain was
/// written: from `span.0` to `span.1`, with the whole delivery minute inside. Keys are compared as given, so
/// the caller names archive and listed files alike.
pub fn unlisted_logs(
    archive_logs: &[(String, i64)],
    listed: &HashSet<String>,
    span: (i64, i64),
) -> Vec<(String, i64)> {
    archive_logs
        .iter()
        .filter(|(key, delivered)| {
            *delivered >= span.0 && delivered + 60 <= span.1 && !listed.contains(key)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/111122223333_CloudTrail-Digest_us-east-1_main_trail_us-east-1_20261120T100512Z.json.gz";

    fn at(secs: i64) -> Location {
        Location {
            bucket: "b".into(),
            key: with_key_date(KEY, secs),
        }
    }

    const T: i64 = 1_795_169_112; // 2026-11-20T10:05:12Z

    #[test]
    fn digest_names_carry_their_end() {
        assert_eq!(key_date_secs(KEY), Some(T));
        let backfill = KEY.replace(".json.gz", "_backfill.json.gz");
        assert_eq!(key_date_secs(&backfill), Some(T));
        assert!(is_backfill_key(&backfill));
        assert_eq!(key_date_secs(&with_key_date(&backfill, T + 7)), Some(T + 7));
        assert_eq!(key_date_secs("short.json.gz"), None);
        assert_eq!(format_compact_date(T), "20261120T100512Z");
        let log = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_Mu0KsOhtH1ar15ZZ.json.gz";
        assert_eq!(log_delivery_secs(log), Some(T - 12));
    }

    #[test]
    fn a_starting_digest_continues_with_the_next_older_one_as_a_gap() {
        let listed = vec![at(T), at(T - 3600), at(T - 5 * 3600)];
        let mut walk = Walk::new(listed, i64::MIN);
        assert_eq!(walk.wanted(), Some(&at(T)));
        walk.feed(Outcome::Valid {
            start_secs: T - 3600,
            end_secs: T,
            previous: Some(at(T - 3600)),
        });
        walk.feed(Outcome::Valid {
            start_secs: T - 2 * 3600,
            end_secs: T - 3600,
            previous: None,
        });
        assert_eq!(walk.wanted(), Some(&at(T - 5 * 3600)));
        assert_eq!(walk.gaps, vec![(T - 5 * 3600, T - 2 * 3600)]);
        walk.feed(Outcome::Valid {
            start_secs: T - 6 * 3600,
            end_secs: T - 5 * 3600,
            previous: None,
        });
        assert_eq!(walk.wanted(), None);
        assert_eq!(walk.walked.len(), 3);
    }

    #[test]
    fn consecutive_missing_digests_are_each_named() {
        let listed = vec![at(T), at(T - 3 * 3600)];
        let mut walk = Walk::new(listed, i64::MIN);
        walk.feed(Outcome::Valid {
            start_secs: T - 3600,
            end_secs: T,
            previous: Some(at(T - 3600)),
        });
        walk.feed(Outcome::NotFound);
        assert_eq!(walk.wanted(), Some(&at(T - 3 * 3600)));
        let missing: Vec<_> = walk.walked[1..]
            .iter()
            .map(|w| (w.at.clone(), w.inferred))
            .collect();
        assert_eq!(
            missing,
            vec![(at(T - 3600), false), (at(T - 2 * 3600), true)]
        );
        assert!(walk.gaps.is_empty());
    }

    #[test]
    fn the_walk_stops_before_the_window() {
        let listed = vec![at(T), at(T - 3600)];
        let mut walk = Walk::new(listed, T - 1800);
        walk.feed(Outcome::Valid {
            start_secs: T - 3600,
            end_secs: T,
            previous: Some(at(T - 3600)),
        });
        assert_eq!(walk.wanted(), None);
    }

    #[test]
    fn unlisted_logs_are_those_of_the_span_no_digest_lists() {
        let logs = vec![
            ("a".to_owned(), 100),
            ("b".to_owned(), 200),
            ("c".to_owned(), 50),
            ("d".to_owned(), 990),
        ];
        let listed: HashSet<String> = ["a".to_owned()].into();
        assert_eq!(
            unlisted_logs(&logs, &listed, (60, 1000)),
            vec![("b".to_owned(), 200)]
        );
    }
}
