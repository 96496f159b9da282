//! The demo trail archive: several accounts and Regions, weeks of realistic activity with planted incidents,
//! written in CloudTrail's S3 key layout. Deterministic: the same options give byte-identical files.
mod catalog;
mod incidents;
mod record;
mod rng;
mod trails;

pub use trails::demo_trails;

use catalog::{
    ACCOUNTS, ACTORS, Account, Actor, CALLS, GLOBAL_REGION, Kind, REGIONS, error_codes, is_global,
};
use flate2::{Compression, GzBuilder};
use record::{CallSpec, Record, api_call, console_login, source_ip};
use rng::{ALNUM, Rng};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::model::time::{DAY, HOUR, MINUTE, utc_parts};

/// CloudTrail delivers a region's events about every five minutes.
const DELIVERY_SECS: i64 = 5 * MINUTE;
/// Share of background calls that fail.
const ERROR_RATE: f64 = 0.045;

#[derive(Clone, Debug, PartialEq, Eq)]
/// What the demo archive generator writes: seed, length and size of the synthetic archive.
pub struct DemoOptions {
    /// Seed of the random generator; one seed always gives the same archive.
    pub seed: u64,
    /// Length of the archive, in days.
    pub days: u32,
    /// Background events (console sign-ins and planted incidents come on top).
    pub events: u64,
    /// End of the archive, epoch seconds; files cover `[end - days, end)`.
    pub end: i64,
}

impl DemoOptions {
    /// The seed the demo uses unless told otherwise.
    pub const DEFAULT_SEED: u64 = 7;
    /// The archive length in days the demo uses unless told otherwise.
    pub const DEFAULT_DAYS: u32 = 21;
    /// The number of background events the demo writes unless told otherwise.
    pub const DEFAULT_EVENTS: u64 = 300_000;

    /// The defaults, ending at `now` rounded down to a delivery interval.
    pub fn ending_at(now: i64) -> Self {
        Self {
            seed: Self::DEFAULT_SEED,
            days: Self::DEFAULT_DAYS,
            events: Self::DEFAULT_EVENTS,
            end: now - now.rem_euclid(DELIVERY_SECS),
        }
    }
}

/// What was written for one (account, Region).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Log files written.
    pub files: u64,
    /// Events written.
    pub events: u64,
    /// Read events (`readOnly: true`).
    pub read: u64,
    /// Write events (`readOnly: false`).
    pub write: u64,
    /// Events with an `errorCode`.
    pub errors: u64,
    /// Data events (`eventCategory: Data`).
    pub data: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
/// What the demo archive generator wrote.
pub struct DemoSummary {
    /// First second the archive covers: epoch seconds UTC.
    pub start: i64,
    /// End of the archive: epoch seconds UTC, exclusive.
    pub end: i64,
    /// Log files written.
    pub files: u64,
    /// Events written.
    pub events: u64,
    /// Per (account ID, Region).
    pub streams: BTreeMap<(String, String), StreamStats>,
}

#[derive(Debug, thiserror::Error)]
/// Why the demo archive could not be written.
pub enum DemoError {
    #[error("cannot write demo archive file {path}: {source}")]
    /// A file of the archive could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// The file system's error.
        source: std::io::Error,
    },
    #[error("invalid demo options: {0}")]
    /// The options are out of range; the text says which.
    Options(String),
}

/// Relative activity by hour of day (UTC) and weekday: busy office hours, quiet nights and weekends.
fn activity_weight(time: i64) -> f64 {
    let hour = utc_parts(time).hour;
    let weekday = (time.div_euclid(DAY) + 3).rem_euclid(7); // 0 = Monday
    let by_hour = if (8..18).contains(&hour) {
        1.0
    } else if (6..21).contains(&hour) {
        0.55
    } else {
        0.25
    };
    by_hour * if weekday >= 5 { 0.4 } else { 1.0 }
}

/// Splits `total` into integer parts proportional to `weights`, summing exactly to `total`.
fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    let mut emitted = 0u64;
    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|w| {
            cumulative += w;
            let upto = if sum > 0.0 {
                (total as f64 * cumulative / sum).round() as u64
            } else {
                0
            };
            let part = upto.min(total) - emitted.min(upto.min(total));
            emitted += part;
            part
        })
        .collect()
}

/// The calls an actor makes in one stream, with cumulative weights.
struct CallTable {
    actor: &'static Actor,
    calls: Vec<&'static catalog::Call>,
    cumulative: Vec<f64>,
}

