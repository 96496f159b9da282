//! The stored results of log file integrity validation: one row per archive, its
//! [`ArchiveStatus`](crate::model::integrity::status::ArchiveStatus) as JSON (every chain's digest hours and
//! problems), so the Integrity page answers without validating and the results survive restarts.
use super::{Store, StoreError};
use crate::model::integrity::status::ArchiveStatus;
use rusqlite::params;

fn corrupt(error: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("a stored integrity report does not parse: {error}"))
}

/// Stores `status` as what is known of its archive, replacing the previous. Errors: [`StoreError`].
pub fn save(store: &Store, status: &ArchiveStatus) -> Result<(), StoreError> {
    let json = serde_json::to_string(status).map_err(corrupt)?;
    store.write(|conn| {
        conn.execute(
            "INSERT INTO integrity_archives (source, validated_at, status) VALUES (?1, ?2, ?3)
             ON CONFLICT (source) DO UPDATE SET validated_at = excluded.validated_at, status = excluded.status",
            params![status.source, status.validated_at_secs, json],
        )?;
        Ok(())
    })
}

/// What is known of the archive `source` (as [`ArchiveStatus::source`] names it), if it was ever validated.
pub fn load(store: &Store, source: &str) -> Result<Option<ArchiveStatus>, StoreError> {
    let json: Option<String> = store.read(|conn| {
        let mut stmt =
            conn.prepare_cached("SELECT status FROM integrity_archives WHERE source = ?1")?;
        let mut rows = stmt.query([source])?;
        Ok(match rows.next()? {
            Some(row) => Some(row.get(0)?),
            None => None,
        })
    })?;
    json.map(|j| serde_json::from_str(&j).map_err(corrupt))
        .transpose()
}

/// Every archive ever validated, by source.
pub fn all(store: &Store) -> Result<Vec<ArchiveStatus>, StoreError> {
    let rows: Vec<String> = store.read(|conn| {
        let mut stmt =
            conn.prepare_cached("SELECT status FROM integrity_archives ORDER BY source")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    })?;
    rows.iter()
        .map(|j| serde_json::from_str(j).map_err(corrupt))
        .collect()
}
