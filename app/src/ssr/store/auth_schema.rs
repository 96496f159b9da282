//! The auth file's tables (`trailscope-auth.db` beside `trailscope.db`): users, login sessions, API tokens and
//! the audit log. They live apart from the events so that the request path's writes (a login's session and
//! audit entry, a token's last use) never wait for an ingest batch or an index build on the event file: SQLite
//! has one write lock per file. Builds before this split kept these tables in the event file; a new auth file
//! takes their rows, in the transaction that creates it, and the event file's migration 10 then drops them.
use super::StoreError;
use super::database::migrate as apply;
use rusqlite::{Connection, Transaction};
use std::path::Path;

/// One entry per schema version of the auth file; entry `i` takes it from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[r#"
-- Dashboard users. Names compare case-insensitively; the hash is an argon2id PHC string.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL
);
-- Login sessions (tower-sessions records). user_id is copied out of the data so that deleting a user or
-- changing a password can end that user's sessions server-side.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  user_id INTEGER
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);
-- API tokens for scripts: only the SHA-256 of a token is kept; `hint` is its first characters, so people can
-- tell tokens apart without the store holding anything usable.
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),
  token_sha256 BLOB NOT NULL UNIQUE,
  hint TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER
);
-- The dashboard's own sensitive actions: who did what, from where, and whether it worked.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  client_ip TEXT,
  outcome TEXT NOT NULL
);
"#];

/// Each table and its columns, as both the event file (before migration 10) and the auth file have them.
const TABLES: [(&str, &str); 4] = [
    (
        "users",
        "id, name, role, password_hash, created_at, password_changed_at",
    ),
    ("sessions", "id, data, expires_at, user_id"),
    (
        "api_tokens",
        "id, name, role, token_sha256, hint, created_by, created_at, expires_at, last_used_at",
    ),
    (
        "audit_log",
        "id, at, actor, action, target, client_ip, outcome",
    ),
];

/// The SQL of the event file's migration that drops these tables there (they were copied first).
pub(super) const DROP_FROM_EVENT_FILE: &str = "
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS api_tokens;
DROP TABLE IF EXISTS audit_log;
";

/// The schema version this build migrates the auth file to: the number of its migrations.
pub fn known_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The auth file of the event file at `events`: `trailscope-auth.db` for `trailscope.db`.
pub fn auth_path(events: &Path) -> std::path::PathBuf {
    let stem = events.file_stem().unwrap_or_default().to_string_lossy();
    let extension = events
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    events.with_file_name(format!("{stem}-auth{extension}"))
}

/// Brings the auth file at `path` (on its writer `conn`) up to date. When it is new, it takes the rows of the
/// tables an older build kept in the event file at `events`, in the transaction that creates it.
pub(super) fn migrate(conn: &mut Connection, path: &Path, events: &Path) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > 0 {
        return apply(conn, path, MIGRATIONS, |_| Ok(()));
    }
    // ATTACH cannot run inside a transaction; the copy runs inside the creating one.
    conn.execute("ATTACH DATABASE ?1 AS legacy", [events.to_string_lossy()])?;
    let created = apply(conn, path, MIGRATIONS, copy_legacy_rows);
    conn.execute_batch("DETACH DATABASE legacy")?;
    created
}

fn copy_legacy_rows(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    for (table, columns) in TABLES {
        let present: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM legacy.sqlite_master WHERE type = 'table' AND name = ?1)",
            [table],
            |r| r.get(0),
        )?;
        if present {
            tx.execute_batch(&format!(
                "INSERT INTO main.{table} ({columns}) SELECT {columns} FROM legacy.{table}"
            ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auth_file_sits_beside_the_event_file() {
        assert_eq!(
            auth_path(Path::new("/data/trailscope.db")),
            Path::new("/data/trailscope-auth.db")
        );
    }
}