fn call_tables(account: &Account, region: &str) -> (Vec<CallTable>, Vec<f64>) {
    let mut tables = Vec::new();
    for actor in &ACTORS {
        let calls: Vec<_> = CALLS
            .iter()
            .filter(|c| actor.sources.contains(&c.service))
            .filter(|c| region == GLOBAL_REGION || !is_global(c.service))
            .filter(|c| account.data_events || !matches!(c.kind, Kind::Data { .. }))
            .collect();
        if calls.is_empty() {
            continue;
        }
        let cumulative = calls
            .iter()
            .scan(0.0, |acc, c| {
                *acc += c.weight;
                Some(*acc)
            })
            .collect();
        tables.push(CallTable {
            actor,
            calls,
            cumulative,
        });
    }
    let actor_weights = tables
        .iter()
        .scan(0.0, |acc, t| {
            *acc += t.actor.weight;
            Some(*acc)
        })
        .collect();
    (tables, actor_weights)
}

/// All records of one stream, sorted by time: background calls, console sign-ins and planted incidents.
fn stream_records(
    opts: &DemoOptions,
    start: i64,
    account: &Account,
    region: &'static str,
    background: u64,
    rng: &mut Rng,
    planted: Vec<(i64, Record)>,
) -> Vec<(i64, Record)> {
    let slots = ((opts.end - start) / DELIVERY_SECS) as usize;
    let weights: Vec<f64> = (0..slots)
        .map(|i| activity_weight(start + i as i64 * DELIVERY_SECS) * (0.5 + rng.unit()))
        .collect();
    let (tables, actor_weights) = call_tables(account, region);
    let mut records = planted;
    for (slot, count) in apportion(background, &weights).into_iter().enumerate() {
        let slot_start = start + slot as i64 * DELIVERY_SECS;
        for _ in 0..count {
            let time = slot_start + rng.below(DELIVERY_SECS as u64) as i64;
            let table = &tables[rng.weighted(&actor_weights)];
            let call = table.calls[rng.weighted(&table.cumulative)];
            let error = rng.chance(ERROR_RATE).then(|| {
                let codes = error_codes(call.service);
                codes[if rng.chance(0.6) {
                    0
                } else {
                    rng.below(codes.len() as u64) as usize
                }]
            });
            let spec = CallSpec {
                time,
                account,
                region,
                principal: table.actor.principal,
                origin: table.actor.origin,
                user_agent: table.actor.user_agent,
                call,
                error,
            };
            records.push((time, api_call(&spec, rng)));
        }
    }
    if region == GLOBAL_REGION {
        for day in 0..i64::from(opts.days) {
            for actor in ACTORS.iter().filter(|a| a.console) {
                let time = start + day * DAY + 8 * HOUR + rng.below(3 * HOUR as u64) as i64;
                if time < opts.end && activity_weight(time) > 0.5 {
                    let failed_first = rng.chance(0.05);
                    if failed_first {
                        let ip = source_ip(actor.origin, rng);
                        records.push((
                            time - 40,
                            console_login(time - 40, account, actor, true, false, ip, rng),
                        ));
                    }
                    let ip = source_ip(actor.origin, rng);
                    records.push((
                        time,
                        console_login(time, account, actor, true, true, ip, rng),
                    ));
                }
            }
        }
    }
    records.sort_by_key(|(time, _)| *time);
    records
}

fn file_key(account: &Account, region: &str, delivered: i64, rng: &mut Rng) -> String {
    let t = utc_parts(delivered);
    let org = account.org_id.map(|o| format!("{o}/")).unwrap_or_default();
    let id = account.id;
    format!(
        "AWSLogs/{org}{id}/CloudTrail/{region}/{:04}/{:02}/{:02}/{id}_CloudTrail_{region}_{:04}{:02}{:02}T{:02}{:02}Z_{}.json.gz",
        t.year,
        t.month,
        t.day,
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        rng.string(ALNUM, 16)
    )
}

fn write_file(out: &Path, key: &str, records: &[(i64, Record)]) -> Result<(), DemoError> {
    let path = out.join(key);
    let fail = |source| DemoError::Write {
        path: path.clone(),
        source,
    };
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(fail)?;
    }
    #[derive(serde::Serialize)]
    struct Body<'a> {
        #[serde(rename = "Records")]
        records: Vec<&'a Record>,
    }
    let json = serde_json::to_vec(&Body {
        records: records.iter().map(|(_, r)| r).collect(),
    })
    .map_err(|e| fail(std::io::Error::other(e)))?;
    // mtime 0 and a fixed level keep the bytes identical from run to run.
    let mut gz = GzBuilder::new()
        .mtime(0)
        .write(Vec::with_capacity(json.len() / 6), Compression::new(6));
    gz.write_all(&json).map_err(fail)?;
    std::fs::write(&path, gz.finish().map_err(fail)?).map_err(fail)
}

