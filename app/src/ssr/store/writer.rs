//! The event loader: stores parsed log files in one transaction per batch on the event file's one writer
//! connection, de-duplicating by event ID and keeping the rollups (hourly event counts, daily billing counts,
//! the top-10 lists' counts) in step with the events actually inserted. It holds that connection only while it
//! writes, so other writes take turns between batches.
use super::database::BulkCache;
use super::dictionary::{Code, Dictionary, Encoder};
use super::event_id::EventIdKey;
use super::segments::SegmentWriter;
use super::timeline_rollup::TimelineCounts;
use super::top_rollup::{Counted, TopCounts};
use super::{Database, Store, StoreError};
use crate::model::events::EventCategory;
use crate::model::time::{DAY, HOUR};
use crate::ssr::logs::record::{EventRow, IdentityCenterUser};
use rusqlite::{Connection, params};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// Codec of a block holding a delivered `.json.gz` log file unchanged.
pub const CODEC_GZIP_LOG: i64 = 1;
/// Origin of events read from a trail archive.
pub const ORIGIN_ARCHIVE: i64 = 0;
/// Events read from Event History (`LookupEvents`).
pub const ORIGIN_EVENT_HISTORY: i64 = 1;

/// An event as a parser thread hands it to the writer: string columns coded against the dictionary.
pub struct EncodedEvent {
    /// The record's position in its log file's `Records` array, from 0.
    pub ordinal: u32,
    /// `eventTime`: epoch seconds UTC.
    pub event_time: i64,
    /// `eventID`, packed for the unique index.
    pub event_id: EventIdKey,
    /// `recipientAccountId` (12-digit account ID), coded.
    pub account: Code,
    /// `awsRegion`, e.g. `us-east-1`, coded.
    pub region: Code,
    /// `eventSource`, e.g. `s3.amazonaws.com`, coded.
    pub event_source: Code,
    /// `eventName`, e.g. `PutObject`, coded.
    pub event_name: Code,
    /// `userIdentity.type`, e.g. `AssumedRole`, coded.
    pub identity_type: Option<Code>,
    /// `userIdentity.arn`, coded.
    pub identity_arn: Option<Code>,
    /// The readable principal (`alice`, `Role/session`, `root`, `ec2.amazonaws.com`, …), coded.
    pub identity_name: Option<Code>,
    /// `userIdentity.accessKeyId`, coded.
    pub access_key: Option<Code>,
    /// `sourceIPAddress` (an IP address or an AWS service name), coded.
    pub source_ip: Option<Code>,
    /// `userAgent`, coded.
    pub user_agent: Option<Code>,
    /// `errorCode`, when the call failed, coded.
    pub error_code: Option<Code>,
    /// `readOnly`; `None` when the record has none (e.g. Insights events).
    pub read_only: Option<bool>,
    /// `eventCategory`, e.g. Management or Data.
    pub category: EventCategory,
    /// (type, ARN) of the record's resources.
    pub resources: Vec<(Option<Code>, String)>,
    /// For a data event, the (resource type, bucket name or ARN) it is billed on
    /// (`model::billing::data_resource`).
    pub billing_resource: Option<(String, String)>,
    /// The IAM Identity Center user the request was made for (rare: kept as text).
    pub identity_center: Option<IdentityCenterUser>,
}

impl EncodedEvent {
    /// A parsed file's events, coded against the writer's dictionary (done by the parser threads).
    pub fn encode_all(rows: Vec<EventRow>, dictionary: &Dictionary) -> Vec<Self> {
        let encoder = dictionary.encoder();
        rows.into_iter()
            .map(|row| Self::encode(row, &encoder))
            .collect()
    }

    /// One parsed row coded against the dictionary.
    pub fn encode(row: EventRow, encoder: &Encoder<'_>) -> Self {
        Self {
            ordinal: row.ordinal,
            event_time: row.event_time,
            event_id: EventIdKey::new(row.event_id),
            account: encoder.code(row.account_id),
            region: encoder.code(row.region),
            event_source: encoder.code(row.event_source),
            event_name: encoder.code(row.event_name),
            identity_type: encoder.code_opt(row.identity_type),
            identity_arn: encoder.code_opt(row.identity_arn),
            identity_name: encoder.code_opt(row.identity_name),
            access_key: encoder.code_opt(row.access_key_id),
            source_ip: encoder.code_opt(row.source_ip),
            user_agent: encoder.code_opt(row.user_agent),
            error_code: encoder.code_opt(row.error_code),
            read_only: row.read_only,
            category: row.category,
            billing_resource: if row.category == EventCategory::Data {
                crate::model::billing::data_resource(&row.resources)
            } else {
                None
            },
            resources: row
                .resources
                .into_iter()
                .map(|(kind, arn)| (encoder.code_opt(kind), arn))
                .collect(),
            identity_center: row.identity_center,
        }
    }
}

