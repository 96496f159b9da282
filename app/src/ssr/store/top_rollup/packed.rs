//! How `rollup_top.entries` packs a period's entries: in entry order, each as LEB128 varints of the value's
//! difference from the previous entry's value, its account, then a flags byte and the count. About 5 bytes an
//! entry, where the fixed width of the builds before [`MIGRATION`] took 25: the top-10 lists and their totals
//! read a fifth of the bytes (the source IP list of 90 days was 6 MB per request on the 10M-event bench store).
use super::{Counts, Entry};
use crate::ssr::store::StoreError;
use rusqlite::{OptionalExtension, Transaction, params};

/// Bytes of one entry of the fixed width the builds before [`MIGRATION`] wrote: value, account (i64 LE), flags
/// (u8), count (u64 LE).
const FIXED_ENTRY_BYTES: usize = 8 + 8 + 1 + 8;

/// [`REPACK_PENDING`] as a literal, so [`MIGRATION`] can `concat!` it.
macro_rules! repack_key {
    () => {
        "rollup_top_repack"
    };
}

/// The `meta` key [`MIGRATION`] sets when the store's `rollup_top` rows are of the fixed width.
pub const REPACK_PENDING: &str = repack_key!();

/// The migration after which `rollup_top` rows are packed as varints: it asks for the rows a store already has
/// to be repacked when it next opens (`top_rollup::upgrade`). Builds before it refuse to open the store; one
/// already running when it is upgraded would misread the packed rows and write rows this build misreads, so stop
/// older builds before a newer one opens the store (docs/deploy.md).
pub const MIGRATION: &str = concat!(
    "-- rollup_top entries as varints (issue 16; store/top_rollup/packed.rs)
INSERT OR REPLACE INTO meta (key, value)
  SELECT '",
    repack_key!(),
    "', 'pending' WHERE EXISTS (SELECT 1 FROM rollup_top);\n"
);

/// `counts` packed, in entry order.
pub(super) fn encode(counts: &Counts) -> Vec<u8> {
    let mut entries: Vec<(&Entry, &u64)> = counts.iter().collect();
    entries.sort_unstable();
    let mut blob = Vec::with_capacity(entries.len() * 6);
    let mut previous = 0i64;
    for (entry, count) in entries {
        put(&mut blob, entry.value.wrapping_sub(previous) as u64);
        put(&mut blob, entry.account as u64);
        blob.push(entry.flags);
        put(&mut blob, *count);
        previous = entry.value;
    }
    blob
}

/// Appends `n` to `blob` as a LEB128 varint.
fn put(blob: &mut Vec<u8>, n: u64) {
    // Writing to a Vec cannot fail.
    let _ = leb128::write::unsigned(blob, n);
}

/// Calls `each` with every entry of a packed blob. Errors: [`StoreError::Corrupt`] when it ends inside an entry
/// or holds a number of more than 64 bits.
pub(super) fn decode(blob: &[u8], mut each: impl FnMut(Entry, u64)) -> Result<(), StoreError> {
    let corrupt = |e: leb128::read::Error| {
        StoreError::Corrupt(format!("rollup_top entries cannot be read: {e}"))
    };
    let mut rest = blob;
    let mut previous = 0i64;
    while !rest.is_empty() {
        let value =
            previous.wrapping_add(leb128::read::unsigned(&mut rest).map_err(corrupt)? as i64);
        let account = leb128::read::unsigned(&mut rest).map_err(corrupt)? as i64;
        let Some((&flags, after)) = rest.split_first() else {
            return Err(StoreError::Corrupt(
                "rollup_top entries end inside an entry".to_owned(),
            ));
        };
        rest = after;
        let count = leb128::read::unsigned(&mut rest).map_err(corrupt)?;
        each(
            Entry {
                value,
                account,
                flags,
            },
            count,
        );
        previous = value;
    }
    Ok(())
}

/// `error` with the `rollup_top` row it is about (`row`: its span, period and list) before a
/// [`StoreError::Corrupt`]'s text; other errors as they are.
pub(super) fn in_row(error: StoreError, row: &str) -> StoreError {
    match error {
        StoreError::Corrupt(reason) => {
            StoreError::Corrupt(format!("rollup_top row ({row}): {reason}"))
        }
        other => other,
    }
}

