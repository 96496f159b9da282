//! One stream of the demo archive (an account in a Region): its records, background calls shaped by office
//! hours plus the planted ones, cut into log files as CloudTrail delivers them, about every five minutes.
use super::catalog::{
    ACCOUNTS, ACTORS, Account, Actor, CALLS, GLOBAL_REGION, Kind, REGIONS, error_codes, is_global,
};
use super::incidents::{DEV, STAGING, deleted_record_at, dev_trail_logging_off};
use super::record::{CallSpec, Record, api_call, console_login, source_ip};
use super::rng::{ALNUM, Rng};
use super::{DELIVERY_SECS, DemoError, DemoOptions, ERROR_RATE, StreamStats};
use crate::model::time::{DAY, HOUR, MINUTE, utc_parts};
use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};
use sha2::{Digest as _, Sha256};
use std::io::Write;
use std::path::Path;

/// A log file as written, with what a digest file lists about it.
pub struct LogFile {
    /// Its key below the archive folder.
    pub key: String,
    /// When CloudTrail delivered it (the time in its name): epoch seconds.
    pub delivered_secs: i64,
    /// Lower-case hex SHA-256 of the decompressed bytes CloudTrail delivered (and its digest lists).
    pub sha256_hex: String,
    /// The oldest and the newest `eventTime` in it: epoch seconds.
    pub event_span_secs: (i64, i64),
}
/// Relative activity by hour of day (UTC) and weekday: busy office hours, quiet nights and weekends.
pub(super) fn activity_weight(time: i64) -> f64 {
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
pub(super) fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
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
    calls: Vec<&'static super::catalog::Call>,
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

/// The JSON body of a log file.
fn log_json(records: &[&Record]) -> Result<Vec<u8>, serde_json::Error> {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        #[serde(rename = "Records")]
        records: &'a [&'a Record],
    }
    serde_json::to_vec(&Body { records })
}

/// Writes the log file `key` holding `records`, less the record at `deleted_at` (the tampering); returns the
/// SHA-256 of the file as delivered, before any tampering.
fn write_file(
    out: &Path,
    key: &str,
    records: &[(i64, Record)],
    deleted_at: Option<i64>,
) -> Result<String, DemoError> {
    let path = out.join(key);
    let fail = |source| DemoError::Write {
        path: path.clone(),
        source,
    };
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(fail)?;
    }
    let all: Vec<&Record> = records.iter().map(|(_, r)| r).collect();
    let delivered = log_json(&all).map_err(|e| fail(std::io::Error::other(e)))?;
    let sha256_hex = hex::encode(Sha256::digest(&delivered));
    let json = match deleted_at {
        Some(at) => {
            let kept: Vec<&Record> = records
                .iter()
                .filter(|(time, _)| *time != at)
                .map(|(_, r)| r)
                .collect();
            log_json(&kept).map_err(|e| fail(std::io::Error::other(e)))?
        }
        None => delivered,
    };
    let gz = gzip(&json).map_err(fail)?;
    std::fs::write(&path, gz).map_err(fail)?;
    Ok(sha256_hex)
}

/// `data` as one gzip member (RFC 1952) with mtime 0 and a fixed level, so the bytes are the same from run to
/// run. Each thread reuses one deflate state (about 380 KB): a new state per file left glibc's heap so
/// fragmented that writing the default demo archive (66,000 log and 4,800 digest files) held 15 GB resident.
pub(super) fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    thread_local! {
        static GZIPPER: std::cell::RefCell<Gzipper> = std::cell::RefCell::new(Gzipper::new());
    }
    GZIPPER.with(|gzipper| gzipper.borrow_mut().gzip(data))
}

/// A gzip writer over one reused deflate state.
struct Gzipper {
    deflate: DeflateEncoder<Vec<u8>>,
}

impl Gzipper {
    fn new() -> Self {
        Self {
            deflate: DeflateEncoder::new(Vec::new(), Compression::new(6)),
        }
    }

