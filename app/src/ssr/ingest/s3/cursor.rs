//! Where the listing of each Region prefix (`…/ACCOUNT/CloudTrail/REGION/`) starts: after the last key up to
//! which every file is stored (`s3_cursors`). Keys within a Region prefix sort in delivery order (date folders,
//! then the delivery time in the file name), so a cursor that passes only stored keys never skips a file: a
//! file that failed stops it, and is listed and retried next run.
//!
//! The cursor also stays [`SETTLE_SECS`] behind the newest delivery. CloudTrail writes several files a minute
//! into a busy Region (and trails may share a prefix); one named earlier can become visible after one named
//! later, and a cursor already past it would never list it. The hour listed again is skipped by key.
use crate::model::time::days_from_civil;
use crate::ssr::store::{Store, StoreError};
use rusqlite::{Transaction, params};
use std::collections::HashMap;

/// How long after its delivery time a key may be passed by a cursor.
pub const SETTLE_SECS: i64 = 3600;

/// The cursor rule. `keys` come in key order, each with whether the cursor may pass it (stored in this run or
/// an earlier one, or not a log file; and settled). The cursor is the last key before the first one it may not
/// pass: never past a file that failed or is still unread.
pub fn next_cursor<'a>(keys: impl IntoIterator<Item = (&'a str, bool)>) -> Option<&'a str> {
    keys.into_iter()
        .take_while(|(_, passable)| *passable)
        .last()
        .map(|(key, _)| key)
}

fn digits(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// When CloudTrail delivered the file at `key`: the `YYYYMMDDTHHMMZ` (digests: `…SSZ`) part of its name, else
/// the end of its date folder's day; `None` for keys of neither shape.
pub fn delivered_at(key: &str) -> Option<i64> {
    let day_start = |y: i64, m: i64, d: i64| {
        let (m, d) = (u32::try_from(m).ok()?, u32::try_from(d).ok()?);
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| days_from_civil(y, m, d) * 86_400)
    };
    let mut segments = key.rsplit('/');
    let name = segments.next()?;
    let stamp = name.split(['_', '.']).find_map(|part| {
        let (date, time) = part.strip_suffix('Z')?.split_once('T')?;
        if date.len() != 8 || !(time.len() == 4 || time.len() == 6) {
            return None;
        }
        let start = day_start(
            digits(&date[..4])?,
            digits(&date[4..6])?,
            digits(&date[6..])?,
        )?;
        Some(start + digits(&time[..2])? * 3600 + digits(&time[2..4])? * 60)
    });
    stamp.or_else(|| {
        let (d, m, y) = (segments.next()?, segments.next()?, segments.next()?);
        Some(day_start(digits(y)?, digits(m)?, digits(d)?)? + 86_400)
    })
}

/// One Region prefix's keys listed in this run, in key order.
struct PrefixKeys {
    prefix: String,
    keys: Vec<String>,
    /// Whether each key is stored (or needs no storing): set as batches commit.
    done: Vec<bool>,
    /// Keys delivered too recently to pass are cut off here.
    settled: usize,
    saved: Option<String>,
}

/// The cursors of one bucket during a run: which listed keys are stored, and which cursors can move.
#[derive(Default)]
pub struct Cursors {
    prefixes: Vec<PrefixKeys>,
    /// Stored key (`s3://bucket/key`) of each file still to be stored → (prefix, position).
    unread: HashMap<String, (usize, usize)>,
}

/// A key as listed: its object key, the key it is stored under, and whether it is already done with.
pub struct ListedKey {
    pub key: String,
    pub url: String,
    pub done: bool,
}

impl Cursors {
    /// Adds a Region prefix's listing (in key order, after `saved`), judged settled as of `now`.
    pub fn add_prefix(
        &mut self,
        prefix: String,
        saved: Option<String>,
        listed: Vec<ListedKey>,
        now: i64,
    ) {
        let index = self.prefixes.len();
        let settled = listed
            .iter()
            .take_while(|k| delivered_at(&k.key).is_none_or(|t| t + SETTLE_SECS <= now))
            .count();
        let mut keys = Vec::with_capacity(listed.len());
        let mut done = Vec::with_capacity(listed.len());
        for (position, k) in listed.into_iter().enumerate() {
            if !k.done {
                self.unread.insert(k.url, (index, position));
            }
            keys.push(k.key);
            done.push(k.done);
        }
        self.prefixes.push(PrefixKeys {
            prefix,
            keys,
            done,
            settled,
            saved,
        });
    }

    /// Marks files as stored (by their stored keys).
    pub fn stored(&mut self, urls: &[String]) {
        for url in urls {
            if let Some((prefix, position)) = self.unread.remove(url) {
                self.prefixes[prefix].done[position] = true;
            }
        }
    }

