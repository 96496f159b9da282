//! What the store is made of, for the Settings page and operators: each SQLite file's schema version beside the
//! one this build migrates to, and the bytes on disk.
use super::{Store, StoreError, auth_schema, schema};
use crate::model::admin::{StoreFile, StoreInfo};
use std::path::Path;

fn file_bytes(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// The store's files, versions and sizes. Errors: the SQL reading a file's version failed.
pub fn info(store: &Store) -> Result<StoreInfo, StoreError> {
    let events = StoreFile {
        name: name_of(store.path()),
        schema_version: store.read(schema::version)?,
        known_schema_version: schema::known_version(),
        bytes: file_bytes(store.path()),
    };
    let auth_file = store.auth();
    let auth = StoreFile {
        name: name_of(auth_file.path()),
        schema_version: auth_file.read(schema::version)?,
        known_schema_version: auth_schema::known_version(),
        bytes: file_bytes(auth_file.path()),
    };
    let segment_bytes = std::fs::read_dir(store.blocks_dir())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| file_bytes(&e.path()))
                .sum()
        })
        .unwrap_or(0);
    Ok(StoreInfo {
        files: vec![events, auth],
        segment_bytes,
    })
}
