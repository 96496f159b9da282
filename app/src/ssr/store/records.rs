//! Raw records: the full CloudTrail JSON of a stored event, read back from its block.
use super::event_id::EventIdKey;
use super::segments::{BlockRef, read_block};
use super::writer::CODEC_GZIP_LOG;
use super::{Store, StoreError};
use crate::ssr::logs::gzip::gunzip;
use rusqlite::OptionalExtension;

/// The record of the event with `event_id` as CloudTrail wrote it, or `None` when the store does not hold it.
pub fn raw_record(store: &Store, event_id: &str) -> Result<Option<serde_json::Value>, StoreError> {
    let located = store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT b.codec, b.segment, b.offset, b.length, e.ordinal FROM events e JOIN blocks b ON b.id = e.block
             WHERE e.event_id = ?1",
        )?;
        Ok(stmt
            .query_row([EventIdKey::new(event_id.to_owned())], |r| {
                let block = BlockRef { segment: r.get(1)?, offset: r.get::<_, i64>(2)? as u64, length: r.get::<_, i64>(3)? as u64 };
                Ok((r.get::<_, i64>(0)?, block, r.get::<_, i64>(4)?))
            })
            .optional()?)
    })?;
    let Some((codec, block, ordinal)) = located else {
        return Ok(None);
    };
    if codec != CODEC_GZIP_LOG {
        return Err(StoreError::Corrupt(format!(
            "block of event {event_id} has unknown codec {codec}"
        )));
    }
    let json = gunzip(&read_block(&store.blocks_dir(), block)?)
        .map_err(|e| StoreError::Corrupt(format!("block of event {event_id}: {e}")))?;
    let mut file: serde_json::Value = serde_json::from_slice(&json)
        .map_err(|e| StoreError::Corrupt(format!("block of event {event_id}: {e}")))?;
    let record = file
        .get_mut("Records")
        .and_then(|r| r.get_mut(ordinal as usize))
        .map(serde_json::Value::take);
    record.map(Some).ok_or_else(|| {
        StoreError::Corrupt(format!("block of event {event_id} has no record {ordinal}"))
    })
}
