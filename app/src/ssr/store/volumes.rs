//! Billing volumes from the store (issue 12): the daily billing rollup the writer keeps
//! (`rollup_billing_daily`: events per day by account, Region, category, read/write, event source and data
//! resource), read over the last 30 days and scaled to a month when the store holds less; and the sizes of
//! the archive's log files (compressed from `files`, uncompressed from a few decompressed blocks).
use super::segments::{BlockRef, read_block};
use super::{Store, StoreError};
use crate::model::billing::{
    Basis, DailyVolume, EventClass, EventSize, MONTH_DAYS, Volume, VolumeKind,
};
use crate::model::selectors::{EXCLUDABLE_SOURCES, ResourceType};
use crate::model::time::DAY;
use crate::ssr::logs::gzip::gunzip;
use rusqlite::{Connection, Transaction, params};
use std::collections::{BTreeMap, HashMap};

/// One row of `rollup_billing_daily`, as the writer adds to it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RollupKey {
    /// The UTC day's first second.
    pub day: i64,
    /// `strings.id` of the account.
    pub account: i64,
    /// `strings.id` of the Region.
    pub region: i64,
    /// The category's store code.
    pub category: i64,
    /// 1 read, 0 write, 2 unknown.
    pub read_only: i64,
    /// `strings.id` of the event source.
    pub event_source: i64,
    /// For data events the selector resource type, e.g. `AWS::S3::Object`; else empty.
    pub resource_type: String,
    /// For data events the bucket name or ARN; else empty.
    pub resource: String,
}

/// Adds a batch's counts to the rollup, inside the batch's transaction. Errors: SQLite's.
pub fn add_to_rollup(
    tx: &Transaction<'_>,
    counts: &HashMap<RollupKey, i64>,
) -> rusqlite::Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO rollup_billing_daily
           (day, account, region, category, read_only, event_source, resource_type, resource, events)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT DO UPDATE SET events = events + excluded.events",
    )?;
    for (k, n) in counts {
        upsert.execute(params![
            k.day,
            k.account,
            k.region,
            k.category,
            k.read_only,
            k.event_source,
            k.resource_type,
            k.resource,
            n
        ])?;
    }
    Ok(())
}

/// Newest archive files whose sizes are averaged (bounded, so the query costs the same on any store).
const SIZE_SAMPLE_FILES: u32 = 5_000;
/// Newest archive blocks decompressed to learn the JSON-to-gzip ratio.
const RATIO_SAMPLE_BLOCKS: u32 = 8;

/// What the store says a month holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measured {
    /// Events per month by account, Region and class, each `Basis::Measured` with the window counted.
    pub volumes: Vec<Volume>,
    /// Log file sizes per account and Region, from the newest archive files.
    pub sizes: Vec<EventSize>,
    /// The window counted, in seconds (30 days, or since the oldest stored event when that is later);
    /// 0 when the store holds no event.
    pub window_secs: i64,
}

/// Measures the last [`MONTH_DAYS`] days before `now` (epoch seconds): the 30 UTC days ending today.
///
/// Errors: [`StoreError`] when the store cannot be read.
pub fn measure(store: &Store, now: i64) -> Result<Measured, StoreError> {
    let blocks_dir = store.blocks_dir();
    store.read(|conn| {
        let first_day = now.div_euclid(DAY) * DAY - (MONTH_DAYS - 1) * DAY;
        let oldest: Option<i64> =
            conn.query_row("SELECT min(event_time) FROM events", [], |r| r.get(0))?;
        let Some(oldest) = oldest else {
            return Ok(Measured::default());
        };
        let window_secs = (now - first_day.max(oldest)).max(1);
        let volumes = volumes(conn, first_day, window_secs)?;
        let sizes = sizes(conn, &blocks_dir, window_secs)?;
        Ok(Measured {
            volumes,
            sizes,
            window_secs,
        })
    })
}

