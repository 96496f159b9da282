//! How event IDs are keyed. CloudTrail event IDs are lower-case UUIDs; stored as 16-byte blobs they make the
//! unique index less than half as large and inserts measurably faster (`bench/ingest`). Anything else (IDs in
//! other shapes exist in documentation samples and other sources) is stored as text; SQLite never considers a
//! blob equal to a text, so both kinds stay unique.
use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlResult, ToSqlOutput, ValueRef};

#[derive(Clone, Debug, PartialEq, Eq)]
/// An event ID as the unique index keys it: a UUID as 16 bytes, anything else as text.
pub enum EventIdKey {
    /// A lower-case UUID, as its 16 bytes.
    Uuid([u8; 16]),
    /// Any other ID, as written.
    Text(String),
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

impl EventIdKey {
    /// The key of `id`: [`EventIdKey::Uuid`] when it is a lower-case UUID, else [`EventIdKey::Text`].
    pub fn new(id: String) -> Self {
        match Self::parse_uuid(&id) {
            Some(bytes) => Self::Uuid(bytes),
            None => Self::Text(id),
        }
    }

    /// The 16 bytes of a canonical lower-case UUID (`8-4-4-4-12` hex digits), else `None`.
    fn parse_uuid(id: &str) -> Option<[u8; 16]> {
        let b = id.as_bytes();
        if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
            return None;
        }
        let mut digits = b
            .iter()
            .enumerate()
            .filter(|(i, _)| ![8, 13, 18, 23].contains(i))
            .map(|(_, d)| hex(*d));
        let mut out = [0u8; 16];
        for byte in &mut out {
            *byte = (digits.next()?? << 4) | digits.next()??;
        }
        Some(out)
    }
}

impl ToSql for EventIdKey {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Uuid(bytes) => ToSqlOutput::Borrowed(ValueRef::Blob(bytes)),
            Self::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
        })
    }
}

/// An event ID read back from the store, as CloudTrail wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEventId(pub String);

impl FromSql for StoredEventId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Blob(b) if b.len() == 16 => {
                let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
                Ok(Self(format!(
                    "{}-{}-{}-{}-{}",
                    &h[0..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..32]
                )))
            }
            other => String::column_result(other).map(Self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_become_blobs_and_read_back_unchanged() -> rusqlite::Result<()> {
        let conn = rusqlite::Connection::open_in_memory()?;
        conn.execute_batch("CREATE TABLE t (id ANY UNIQUE)")?;
        let ids = [
            "3c6b1bb0-5b6c-4f0e-a8b1-0123456789ab",
            "EXAMPLE8-9621-4d00-b913-beca2EXAMPLE",
            "3C6B1BB0-5B6C-4F0E-A8B1-0123456789AB",
            "short",
        ];
        for id in ids {
            conn.execute(
                "INSERT INTO t VALUES (?1)",
                [EventIdKey::new(id.to_owned())],
            )?;
        }
        assert!(matches!(
            EventIdKey::new(ids[0].to_owned()),
            EventIdKey::Uuid(_)
        ));
        assert!(
            matches!(EventIdKey::new(ids[2].to_owned()), EventIdKey::Text(_)),
            "upper case is kept as written"
        );
        let back: Vec<StoredEventId> = conn
            .prepare("SELECT id FROM t ORDER BY rowid")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        assert_eq!(back.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(), ids);
        assert!(
            conn.execute(
                "INSERT INTO t VALUES (?1)",
                [EventIdKey::new(ids[0].to_owned())]
            )
            .is_err(),
            "still unique"
        );
        Ok(())
    }
}
