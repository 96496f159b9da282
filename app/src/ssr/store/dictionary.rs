//! The in-memory side of the `strings` table: the writer interns values without a query per lookup.
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;

#[derive(Default)]
pub struct Dictionary {
    ids: HashMap<String, i64>,
}

impl Dictionary {
    pub fn load(conn: &Connection) -> rusqlite::Result<Self> {
        let mut stmt = conn.prepare("SELECT id, value FROM strings")?;
        let ids = stmt
            .query_map([], |r| Ok((r.get(1)?, r.get(0)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Self { ids })
    }

    /// The ID of `value`, inserting it (inside the caller's transaction) when new.
    pub fn intern(&mut self, conn: &Connection, value: &str) -> rusqlite::Result<i64> {
        if let Some(id) = self.ids.get(value) {
            return Ok(*id);
        }
        conn.prepare_cached("INSERT INTO strings (value) VALUES (?1)")?
            .execute([value])?;
        let id = conn.last_insert_rowid();
        self.ids.insert(value.to_owned(), id);
        Ok(id)
    }

    pub fn intern_opt(
        &mut self,
        conn: &Connection,
        value: Option<&str>,
    ) -> rusqlite::Result<Option<i64>> {
        value.map(|v| self.intern(conn, v)).transpose()
    }
}

/// The ID of a string already in the store, for filters (`None`: no event can match).
pub fn lookup(conn: &Connection, value: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM strings WHERE value = ?1")?
        .query_row([value], |r| r.get(0))
        .optional()
}