/// The entries of a blob of the fixed width. Errors: [`StoreError::Corrupt`] when it is not whole entries.
fn decode_fixed(blob: &[u8]) -> Result<Counts, StoreError> {
    if !blob.len().is_multiple_of(FIXED_ENTRY_BYTES) {
        return Err(StoreError::Corrupt(format!(
            "rollup_top entries of {} bytes are not whole entries",
            blob.len()
        )));
    }
    let int = |bytes: &[u8]| {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(bytes);
        raw
    };
    Ok(blob
        .chunks_exact(FIXED_ENTRY_BYTES)
        .map(|chunk| {
            let entry = Entry {
                value: i64::from_le_bytes(int(&chunk[0..8])),
                account: i64::from_le_bytes(int(&chunk[8..16])),
                flags: chunk[16],
            };
            (entry, u64::from_le_bytes(int(&chunk[17..25])))
        })
        .collect())
}

/// `entries` (one list of one period) as the builds before [`MIGRATION`] wrote them, in entry order: what a test
/// of the repack starts from.
#[cfg(test)]
pub fn encode_fixed(mut entries: Vec<(Entry, u64)>) -> Vec<u8> {
    entries.sort_unstable();
    let mut fixed = Vec::with_capacity(entries.len() * FIXED_ENTRY_BYTES);
    for (entry, n) in entries {
        fixed.extend_from_slice(&entry.value.to_le_bytes());
        fixed.extend_from_slice(&entry.account.to_le_bytes());
        fixed.push(entry.flags);
        fixed.extend_from_slice(&n.to_le_bytes());
    }
    fixed
}

/// Repacks every `rollup_top` row of the fixed width (`upgrade`, once [`MIGRATION`] asked for it), one row at a
/// time. Errors: SQLite's, or [`StoreError::Corrupt`] for a row that is not whole entries.
pub(super) fn repack(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut after = (i64::MIN, i64::MIN, i64::MIN);
    loop {
        // One row at a time, in key order: memory stays that of one row.
        let row: Option<(i64, i64, i64, Vec<u8>)> = tx
            .prepare_cached(
                "SELECT span, period, dimension, entries FROM rollup_top
                 WHERE (span, period, dimension) > (?1, ?2, ?3) ORDER BY span, period, dimension LIMIT 1",
            )?
            .query_row(params![after.0, after.1, after.2], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((span, period, dimension, fixed)) = row else {
            break;
        };
        let entries = decode_fixed(&fixed).map_err(|e| {
            in_row(
                e,
                &format!("span {span}, period {period}, list {dimension}"),
            )
        })?;
        tx.prepare_cached(
            "UPDATE rollup_top SET entries = ?4 WHERE span = ?1 AND period = ?2 AND dimension = ?3",
        )?
        .execute(params![span, period, dimension, encode(&entries)])?;
        after = (span, period, dimension);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(value: i64, account: i64, flags: u8) -> Entry {
        Entry {
            value,
            account,
            flags,
        }
    }

    fn decoded(blob: &[u8]) -> Result<Counts, StoreError> {
        let mut counts = Counts::default();
        decode(blob, |e, n| {
            counts.insert(e, n);
        })?;
        Ok(counts)
    }

    #[test]
    fn entries_come_back_as_they_were_packed_whatever_their_values() {
        let counts: Counts = [
            (entry(i64::MIN, 0, 0), 1),
            (entry(-5, 3, 1), u64::MAX),
            (entry(7, i64::MAX, 3), 0),
            (entry(7, i64::MIN, 2), 12),
            (entry(i64::MAX, 1, 1), 300),
        ]
        .into_iter()
        .collect();
        let blob = encode(&counts);
        assert_eq!(decoded(&blob).expect("decode"), counts);
        assert!(
            decoded(&encode(&Counts::default()))
                .expect("empty")
                .is_empty()
        );
        // Small values, as a store's string IDs are, take a few bytes an entry, not 25.
        let small: Counts = (1..=100).map(|v| (entry(v * 3, 0, 1), 2)).collect();
        assert_eq!(encode(&small).len(), 4 * 100);
        let fixed = encode_fixed(counts.clone().into_iter().collect());
        assert_eq!(decode_fixed(&fixed).expect("fixed"), counts);
    }

    #[test]
    fn a_cut_or_overlong_blob_is_reported_not_misread() {
        let blob = encode(&[(entry(1_000, 7, 1), 70_000)].into_iter().collect());
        for cut in 1..blob.len() {
            let result = decoded(&blob[..cut]);
            assert!(
                matches!(result, Err(StoreError::Corrupt(_))),
                "cut at {cut}: {result:?}"
            );
        }
        // Ten bytes that each say another follows, then a last one: more than 64 bits.
        let overlong = [0xff_u8; 10]
            .into_iter()
            .chain([0x7f, 0, 0, 1])
            .collect::<Vec<_>>();
        assert!(matches!(decoded(&overlong), Err(StoreError::Corrupt(_))));
        assert!(matches!(
            decode_fixed(&[0; 30]),
            Err(StoreError::Corrupt(_))
        ));
    }
}
