//! Raw records: the full CloudTrail JSON of a stored event, read back from its block.
use super::event_id::EventIdKey;
use super::segments::{BlockRef, open_segment, read_block_from};
use super::writer::CODEC_GZIP_LOG;
use super::{Store, StoreError};
use crate::ssr::logs::gzip::gunzip_into;
use crate::ssr::logs::record_size::record_spans;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;
use std::collections::VecDeque;
use std::fs::File;
use std::path::PathBuf;

/// Where a stored event's record is: its block and its index in the block's `Records`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordAt {
    /// The `blocks` row ID of the raw-record block holding the log file.
    pub block: i64,
    /// The record's index in the file's `Records` array, from 0.
    pub ordinal: u32,
}

/// Reads records, keeping the blocks decompressed last up to [`KEPT_BYTES`]: records read in time order come
/// from the files of the same few deliveries (one per account-Region and delivery interval), so each block is
/// mostly decompressed and split once.
pub struct RecordReader {
    blocks_dir: PathBuf,
    decoded: VecDeque<(i64, Decoded)>,
    /// The bytes `decoded` holds (its buffers' capacities).
    kept_bytes: usize,
    /// [`KEPT_BYTES`], but for tests.
    kept_bytes_max: usize,
    /// The segment file read last, kept open (blocks read in order are mostly in the same few segments).
    segment: Option<(u32, File)>,
    /// The compressed bytes of the block read last; the allocation is reused.
    compressed: Vec<u8>,
}

/// A decompressed block: the log file's text and the byte range of each record in its `Records`.
#[derive(Default)]
struct Decoded {
    json: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

/// Most bytes of decompressed blocks a reader keeps for the records read next, beyond the block it reads from.
/// Bytes, not blocks: a log file is 1 KB to tens of MB decompressed. Issue 16: 256 blocks of any size held
/// 125 MB per reader in an evaluation of 300,000 new events (heaptrack); several readers run at once (findings,
/// exports, the event pages).
const KEPT_BYTES: usize = 24 << 20;

/// Largest buffers a dropped block lends to the next one decoded, in bytes.
const LENT_BYTES_MAX: usize = 4 << 20;

impl Decoded {
    /// The bytes it holds.
    fn bytes(&self) -> usize {
        self.json.capacity() + self.spans.capacity() * std::mem::size_of::<(usize, usize)>()
    }
}

impl RecordReader {
    /// A reader on `store`'s blocks, with nothing decoded yet.
    pub fn new(store: &Store) -> Self {
        Self {
            blocks_dir: store.blocks_dir(),
            decoded: VecDeque::new(),
            kept_bytes: 0,
            kept_bytes_max: KEPT_BYTES,
            segment: None,
            compressed: Vec::new(),
        }
    }

    /// The record at `at`, as CloudTrail wrote it.
    ///
    /// Errors: [`StoreError`] when the block cannot be read or decoded, or holds no such record.
    pub fn read(&mut self, conn: &Connection, at: RecordAt) -> Result<Value, StoreError> {
        let text = self.read_text(conn, at)?;
        serde_json::from_str(text).map_err(|why| {
            StoreError::Corrupt(format!(
                "block {} record {} cannot be read: {why}",
                at.block, at.ordinal
            ))
        })
    }

    /// The JSON text of the record at `at`, as CloudTrail wrote it (not parsed: the findings evaluation parses
    /// only the fields its rules read).
    ///
    /// Errors: [`StoreError`] when the block cannot be read or decoded, or holds no such record, or the record
    /// is not UTF-8.
    pub fn read_text(&mut self, conn: &Connection, at: RecordAt) -> Result<&str, StoreError> {
        // From the newest: records read in order come mostly from the blocks decoded last.
        let index = match self.decoded.iter().rposition(|(id, _)| *id == at.block) {
            Some(i) => i,
            None => {
                // Blocks dropped to stay within the bound; the last one lends its buffers to the one decoded.
                let mut spare = None;
                while self.kept_bytes > self.kept_bytes_max {
                    let Some((_, dropped)) = self.decoded.pop_front() else {
                        break;
                    };
                    self.kept_bytes -= dropped.bytes();
                    // A large buffer is freed rather than kept for a block of any size.
                    spare = Some(dropped).filter(|d| d.bytes() <= LENT_BYTES_MAX);
                }
                let decoded = self.decode(conn, at.block, spare.unwrap_or_default())?;
                self.kept_bytes += decoded.bytes();
                self.decoded.push_back((at.block, decoded));
                self.decoded.len() - 1
            }
        };
        let decoded = &self.decoded[index].1;
        let Some(&(start, end)) = decoded.spans.get(at.ordinal as usize) else {
            return Err(StoreError::Corrupt(format!(
                "block {} has no record {}",
                at.block, at.ordinal
            )));
        };
        std::str::from_utf8(&decoded.json[start..end]).map_err(|why| {
            StoreError::Corrupt(format!(
                "block {} record {} cannot be read: {why}",
                at.block, at.ordinal
            ))
        })
    }