/// One log file ready to store: its key, its compressed bytes (kept as the raw-record block) and its events.
pub struct BatchFile {
    /// The object key (or archive path) of the log file.
    pub key: String,
    /// The file as delivered: gzip-compressed JSON bytes.
    pub gz_bytes: Vec<u8>,
    /// The records of the file that could be stored.
    pub events: Vec<EncodedEvent>,
    /// Records that could not be stored (their reasons are in `problem`).
    pub rejected_records: u32,
    /// Why some records were not stored, if any (kept with the file).
    pub problem: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
/// What storing one batch did.
pub struct BatchOutcome {
    /// Log files stored.
    pub files: u64,
    /// Events inserted.
    pub events: u64,
    /// Events not inserted because their event ID was already stored.
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

/// Stores batches of parsed log files in the event file (one per ingest or sync run), keeping its copy of the
/// string dictionary in step with what it inserts.
pub struct EventWriter {
    /// The event file, written through its one writer connection.
    events: Arc<Database>,
    dictionary: Dictionary,
    segments: SegmentWriter,
    /// The segment folder, named when writing to it fails.
    blocks_dir: PathBuf,
    /// `user_agents` as stored, so each event does not look it up.
    user_agents: HashSet<i64>,
    /// Identity Center user IDs this writer has recorded, so records without a new name skip the table.
    identity_center_seen: HashSet<String>,
    /// The writer connection's large page cache, for as long as this writer lives.
    _bulk_cache: BulkCache,
}

fn load_user_agents(conn: &Connection) -> rusqlite::Result<HashSet<i64>> {
    conn.prepare("SELECT id FROM user_agents")?
        .query_map([], |r| r.get(0))?
        .collect()
}

const INSERT_EVENT: &str = "INSERT OR IGNORE INTO events (event_time, event_id, account, region, event_source,
  event_name, identity_type, identity_arn, identity_name, access_key, source_ip, user_agent, error_code,
  read_only, category, origin, block, ordinal)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

impl EventWriter {
    /// A writer on `store`'s event file, loading its dictionary.
    ///
    /// Errors: [`StoreError`] when the dictionary cannot be read.
    pub fn new(store: &Store) -> Result<Self, StoreError> {
        let events = store.events.clone();
        let bulk_cache = BulkCache::new(&events);
        let (dictionary, user_agents) = events.write(|conn| {
            Ok::<_, StoreError>((Dictionary::load(conn)?, load_user_agents(conn)?))
        })?;
        let blocks_dir = store.blocks_dir();
        let segments = SegmentWriter::open(&blocks_dir)
            .map_err(|e| StoreError::from(e).naming_path(events.path(), &blocks_dir))?;
        Ok(Self {
            events,
            dictionary,
            segments,
            blocks_dir,
            user_agents,
            identity_center_seen: HashSet::new(),
            _bulk_cache: bulk_cache,
        })
    }

    /// The dictionary parser threads encode against.
    pub fn dictionary(&self) -> &Dictionary {
        &self.dictionary
    }

    /// Keys of the archive files already stored.
    pub fn known_keys(&self) -> Result<HashSet<String>, StoreError> {
        self.events.write(|conn| {
            let mut stmt = conn.prepare("SELECT key FROM files")?;
            let keys = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(keys)
        })
    }

    /// Whether the archive file `key` is stored.
    pub fn is_stored(&self, key: &str) -> Result<bool, StoreError> {
        self.events.write(|conn| {
            Ok(conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM files WHERE key = ?1)")?
                .query_row([key], |r| r.get(0))?)
        })
    }