    /// `data` as one gzip member: no name, mtime 0, level 6.
    fn gzip(&mut self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        /// Magic, deflate, no flags, mtime 0, no extra flags, OS unknown.
        const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        self.deflate.write_all(data)?;
        // `reset` finishes this member's deflate stream, hands back its bytes and keeps the state.
        let body = self.deflate.reset(Vec::new())?;
        let mut crc = Crc::new();
        crc.update(data);
        let mut gz = Vec::with_capacity(HEADER.len() + body.len() + 8);
        gz.extend_from_slice(&HEADER);
        gz.extend_from_slice(&body);
        gz.extend_from_slice(&crc.sum().to_le_bytes());
        gz.extend_from_slice(&crc.amount().to_le_bytes());
        Ok(gz)
    }
}

/// Writes one stream's log files, one per delivery interval with activity (none while its trail was stopped);
/// says what it wrote, and each file's digest entry.
pub(super) fn write_stream(
    out: &Path,
    opts: &DemoOptions,
    start: i64,
    index: usize,
    background: u64,
    planted: Vec<(i64, Record)>,
) -> Result<(StreamStats, Vec<LogFile>), DemoError> {
    let account_index = index / REGIONS.len();
    let account = &ACCOUNTS[account_index];
    let region = REGIONS[index % REGIONS.len()].0;
    let mut rng = Rng::derive(opts.seed, index as u64 + 1);
    let mut records = stream_records(opts, start, account, region, background, &mut rng, planted);
    if (account_index, region) == (DEV, "us-east-1") {
        let (stopped, started) = dev_trail_logging_off(opts.end);
        records.retain(|(t, _)| *t <= stopped || *t >= started);
    }
    let deleted_at =
        ((account_index, region) == (STAGING, "us-east-1")).then(|| deleted_record_at(opts.end));
    let mut stats = StreamStats::default();
    let mut files = Vec::new();
    let mut rest = records.as_slice();
    while let Some((first, _)) = rest.first() {
        let slot_end = (first.div_euclid(DELIVERY_SECS) + 1) * DELIVERY_SECS;
        let n = rest.partition_point(|(t, _)| *t < slot_end);
        let (file, tail) = rest.split_at(n);
        let delivered = slot_end + MINUTE * (1 + rng.below(4) as i64);
        let key = file_key(account, region, delivered, &mut rng);
        // The record is deleted only from a file that keeps others (an emptied file would have been removed).
        let deleted = deleted_at.filter(|at| file.len() > 1 && file.iter().any(|(t, _)| t == at));
        let sha256_hex = write_file(out, &key, file, deleted)?;
        files.push(LogFile {
            key,
            delivered_secs: delivered,
            sha256_hex,
            event_span_secs: (file[0].0, file[file.len() - 1].0),
        });
        stats.files += 1;
        for (_, r) in file.iter().filter(|(t, _)| Some(*t) != deleted) {
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
    Ok((stats, files))
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

    #[test]
    fn files_gzipped_one_after_another_each_read_back_whole_and_the_same_every_run() {
        use std::io::Read;
        let first = br#"{"Records":[{"eventName":"ListBuckets"}]}"#.repeat(200);
        let second = br#"{"Records":[]}"#.to_vec();
        let (a, b, again) = (
            gzip(&first).expect("gzip"),
            gzip(&second).expect("gzip"),
            gzip(&first).expect("gzip"),
        );
        assert_eq!(
            a, again,
            "the same bytes for the same file, whatever came before"
        );
        for (gz, plain) in [(&a, &first), (&b, &second)] {
            // One gzip member each, read back by a standard gzip reader (which checks the CRC and size).
            let mut read = Vec::new();
            flate2::read::GzDecoder::new(gz.as_slice())
                .read_to_end(&mut read)
                .expect("a valid gzip member with its CRC and size");
            assert_eq!(&read, plain);
        }
    }
}