fn volumes(conn: &Connection, first_day: i64, window_secs: i64) -> Result<Vec<Volume>, StoreError> {
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut name = |conn: &Connection, id: i64| -> Result<String, StoreError> {
        if let Some(n) = names.get(&id) {
            return Ok(n.clone());
        }
        let n: String = conn
            .prepare_cached("SELECT value FROM strings WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        names.insert(id, n.clone());
        Ok(n)
    };
    let mut stmt = conn.prepare_cached(
        "SELECT account, region, category, read_only, event_source, resource_type, resource, sum(events)
         FROM rollup_billing_daily WHERE day >= ?1 AND category IN (0, 1, 3)
         GROUP BY account, region, category, read_only, event_source, resource_type, resource",
    )?;
    let mut rows = stmt.query([first_day])?;
    let mut counted: BTreeMap<(String, String, EventClass), u64> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let (account, region, category, read_only, source): (i64, i64, i64, i64, i64) = (
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
        );
        let (resource_type, resource): (String, String) = (row.get(5)?, row.get(6)?);
        let events: i64 = row.get(7)?;
        let source = name(conn, source)?;
        // Events without readOnly are counted as writes (a trail logging only reads does not take them).
        let read_only = read_only == 1;
        let class = match category {
            0 => EventClass::Management {
                read_only,
                event_source: EXCLUDABLE_SOURCES
                    .contains(&source.as_str())
                    .then_some(source),
            },
            1 => EventClass::Data {
                resource_type: if resource_type.is_empty() {
                    type_of_source(&source)
                } else {
                    resource_type
                },
                read_only,
                resource: (!resource.is_empty()).then_some(resource),
            },
            _ => EventClass::NetworkActivity {
                event_source: source,
            },
        };
        let key = (name(conn, account)?, name(conn, region)?, class);
        *counted.entry(key).or_default() += events.max(0) as u64;
    }
    let month_secs = MONTH_DAYS * DAY;
    Ok(counted
        .into_iter()
        .map(|((account, region, class), events)| Volume {
            account,
            region,
            class,
            events_per_month: scale(events, month_secs, window_secs),
            basis: Basis::Measured { window_secs },
        })
        .collect())
}

/// The events of each of the last [`MONTH_DAYS`] UTC days before `now` (epoch seconds) that the store has
/// events of, by [`VolumeKind`], oldest first, from `rollup_billing_daily` (at most 30 × 4 sums).
///
/// Errors: [`StoreError`] when the store cannot be read.
pub fn daily(store: &Store, now: i64) -> Result<Vec<DailyVolume>, StoreError> {
    let first_day = now.div_euclid(DAY) * DAY - (MONTH_DAYS - 1) * DAY;
    store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT day, category, read_only = 1, sum(events) FROM rollup_billing_daily
             WHERE day >= ?1 AND category IN (0, 1, 3)
             GROUP BY day, category, read_only = 1 ORDER BY day",
        )?;
        let mut rows = stmt.query([first_day])?;
        let mut days: BTreeMap<i64, [u64; 4]> = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let (day, category, read_only, events): (i64, i64, bool, i64) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            // The same classes as `volumes` reads, so the chart adds up to the estimate's inputs.
            let kind = match (category, read_only) {
                (0, true) => VolumeKind::ManagementRead,
                (0, false) => VolumeKind::ManagementWrite,
                (1, _) => VolumeKind::Data,
                _ => VolumeKind::NetworkActivity,
            };
            days.entry(day).or_default()[kind as usize] += events.max(0) as u64;
        }
        Ok(days
            .into_iter()
            .map(|(day_secs, events)| DailyVolume { day_secs, events })
            .collect())
    })
}

/// `n × month / window`, rounded to the nearest event.
fn scale(n: u64, month_secs: i64, window_secs: i64) -> u64 {
    let (month, window) = (month_secs.max(1) as u128, window_secs.max(1) as u128);
    u64::try_from((u128::from(n) * month + window / 2) / window).unwrap_or(u64::MAX)
}