/// Writes one stream's log files, one per delivery interval with activity.
fn write_stream(
    out: &Path,
    opts: &DemoOptions,
    start: i64,
    index: usize,
    background: u64,
    planted: Vec<(i64, Record)>,
) -> Result<StreamStats, DemoError> {
    let account = &ACCOUNTS[index / REGIONS.len()];
    let region = REGIONS[index % REGIONS.len()].0;
    let mut rng = Rng::derive(opts.seed, index as u64 + 1);
    let records = stream_records(opts, start, account, region, background, &mut rng, planted);
    let mut stats = StreamStats::default();
    let mut rest = records.as_slice();
    while let Some((first, _)) = rest.first() {
        let slot_end = (first.div_euclid(DELIVERY_SECS) + 1) * DELIVERY_SECS;
        let n = rest.partition_point(|(t, _)| *t < slot_end);
        let (file, tail) = rest.split_at(n);
        let delivered = slot_end + MINUTE * (1 + rng.below(4) as i64);
        write_file(out, &file_key(account, region, delivered, &mut rng), file)?;
        stats.files += 1;
        for (_, r) in file {
            stats.events += 1;
            stats.errors += u64::from(r.error_code.is_some());
            stats.data += u64::from(!r.management_event);
            if r.read_only {
                stats.read += 1
            } else {
                stats.write += 1
            }
        }
        rest = tail;
    }
    Ok(stats)
}

/// Writes the demo archive below `out` (which should be empty) and says what it wrote.
pub fn write_demo(out: &Path, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if opts.days == 0 || opts.days > 90 {
        return Err(DemoError::Options(
            "days must be between 1 and 90 (the Event History window)".into(),
        ));
    }
    let start = opts.end - i64::from(opts.days) * DAY;
    let streams: Vec<(usize, usize)> = (0..ACCOUNTS.len())
        .flat_map(|a| (0..REGIONS.len()).map(move |r| (a, r)))
        .collect();
    let weights: Vec<f64> = streams
        .iter()
        .map(|&(a, r)| ACCOUNTS[a].weight * REGIONS[r].1)
        .collect();
    let background = apportion(opts.events, &weights);
    let mut planted: Vec<Vec<(i64, Record)>> = streams.iter().map(|_| Vec::new()).collect();
    for p in incidents::plant(start, opts.end, &mut Rng::derive(opts.seed, 0)) {
        let region = REGIONS
            .iter()
            .position(|(r, _)| *r == p.region)
            .unwrap_or(0);
        planted[p.account * REGIONS.len() + region].push((p.time, p.record));
    }
    // Streams are independent (each has its own RNG), so they are written in parallel.
    let planted: Vec<Mutex<Vec<(i64, Record)>>> = planted.into_iter().map(Mutex::new).collect();
    let results: Vec<Mutex<Option<Result<StreamStats, DemoError>>>> =
        streams.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(streams.len());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&count) = background.get(index) else {
                        break;
                    };
                    let planted = std::mem::take(
                        &mut *planted[index].lock().unwrap_or_else(|e| e.into_inner()),
                    );
                    let result = write_stream(out, opts, start, index, count, planted);
                    *results[index].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    let mut summary = DemoSummary {
        start,
        end: opts.end,
        ..Default::default()
    };
    for (&(a, r), result) in streams.iter().zip(results) {
        let stats = result
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(|| Ok(StreamStats::default()))?;
        summary.files += stats.files;
        summary.events += stats.events;
        summary
            .streams
            .insert((ACCOUNTS[a].id.to_owned(), REGIONS[r].0.to_owned()), stats);
    }
    write_trails_snapshot(out, opts.end)?;
    Ok(summary)
}

/// Where the demo archive keeps its trails snapshot (beside `AWSLogs/`, which only CloudTrail writes).
pub const TRAILS_SNAPSHOT_FILE: &str = "trails.json";

fn write_trails_snapshot(out: &Path, end: i64) -> Result<(), DemoError> {
    let path = out.join(TRAILS_SNAPSHOT_FILE);
    let json = serde_json::to_vec_pretty(&demo_trails(end))
        .map_err(|e| DemoError::Options(format!("cannot encode the trails snapshot: {e}")))?;
    std::fs::write(&path, json).map_err(|source| DemoError::Write { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact_and_proportional() {
        let parts = apportion(1_000, &[1.0, 2.0, 0.0, 7.0]);
        assert_eq!(parts, vec![100, 200, 0, 700]);
        let parts = apportion(10, &[1.0, 1.0, 1.0]);
        assert_eq!(parts.iter().sum::<u64>(), 10);
    }

    #[test]
    fn office_hours_are_busier_than_weekend_nights() {
        let monday_10am = 1_795_428_000 - 1_795_428_000 % DAY + 10 * HOUR; // 2026-11-23 is a Monday
        assert_eq!(utc_parts(monday_10am).day, 23);
        assert!(
            activity_weight(monday_10am) > activity_weight(monday_10am + 5 * DAY + 13 * HOUR) * 4.0
        );
    }
}
