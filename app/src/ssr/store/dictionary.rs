//! The `strings` table in memory, shared by ingest's threads: parsers look values up (one read lock per file)
//! and hand the writer IDs, so the single writer neither hashes nor frees the strings of known values. Only
//! the writer adds values, inside its transaction, so an ID is never used before its string is stored.
use rusqlite::{Connection, OptionalExtension};
use rustc_hash::FxHashMap;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

type Ids = FxHashMap<Box<str>, i64>;

#[derive(Clone, Default)]
/// The `strings` table in memory: each distinct string column value (account IDs, event names, ARNs…) and its
/// ID, so events store integers.
pub struct Dictionary {
    ids: Arc<RwLock<Ids>>,
}

/// A string column value on its way to the writer: already in the store, or to be added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Code {
    /// Already in `strings`, with this ID.
    Id(i64),
    /// Not yet in `strings`; the writer adds it.
    New(String),
}

/// A parser's view of the dictionary while it encodes one file.
pub struct Encoder<'a> {
    ids: RwLockReadGuard<'a, Ids>,
}

impl Encoder<'_> {
    /// `value`'s code: its ID when the dictionary knows it, else the string to add.
    pub fn code(&self, value: String) -> Code {
        match self.ids.get(value.as_str()) {
            Some(id) => Code::Id(*id),
            None => Code::New(value),
        }
    }

    /// [`Encoder::code`] of an optional value.
    pub fn code_opt(&self, value: Option<String>) -> Option<Code> {
        value.map(|v| self.code(v))
    }
}

fn read_all(conn: &Connection) -> rusqlite::Result<Ids> {
    let mut stmt = conn.prepare("SELECT id, value FROM strings")?;
    stmt.query_map([], |r| {
        Ok((r.get::<_, String>(1)?.into_boxed_str(), r.get(0)?))
    })?
    .collect()
}

impl Dictionary {
    /// Reads the whole `strings` table. Errors: SQLite's.
    pub fn load(conn: &Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            ids: Arc::new(RwLock::new(read_all(conn)?)),
        })
    }

    /// Re-reads the table, dropping IDs a rolled-back transaction had taken.
    pub fn reload(&self, conn: &Connection) -> rusqlite::Result<()> {
        *self.ids.write().unwrap_or_else(PoisonError::into_inner) = read_all(conn)?;
        Ok(())
    }

    /// Codes values against the dictionary as it is now (holds a read lock while it lives).
    pub fn encoder(&self) -> Encoder<'_> {
        Encoder {
            ids: self.ids.read().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// The ID of a coded value, adding a new one inside the caller's transaction. Another process may have
    /// added the same value meanwhile; then its ID is used.
    pub fn resolve(&self, conn: &Connection, code: Code) -> rusqlite::Result<i64> {
        let value = match code {
            Code::Id(id) => return Ok(id),
            Code::New(value) => value,
        };
        if let Some(id) = self
            .ids
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(value.as_str())
        {
            return Ok(*id);
        }
        let added = conn
            .prepare_cached(
                "INSERT INTO strings (value) VALUES (?1) ON CONFLICT (value) DO NOTHING",
            )?
            .execute([&value])?;
        let id = if added == 1 {
            conn.last_insert_rowid()
        } else {
            lookup(conn, &value)?.unwrap_or_default()
        };
        self.ids
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(value.into_boxed_str(), id);
        Ok(id)
    }

    /// [`Dictionary::resolve`] of an optional code. Errors: SQLite's.
    pub fn resolve_opt(
        &self,
        conn: &Connection,
        code: Option<Code>,
    ) -> rusqlite::Result<Option<i64>> {
        code.map(|c| self.resolve(conn, c)).transpose()
    }
}

/// The ID of a string already in the store, for filters (`None`: no event can match).
pub fn lookup(conn: &Connection, value: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM strings WHERE value = ?1")?
        .query_row([value], |r| r.get(0))
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_are_coded_as_ids_and_new_ones_added_once() -> rusqlite::Result<()> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch("CREATE TABLE strings (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE); INSERT INTO strings VALUES (7, 'us-east-1');")?;
        let dictionary = Dictionary::load(&conn)?;
        let (known, new) = {
            let encoder = dictionary.encoder();
            (
                encoder.code("us-east-1".into()),
                encoder.code("eu-west-1".into()),
            )
        };
        assert_eq!(known, Code::Id(7));
        let id = dictionary.resolve(&conn, new.clone())?;
        assert_eq!(
            dictionary.resolve(&conn, new)?,
            id,
            "a value coded New twice is added once"
        );
        assert_eq!(dictionary.encoder().code("eu-west-1".into()), Code::Id(id));
        // Added by another writer behind this dictionary's back: found, not duplicated.
        conn.execute("INSERT INTO strings (value) VALUES ('ap-south-1')", [])?;
        let other = dictionary.resolve(&conn, Code::New("ap-south-1".into()))?;
        assert_eq!(Some(other), lookup(&conn, "ap-south-1")?);
        Ok(())
    }
}
