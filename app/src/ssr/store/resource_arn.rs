//! How `event_resources` keys a resource's ARN: reversed, character by character, so that both filters a user
//! types are ranges of one index (`event_resources_by_reversed_arn`): an ARN is one key, and a bare name
//! (`prod-logs`, `reports/q3.csv`, `my-function`) is the ARNs ending in `/NAME` or `:NAME`, which reversed are the
//! keys starting with `EMAN/` or `EMAN:`. Before, a bare name was a `LIKE '%…'` over every resource row (0.7 s on
//! the 10M-event bench store). Only `event_resources` holds reversed ARNs; pages show ARNs from the records.
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension};

/// The SQL function [`upgrade`] calls (registered by [`register_sql_function`]): `TEXT -> TEXT`, the text's
/// characters in reverse order. No index or view uses it, so the file stays readable by any SQLite.
pub const SQL_FUNCTION: &str = "trailscope_reverse";

/// The event-file migration that marks ARNs as reversed: it moves the schema version past what older builds
/// write (they refuse the file rather than insert plain ARNs into it); [`upgrade`] does the work.
pub const MIGRATION: &str = "-- event_resources.arn_reversed: see resource_arn::upgrade";

/// `meta` key: `1` when some event of the file lists one ARN in two `event_resources` rows (a record naming it
/// under two resource types, or with a type and without one), `0` when none does. Only then must an ARN filter
/// group its rows by event to list and count each event once; grouping costs 13 of an ARN's 17 ms on 10M events.
pub const LISTED_TWICE_KEY: &str = "arn_listed_twice";

/// The event-file migration after which the writer keeps [`LISTED_TWICE_KEY`] (older builds would write such an
/// event without it, so they refuse the file); [`note_listed_twice`] records it for a file made before.
pub const LISTED_TWICE_MIGRATION: &str =
    "-- meta.arn_listed_twice: see resource_arn::note_listed_twice";

/// Records [`LISTED_TWICE_KEY`] when the file has none (a new file, or one made before it): one scan of
/// `event_resources_by_reversed_arn`, which must exist (1.2 s on the 4.0M resource rows of 10M events).
/// Errors: SQLite's.
pub fn note_listed_twice(conn: &Connection) -> rusqlite::Result<()> {
    // Read first: INSERT OR IGNORE would scan and take the write lock on every open.
    let noted: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = ?1)",
        [LISTED_TWICE_KEY],
        |r| r.get(0),
    )?;
    if noted {
        return Ok(());
    }
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value)
         SELECT ?1, EXISTS (SELECT 1 FROM event_resources INDEXED BY event_resources_by_reversed_arn
                            GROUP BY arn_reversed, event_time, event HAVING count(*) > 1)",
        [LISTED_TWICE_KEY],
    )?;
    Ok(())
}

/// Whether some event of the file lists an ARN in two rows ([`LISTED_TWICE_KEY`]); true when not recorded, as
/// grouping is right either way. Errors: SQLite's.
pub fn listed_twice(conn: &Connection) -> rusqlite::Result<bool> {
    let value: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([LISTED_TWICE_KEY], |r| r.get(0))
        .optional()?;
    Ok(value.as_deref() != Some("0"))
}

/// Turns an older file's `event_resources.arn` (plain ARNs) into `arn_reversed` in one transaction: drops the old
/// index, renames the column and reverses every row; `schema::migrate` then builds
/// `event_resources_by_reversed_arn` with the other missing search indexes. Does nothing when the column is
/// already `arn_reversed`, so running it twice is safe. Errors: SQLite's.
pub fn upgrade(conn: &mut Connection) -> rusqlite::Result<()> {
    let plain: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('event_resources') WHERE name = 'arn'",
        [],
        |r| r.get(0),
    )?;
    if !plain {
        return Ok(());
    }
    register_sql_function(conn)?;
    let tx = conn.transaction()?;
    tx.execute_batch(&format!(
        "DROP INDEX IF EXISTS event_resources_by_arn;
         ALTER TABLE event_resources RENAME COLUMN arn TO arn_reversed;
         UPDATE event_resources SET arn_reversed = {SQL_FUNCTION}(arn_reversed);"
    ))?;
    tx.commit()
}