    fn decode(
        &mut self,
        conn: &Connection,
        block_id: i64,
        mut decoded: Decoded,
    ) -> Result<Decoded, StoreError> {
        let (codec, block) = conn
            .prepare_cached("SELECT codec, segment, offset, length FROM blocks WHERE id = ?1")?
            .query_row([block_id], |r| {
                let block = BlockRef {
                    segment: r.get(1)?,
                    offset: r.get::<_, i64>(2)? as u64,
                    length: r.get::<_, i64>(3)? as u64,
                };
                Ok((r.get::<_, i64>(0)?, block))
            })?;
        let corrupt = |why: String| StoreError::Corrupt(format!("block {block_id}: {why}"));
        if codec != CODEC_GZIP_LOG {
            return Err(corrupt(format!("unknown codec {codec}")));
        }
        let file = match self.segment.take() {
            Some((segment, file)) if segment == block.segment => file,
            _ => open_segment(&self.blocks_dir, block.segment)?,
        };
        let read = read_block_from(&file, block, &mut self.compressed);
        self.segment = Some((block.segment, file));
        read?;
        // A block is a log file ingest accepted within its bound; a bound lowered since must not hide it.
        gunzip_into(&self.compressed, usize::MAX, &mut decoded.json)
            .map_err(|e| corrupt(e.to_string()))?;
        // Record by record: one that serde_json cannot read (nested past its recursion limit) fails alone.
        decoded.spans = record_spans(&decoded.json);
        Ok(decoded)
    }
}

/// Where the event with `event_id` is kept, or `None` when the store does not hold it.
pub fn locate(conn: &Connection, event_id: &str) -> Result<Option<RecordAt>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT block, ordinal FROM events WHERE event_id = ?1")?
        .query_row([EventIdKey::new(event_id.to_owned())], |r| {
            Ok(RecordAt {
                block: r.get(0)?,
                ordinal: r.get(1)?,
            })
        })
        .optional()?)
}

/// The record of the event with `event_id` as CloudTrail wrote it, or `None` when the store does not hold it.
pub fn raw_record(store: &Store, event_id: &str) -> Result<Option<Value>, StoreError> {
    store.read(|conn| {
        locate(conn, event_id)?
            .map(|at| RecordReader::new(store).read(conn, at))
            .transpose()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::demo::{DemoOptions, write_demo};
    use crate::ssr::ingest::{IngestLimits, ingest_into};
    use std::collections::HashSet;

    /// A reader that can keep no block but the one it reads from (every read in time order decodes a block
    /// again, lending the dropped one's buffers) still gives each event its own record.
    #[test]
    fn a_reader_past_its_bound_still_reads_each_record_right() {
        let dir = tempfile::tempdir().expect("temp dir");
        let options = DemoOptions {
            seed: 5,
            days: 1,
            events: 1_500,
            end: 1_793_491_200,
        };
        write_demo(&dir.path().join("archive"), &options).expect("demo");
        let store = Store::open_in(&dir.path().join("data")).expect("store");
        ingest_into(
            &store,
            &dir.path().join("archive"),
            &IngestLimits::default(),
            &mut |_| {},
        )
        .expect("ingest");
        let mut tight = RecordReader::new(&store);
        tight.kept_bytes_max = 0;
        let (ids, blocks) = store
            .read(|conn| {
                let mut stmt =
                    conn.prepare("SELECT block, ordinal FROM events ORDER BY event_time, id")?;
                let places = stmt
                    .query_map([], |r| {
                        Ok(RecordAt {
                            block: r.get(0)?,
                            ordinal: r.get(1)?,
                        })
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                let mut ids = HashSet::new();
                for at in &places {
                    let record = tight.read(conn, *at)?;
                    assert_eq!(record, RecordReader::new(&store).read(conn, *at)?, "{at:?}");
                    ids.insert(record["eventID"].as_str().expect("eventID").to_owned());
                }
                let blocks: HashSet<i64> = places.iter().map(|at| at.block).collect();
                Ok::<_, StoreError>((ids, blocks.len()))
            })
            .expect("read");
        assert!(ids.len() > 1_000, "{} records", ids.len());
        assert!(blocks > 10, "{blocks} blocks");
        assert!(tight.decoded.len() <= 1);
    }
}