    /// Drops the search indexes when the store holds no event yet, to build them once by sorting at the end
    /// (`restore_search_indexes`) instead of row by row: a first load runs about twice as fast (BENCHMARKS.md).
    /// Returns whether it did. A load that dies before the end has them rebuilt when the store next opens.
    pub fn defer_search_indexes(&self) -> Result<bool, StoreError> {
        let deferred = self.events.write(|conn| {
            let empty: bool =
                conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM events)", [], |r| r.get(0))?;
            if empty {
                super::schema::drop_search_indexes(conn)?;
            }
            Ok(empty)
        });
        deferred.map_err(|e| self.naming_path(e))
    }

    /// Builds the search indexes that are missing, one at a time, so other writes take turns between them.
    pub fn restore_search_indexes(&self) -> Result<(), StoreError> {
        for sql in super::schema::create_search_indexes() {
            self.events
                .write(|conn| conn.execute_batch(&sql))
                .map_err(|e| self.naming_path(e.into()))?;
            crate::ssr::fault_point::reached(crate::ssr::fault_point::INDEX_BUILT);
        }
        Ok(())
    }

    /// Copies the WAL into the database file; ingest calls it last so its timing includes that work.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let checkpointed = self.events.write(|conn| {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        });
        checkpointed.map_err(|e| self.naming_path(e))
    }

    /// Stores `files` in one transaction. On error nothing of the batch is stored.
    pub fn write(&mut self, files: Vec<BatchFile>) -> Result<BatchOutcome, StoreError> {
        self.write_then(files, ORIGIN_ARCHIVE, |_| Ok(()))
    }

    /// Stores `files` as events of `origin` and runs `then` in the same transaction (sync moves its cursor
    /// there, so a page and its cursor commit together or not at all).
    pub fn write_then(
        &mut self,
        files: Vec<BatchFile>,
        origin: i64,
        then: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>,
    ) -> Result<BatchOutcome, StoreError> {
        let events = self.events.clone();
        let written = events.write(|conn| {
            let result = self.write_transaction(conn, files, origin, then);
            if result.is_err() {
                self.segments.discard();
                // The rolled-back transaction may have taken string IDs the cache now holds.
                self.dictionary.reload(conn)?;
                self.user_agents = load_user_agents(conn)?;
                self.identity_center_seen.clear();
            }
            result
        });
        written.map_err(|e| self.naming_path(e))
    }

    /// `error` of a write, naming the file or folder written.
    fn naming_path(&self, error: StoreError) -> StoreError {
        error.naming_path(self.events.path(), &self.blocks_dir)
    }

    fn write_transaction(
        &mut self,
        conn: &mut Connection,
        files: Vec<BatchFile>,
        origin: i64,
        then: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>,
    ) -> Result<BatchOutcome, StoreError> {
        let now = crate::ssr::clock::now_secs();
        let tx = conn.transaction()?;
        let mut outcome = BatchOutcome::default();
        let mut rollups: HashMap<RollupKey, i64> = HashMap::new();
        let mut billing: HashMap<super::volumes::RollupKey, i64> = HashMap::new();
        let mut top = TopCounts::default();
        let mut timeline = TimelineCounts::default();
        // Whether this batch recorded resource_arn::LISTED_TWICE_KEY (once is enough).
        let mut arn_listed_twice = false;
        {
            let mut insert_file = tx.prepare_cached(
                "INSERT INTO files (key, size_bytes, events, duplicates, rejected_records, problem, ingested_at)
                 VALUES (?1, ?2, 0, 0, ?3, ?4, ?5)",
            )?;
            let mut count_file =
                tx.prepare_cached("UPDATE files SET events = ?2, duplicates = ?3 WHERE id = ?1")?;
            let mut insert_block =
                tx.prepare_cached("INSERT INTO blocks (file, codec, segment, offset, length) VALUES (?1, ?2, ?3, ?4, ?5)")?;
            let mut insert_event = tx.prepare_cached(INSERT_EVENT)?;
            let mut insert_user_agent =
                tx.prepare_cached("INSERT OR IGNORE INTO user_agents (id) VALUES (?1)")?;
            let mut insert_resource = tx.prepare_cached(
                "INSERT INTO event_resources (event, event_time, type, arn_reversed) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for file in files {
                insert_file.execute(params![
                    file.key,
                    file.gz_bytes.len() as i64,
                    file.rejected_records,
                    file.problem,
                    now
                ])?;
                let file_id = tx.last_insert_rowid();
                let block = self.segments.append(&file.gz_bytes)?;
                insert_block.execute(params![
                    file_id,
                    CODEC_GZIP_LOG,
                    block.segment,
                    block.offset as i64,
                    block.length as i64
                ])?;
                let block_id = tx.last_insert_rowid();
                let (mut inserted, mut duplicates) = (0i64, 0i64);
                for e in file.events {
                    let d = &self.dictionary;
                    let account = d.resolve(&tx, e.account)?;
                    let region = d.resolve(&tx, e.region)?;
                    let read_only = e.read_only.map(i64::from);
                    let is_error = e.error_code.is_some();
                    let event_source = d.resolve(&tx, e.event_source)?;
                    let user_agent = d.resolve_opt(&tx, e.user_agent)?;
                    let counted = Counted {
                        event_time: e.event_time,
                        account,
                        read_only,
                        event_name: d.resolve(&tx, e.event_name)?,
                        event_source,
                        identity_name: d.resolve_opt(&tx, e.identity_name)?,
                        source_ip: d.resolve_opt(&tx, e.source_ip)?,
                        error_code: d.resolve_opt(&tx, e.error_code)?,
                        user_agent,
                    };
                    let changed = insert_event.execute(params![
                        e.event_time,
                        e.event_id,
                        account,
                        region,
                        event_source,
                        counted.event_name,
                        d.resolve_opt(&tx, e.identity_type)?,
                        d.resolve_opt(&tx, e.identity_arn)?,
                        counted.identity_name,
                        d.resolve_opt(&tx, e.access_key)?,
                        counted.source_ip,
                        user_agent,
                        counted.error_code,
                        read_only,
                        i64::from(e.category.code()),
                        origin,
                        block_id,
                        e.ordinal,
                    ])?;
                    if let Some(user) = &e.identity_center
                        && (user.user_name.is_some()
                            || self.identity_center_seen.insert(user.user_id.clone()))
                    {
                        super::identity_center::remember(&tx, user, now)?;
                    }
                    if changed == 0 {
                        duplicates += 1;
                        continue;
                    }
                    inserted += 1;
                    top.add(&counted);
                    let event = tx.last_insert_rowid();
                    let mut resources: Vec<(Option<i64>, String)> =
                        Vec::with_capacity(e.resources.len());
                    for (kind, arn) in e.resources {
                        let resource = (d.resolve_opt(&tx, kind)?, arn);
                        // A record may name one resource twice (a copy within a bucket): one row each.
                        if !resources.contains(&resource) {
                            if !arn_listed_twice && resources.iter().any(|(_, a)| *a == resource.1)
                            {
                                // Under two types: an ARN filter must now group its rows by event.
                                tx.execute(
                                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, '1')",
                                    [super::resource_arn::LISTED_TWICE_KEY],
                                )?;
                                arn_listed_twice = true;
                            }
                            insert_resource.execute(params![
                                event,
                                e.event_time,
                                resource.0,
                                super::resource_arn::stored(&resource.1)
                            ])?;
                            resources.push(resource);
                        }
                    }
                    if let Some(id) = user_agent
                        && self.user_agents.insert(id)
                    {
                        insert_user_agent.execute([id])?;
                    }
                    let key = RollupKey {
                        hour: e.event_time.div_euclid(HOUR) * HOUR,
                        account,
                        region,
                        read_only: read_only.unwrap_or(2),
                        is_error: i64::from(is_error),
                        category: i64::from(e.category.code()),
                    };
                    *rollups.entry(key).or_default() += 1;
                    timeline.add(e.event_time, account, region, key.read_only, is_error);
                    let (resource_type, resource) = e.billing_resource.unwrap_or_default();
                    let key = super::volumes::RollupKey {
                        day: e.event_time.div_euclid(DAY) * DAY,
                        account,
                        region,
                        category: i64::from(e.category.code()),
                        read_only: read_only.unwrap_or(2),
                        event_source,
                        resource_type,
                        resource,
                    };
                    *billing.entry(key).or_default() += 1;
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
            super::volumes::add_to_rollup(&tx, &billing)?;
            super::account_regions::record(&tx, rollups.keys().map(|k| (k.account, k.region)))?;
        }
        top.write(&tx)?;
        timeline.write(&tx)?;
        then(&tx)?;
        self.segments.commit()?;
        tx.commit()?;
        Ok(outcome)
    }
}