    /// The cursors that can move now, as (prefix, last key); they count as saved from here on.
    pub fn moves(&mut self) -> Vec<(String, String)> {
        let mut moves = Vec::new();
        for p in &mut self.prefixes {
            let passable = p
                .keys
                .iter()
                .zip(&p.done)
                .take(p.settled)
                .map(|(key, done)| (key.as_str(), *done));
            if let Some(key) = next_cursor(passable)
                && p.saved.as_deref() != Some(key)
            {
                p.saved = Some(key.to_owned());
                moves.push((p.prefix.clone(), key.to_owned()));
            }
        }
        moves
    }

    /// Writes the cursors that can move, inside the caller's transaction.
    pub fn save_moves(
        &mut self,
        tx: &Transaction<'_>,
        bucket: &str,
        now: i64,
    ) -> rusqlite::Result<()> {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO s3_cursors (bucket, prefix, last_key, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (bucket, prefix) DO UPDATE SET last_key = excluded.last_key, updated_at = excluded.updated_at",
        )?;
        for (prefix, last_key) in self.moves() {
            upsert.execute(params![bucket, prefix, last_key, now])?;
        }
        Ok(())
    }
}

/// The saved cursors of `bucket`: Region prefix → last key.
pub fn load(store: &Store, bucket: &str) -> Result<HashMap<String, String>, StoreError> {
    store.read(|c| {
        let mut stmt = c.prepare("SELECT prefix, last_key FROM s3_cursors WHERE bucket = ?1")?;
        let cursors = stmt
            .query_map([bucket], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(cursors)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: &str = "p/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01";

    fn key(time: &str) -> String {
        format!("{DAY}/111122223333_CloudTrail_us-east-1_20261101T{time}Z_AbCdEfGhIjKlMnOp.json.gz")
    }

    fn listed(keys: &[(&str, bool)]) -> Vec<ListedKey> {
        keys.iter()
            .map(|(time, done)| ListedKey {
                key: key(time),
                url: format!("s3://b/{}", key(time)),
                done: *done,
            })
            .collect()
    }

    #[test]
    fn the_cursor_never_passes_a_key_that_is_not_stored() {
        assert_eq!(
            next_cursor([("a", true), ("b", true), ("c", false), ("d", true)]),
            Some("b")
        );
        assert_eq!(
            next_cursor([("a", false), ("b", true)]),
            None,
            "a failed first file holds it"
        );
        assert_eq!(next_cursor([("a", true), ("b", true)]), Some("b"));
        assert_eq!(next_cursor(std::iter::empty()), None);
    }

    #[test]
    fn cursors_move_as_batches_commit_and_stop_at_a_failed_file() {
        let now = delivered_at(&key("2359")).unwrap_or_default() + SETTLE_SECS;
        let mut cursors = Cursors::default();
        let keys = [
            ("0000", true),
            ("0005", false),
            ("0010", false),
            ("0015", false),
        ];
        cursors.add_prefix("p/".into(), None, listed(&keys), now);
        assert_eq!(
            cursors.moves(),
            [("p/".to_owned(), key("0000"))],
            "already stored keys move it"
        );
        assert!(cursors.moves().is_empty(), "a move is reported once");
        // 0010 and 0015 are stored; 0005 failed (never marked stored).
        cursors.stored(&[
            format!("s3://b/{}", key("0010")),
            format!("s3://b/{}", key("0015")),
        ]);
        assert!(cursors.moves().is_empty(), "never past the failed 0005");
        cursors.stored(&[format!("s3://b/{}", key("0005"))]);
        assert_eq!(cursors.moves(), [("p/".to_owned(), key("0015"))]);
    }

    #[test]
    fn the_cursor_stays_an_hour_behind_the_newest_delivery() {
        let now = delivered_at(&key("1200")).unwrap_or_default() + SETTLE_SECS - 1;
        let mut cursors = Cursors::default();
        cursors.add_prefix(
            "p/".into(),
            None,
            listed(&[("1000", true), ("1100", true), ("1200", true)]),
            now,
        );
        assert_eq!(cursors.moves(), [("p/".to_owned(), key("1100"))]);
    }

    #[test]
    fn delivery_time_comes_from_the_name_else_the_date_folder() {
        let t = |s: &str| crate::model::time::parse_rfc3339(s);
        assert_eq!(delivered_at(&key("0210")), t("2026-11-01T02:10:00Z"));
        assert_eq!(
            delivered_at(
                "AWSLogs/1/CloudTrail-Digest/us-east-1/2015/08/12/1_CloudTrail-Digest_us-east-1_t_us-east-1_20150812T040131Z.json.gz"
            ),
            t("2015-08-12T04:01:00Z")
        );
        assert_eq!(
            delivered_at(&format!("{DAY}/odd-name.json.gz")),
            t("2026-11-02T00:00:00Z")
        );
        assert_eq!(delivered_at("AWSLogs/notes.txt"), None);
    }
}