/// The selector resource type of data events stored before the billing rollup named it, from their source.
fn type_of_source(source: &str) -> String {
    match source {
        "s3.amazonaws.com" => ResourceType::S3Object.as_str().to_owned(),
        "lambda.amazonaws.com" => ResourceType::LambdaFunction.as_str().to_owned(),
        "dynamodb.amazonaws.com" => ResourceType::DynamoDbTable.as_str().to_owned(),
        other => other.to_owned(),
    }
}

/// `(account, Region)` of an archive key `…/AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/…`.
pub fn key_cell(key: &str) -> Option<(&str, &str)> {
    let mut parts = key.split('/');
    let mut previous = None;
    for part in parts.by_ref() {
        if part == "CloudTrail" {
            return Some((previous?, parts.next()?));
        }
        previous = Some(part);
    }
    None
}

fn sizes(
    conn: &Connection,
    blocks_dir: &std::path::Path,
    window_secs: i64,
) -> Result<Vec<EventSize>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, size_bytes, events + duplicates FROM files
         WHERE key LIKE '%/CloudTrail/%' ORDER BY id DESC LIMIT ?1",
    )?;
    let mut rows = stmt.query([SIZE_SAMPLE_FILES])?;
    let mut cells: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        let (bytes, events): (i64, i64) = (row.get(1)?, row.get(2)?);
        if let Some((account, region)) = key_cell(&key) {
            let cell = cells
                .entry((account.to_owned(), region.to_owned()))
                .or_default();
            cell.0 += events.max(0) as u64;
            cell.1 += bytes.max(0) as u64;
        }
    }
    let Some((json, gz)) = ratio(conn, blocks_dir)? else {
        return Ok(Vec::new());
    };
    Ok(cells
        .into_iter()
        .filter(|(_, (events, _))| *events > 0)
        .map(
            |((account, region), (events, compressed_bytes))| EventSize {
                account,
                region,
                events,
                compressed_bytes,
                uncompressed_bytes: u64::try_from(
                    u128::from(compressed_bytes) * u128::from(json) / u128::from(gz),
                )
                .unwrap_or(u64::MAX),
                basis: Basis::Measured { window_secs },
            },
        )
        .collect())
}

/// (JSON bytes, gzip bytes) of the newest archive blocks; `None` when there is none.
fn ratio(
    conn: &Connection,
    blocks_dir: &std::path::Path,
) -> Result<Option<(u64, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.segment, b.offset, b.length FROM blocks b JOIN files f ON f.id = b.file
         WHERE f.key LIKE '%/CloudTrail/%' ORDER BY b.id DESC LIMIT ?1",
    )?;
    let blocks: Vec<BlockRef> = stmt
        .query_map([RATIO_SAMPLE_BLOCKS], |r| {
            Ok(BlockRef {
                segment: r.get(0)?,
                offset: r.get::<_, i64>(1)? as u64,
                length: r.get::<_, i64>(2)? as u64,
            })
        })?
        .collect::<Result<_, _>>()?;
    let (mut json, mut gz) = (0u64, 0u64);
    for block in blocks {
        let bytes = read_block(blocks_dir, block)?;
        let Ok(text) = gunzip(&bytes, usize::MAX) else {
            continue;
        };
        json += text.len() as u64;
        gz += bytes.len() as u64;
    }
    Ok((gz > 0).then_some((json, gz)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_keys_name_their_account_and_region() {
        let key = "AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2026/11/29/x.json.gz";
        assert_eq!(key_cell(key), Some(("111122223333", "eu-west-1")));
        let key = "prefix/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/29/x.json.gz";
        assert_eq!(key_cell(key), Some(("111122223333", "us-east-1")));
        assert_eq!(key_cell("event-history/whatever"), None);
    }

    #[test]
    fn a_shorter_window_is_scaled_to_a_month() {
        assert_eq!(scale(1_000, 30 * DAY, 10 * DAY), 3_000);
        assert_eq!(scale(1_000, 30 * DAY, 30 * DAY), 1_000);
    }
}
