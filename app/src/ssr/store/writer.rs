//! The single writer: loads parsed log files in one transaction per batch, de-duplicating by event ID and
//! keeping the hourly rollups in step with the events actually inserted.
use super::dictionary::Dictionary;
use super::{Store, StoreError};
use crate::model::time::HOUR;
use crate::ssr::logs::record::EventRow;
use rusqlite::{Connection, params};
use std::collections::{HashMap, HashSet};

/// Codec of a block holding a delivered `.json.gz` log file unchanged.
pub const CODEC_GZIP_LOG: i64 = 1;
/// Origin of events read from a trail archive.
pub const ORIGIN_ARCHIVE: i64 = 0;

/// One log file ready to store: its key, its compressed bytes (kept as the raw-record block) and its events.
pub struct BatchFile {
    pub key: String,
    pub gz_bytes: Vec<u8>,
    pub events: Vec<EventRow>,
    pub rejected_records: u32,
    /// Why some records were not stored, if any (kept with the file).
    pub problem: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub files: u64,
    pub events: u64,
    pub duplicates: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct RollupKey {
    hour: i64,
    account: i64,
    region: i64,
    read_only: i64,
    is_error: i64,
    category: i64,
}

pub struct EventWriter {
    conn: Connection,
    dictionary: Dictionary,
}

const INSERT_EVENT: &str = "INSERT OR IGNORE INTO events (event_time, event_id, account, region, event_source,
  event_name, identity_type, identity_arn, identity_name, access_key, source_ip, user_agent, error_code,
  read_only, category, origin, block, ordinal)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

impl EventWriter {
    pub fn new(store: &Store) -> Result<Self, StoreError> {
        let conn = store.writer()?;
        let dictionary = Dictionary::load(&conn)?;
        Ok(Self { conn, dictionary })
    }

    /// Keys of the archive files already stored.
    pub fn known_keys(&self) -> Result<HashSet<String>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT key FROM files")?;
        let keys = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(keys)
    }

    /// Stores `files` in one transaction. On error nothing of the batch is stored.
    pub fn write(&mut self, files: &[BatchFile]) -> Result<BatchOutcome, StoreError> {
        let result = self.write_transaction(files);
        if result.is_err() {
            // The rolled-back transaction may have taken string IDs the cache now holds.
            self.dictionary = Dictionary::load(&self.conn)?;
        }
        result
    }

    fn write_transaction(&mut self, files: &[BatchFile]) -> Result<BatchOutcome, StoreError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let tx = self.conn.transaction()?;
        let mut outcome = BatchOutcome::default();
        let mut rollups: HashMap<RollupKey, i64> = HashMap::new();
        {
            let mut insert_file = tx.prepare_cached(
                "INSERT INTO files (key, size_bytes, events, duplicates, rejected_records, problem, ingested_at)
                 VALUES (?1, ?2, 0, 0, ?3, ?4, ?5)",
            )?;
            let mut count_file =
                tx.prepare_cached("UPDATE files SET events = ?2, duplicates = ?3 WHERE id = ?1")?;
            let mut insert_block =
                tx.prepare_cached("INSERT INTO blocks (file, codec, data) VALUES (?1, ?2, ?3)")?;
            let mut insert_event = tx.prepare_cached(INSERT_EVENT)?;
            for file in files {
                insert_file.execute(params![
                    file.key,
                    file.gz_bytes.len() as i64,
                    file.rejected_records,
                    file.problem,
                    now
                ])?;
                let file_id = tx.last_insert_rowid();
                insert_block.execute(params![file_id, CODEC_GZIP_LOG, file.gz_bytes])?;
                let block_id = tx.last_insert_rowid();
                let (mut inserted, mut duplicates) = (0i64, 0i64);
                for e in &file.events {
                    let d = &mut self.dictionary;
                    let account = d.intern(&tx, &e.account_id)?;
                    let region = d.intern(&tx, &e.region)?;
                    let read_only = e.read_only.map(i64::from);
                    let changed = insert_event.execute(params![
                        e.event_time,
                        e.event_id,
                        account,
                        region,
                        d.intern(&tx, &e.event_source)?,
                        d.intern(&tx, &e.event_name)?,
                        d.intern_opt(&tx, e.identity_type.as_deref())?,
                        d.intern_opt(&tx, e.identity_arn.as_deref())?,
                        d.intern_opt(&tx, e.identity_name.as_deref())?,
                        d.intern_opt(&tx, e.access_key_id.as_deref())?,
                        d.intern_opt(&tx, e.source_ip.as_deref())?,
                        d.intern_opt(&tx, e.user_agent.as_deref())?,
                        d.intern_opt(&tx, e.error_code.as_deref())?,
                        read_only,
                        e.category as i64,
                        ORIGIN_ARCHIVE,
                        block_id,
                        e.ordinal,
                    ])?;
                    if changed == 0 {
                        duplicates += 1;
                        continue;
                    }
                    inserted += 1;
                    let key = RollupKey {
                        hour: e.event_time.div_euclid(HOUR) * HOUR,
                        account,
                        region,
                        read_only: read_only.unwrap_or(2),
                        is_error: i64::from(e.error_code.is_some()),
                        category: e.category as i64,
                    };
                    *rollups.entry(key).or_default() += 1;
                }
                count_file.execute(params![file_id, inserted, duplicates])?;
                outcome.files += 1;
                outcome.events += inserted as u64;
                outcome.duplicates += duplicates as u64;
            }
            let mut upsert = tx.prepare_cached(
                "INSERT INTO rollup_hourly (hour, account, region, read_only, is_error, category, events)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT DO UPDATE SET events = events + excluded.events",
            )?;
            for (k, n) in &rollups {
                upsert.execute(params![
                    k.hour,
                    k.account,
                    k.region,
                    k.read_only,
                    k.is_error,
                    k.category,
                    n
                ])?;
            }
        }
        tx.commit()?;
        Ok(outcome)
    }
}