/// `arn` as `event_resources.arn_reversed` holds it: its characters (Unicode scalar values, so the result is
/// text too) in reverse order.
pub fn stored(arn: &str) -> String {
    arn.chars().rev().collect()
}

/// The `[start, end)` ranges of `event_resources.arn_reversed` that hold the ARNs ending in `/name` or `:name`
/// (a bare resource name: `…:::bucket/key/name`, `…:function:name`, `arn:aws:s3:::name`). Case-sensitive, as
/// AWS resource names are. `/` and `:` are followed by `0` and `;` in byte order, so each range is one prefix.
pub fn name_ranges(name: &str) -> [(String, String); 2] {
    let reversed = stored(name);
    [('/', '0'), (':', ';')]
        .map(|(sep, next)| (format!("{reversed}{sep}"), format!("{reversed}{next}")))
}

/// The stored (reversed) ARNs of every resource whose ARN ends in `/name` or `:name` ([`name_ranges`]), at most
/// `max`, or `None` when there are more. Each is one seek of `event_resources_by_reversed_arn` (a loose index
/// scan: the next key after the last one found), however many events name it. Errors: SQLite's.
pub fn stored_arns_named(
    conn: &Connection,
    name: &str,
    max: usize,
) -> rusqlite::Result<Option<Vec<String>>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE found(v) AS (
           SELECT (SELECT min(arn_reversed) FROM event_resources WHERE arn_reversed >= ?1 AND arn_reversed < ?2)
           UNION ALL
           SELECT (SELECT min(arn_reversed) FROM event_resources WHERE arn_reversed > found.v AND arn_reversed < ?2)
           FROM found WHERE found.v IS NOT NULL LIMIT ?3
         )
         SELECT v FROM found WHERE v IS NOT NULL",
    )?;
    let mut arns = Vec::new();
    for (start, end) in name_ranges(name) {
        let left = max + 1 - arns.len();
        for arn in stmt.query_map(rusqlite::params![start, end, left as i64 + 1], |r| r.get(0))? {
            arns.push(arn?);
        }
        if arns.len() > max {
            return Ok(None);
        }
    }
    Ok(Some(arns))
}

/// Registers [`SQL_FUNCTION`] on `conn` (deterministic). Errors: SQLite's.
pub fn register_sql_function(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        SQL_FUNCTION,
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(stored(&ctx.get::<String>(0)?)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the stored form of `arn` falls in one of `name`'s ranges, as the index reads it.
    fn found_by_name(arn: &str, name: &str) -> bool {
        let key = stored(arn);
        name_ranges(name)
            .iter()
            .any(|(start, end)| key.as_str() >= start.as_str() && key.as_str() < end.as_str())
    }

    #[test]
    fn a_bare_name_finds_the_arns_ending_in_it_and_no_other() {
        for (arn, name) in [
            ("arn:aws:s3:::prod-logs", "prod-logs"),
            ("arn:aws:s3:::prod-logs/AWSLogs/q3.csv", "q3.csv"),
            ("arn:aws:s3:::prod-logs/AWSLogs/q3.csv", "AWSLogs/q3.csv"),
            (
                "arn:aws:lambda:us-east-1:111122223333:function:my-function",
                "my-function",
            ),
            ("arn:aws:iam::111122223333:role/Admin", "Admin"),
            ("arn:aws:s3:::bücket/naïve", "naïve"),
        ] {
            assert!(found_by_name(arn, name), "{arn} by {name}");
        }
        for (arn, name) in [
            ("arn:aws:s3:::prod-logs-old", "prod-logs"),
            ("arn:aws:s3:::old-prod-logs", "prod-logs"),
            ("arn:aws:s3:::prod-logs/x", "prod-logs"),
            ("arn:aws:iam::111122223333:role/Admin", "admin"),
            ("arn:aws:iam::111122223333:role/Admin", "role/Admi"),
        ] {
            assert!(!found_by_name(arn, name), "{arn} by {name}");
        }
    }

    #[test]
    fn the_sql_function_reverses_as_the_writer_does() {
        let conn = Connection::open_in_memory().expect("in memory");
        register_sql_function(&conn).expect("registered");
        let arn = "arn:aws:s3:::bücket/naïve";
        let got: String = conn
            .query_row(&format!("SELECT {SQL_FUNCTION}(?1)"), [arn], |r| r.get(0))
            .expect("reversed");
        assert_eq!(got, stored(arn));
    }
}
