//! Trail configuration snapshots in the store, newest last.
use super::{Store, StoreError};
use crate::model::trails::TrailsSnapshot;
use rusqlite::params;

/// Where a snapshot came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotSource {
    /// Read from AWS (`DescribeTrails`, `GetTrailStatus`, the selectors).
    Aws,
    /// Made up by the demo.
    Demo,
}

impl SnapshotSource {
    fn as_str(self) -> &'static str {
        match self {
            SnapshotSource::Aws => "aws",
            SnapshotSource::Demo => "demo",
        }
    }
}

fn corrupt(error: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("a stored trails snapshot does not parse: {error}"))
}

/// Appends `snapshot`, taken from `source`, as the newest. Errors: [`StoreError`] when it cannot be written.
pub fn save(
    store: &Store,
    source: SnapshotSource,
    snapshot: &TrailsSnapshot,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(snapshot).map_err(corrupt)?;
    store.write(|conn| {
        conn.execute(
            "INSERT INTO trail_snapshots (taken_at, source, snapshot) VALUES (?1, ?2, ?3)",
            params![snapshot.taken_at, source.as_str(), json],
        )?;
        Ok(())
    })
}

/// The newest snapshot, if any.
pub fn latest(store: &Store) -> Result<Option<TrailsSnapshot>, StoreError> {
    Ok(newest(store, 1)?.pop())
}

/// Up to `count` snapshots, oldest first, ending with the newest.
pub fn newest(store: &Store, count: u32) -> Result<Vec<TrailsSnapshot>, StoreError> {
    let rows: Vec<String> = store.read(|conn| {
        let mut stmt =
            conn.prepare_cached("SELECT snapshot FROM trail_snapshots ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt
            .query_map([count], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    })?;
    rows.iter()
        .rev()
        .map(|j| serde_json::from_str(j).map_err(corrupt))
        .collect()
}
