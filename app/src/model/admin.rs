//! What admins see on the Settings page: users, API tokens, the audit log and the store, as they cross the wire. None of
//! these carry a secret; a new password or token travels once, in [`NewSecret`].
use crate::model::auth::Role;
use serde::{Deserialize, Serialize};

/// A dashboard user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// Login name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// When the user was added: epoch seconds UTC.
    pub created_at: i64,
    /// When the password was last set: epoch seconds UTC.
    pub password_changed_at: i64,
}

/// An API token, identified by its name and the first characters of the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// The token's name, unique.
    pub name: String,
    /// What the token may do.
    pub role: Role,
    /// The token's first characters (`tsk_1a2b`), enough to recognise it, far too few to use it.
    pub hint: String,
    /// The admin (or `cli`) who created it.
    pub created_by: String,
    /// When it was created: epoch seconds UTC.
    pub created_at: i64,
    /// When it stops working: epoch seconds UTC; `None` until revoked.
    pub expires_at: Option<i64>,
    /// When it was last used: epoch seconds UTC; `None` if never.
    pub last_used_at: Option<i64>,
}

/// A password or token just created, shown to the admin once and never again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecret {
    /// Whose secret it is: the user or token name.
    pub name: String,
    /// The password or token, in clear: shown once, never stored (only its hash is).
    pub secret: String,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Row ID; the audit page pages with it (`before`).
    pub id: i64,
    /// When it happened: epoch seconds UTC.
    pub at: i64,
    /// Who acted: a user name, `token NAME`, or `cli` for the command line on the server.
    pub actor: String,
    /// What was done, e.g. `login`, `user.add`, `token.revoke`.
    pub action: String,
    /// What it was done to (a user or token name), if anything.
    pub target: Option<String>,
    /// The client's IP address, when the action came over HTTP.
    pub client_ip: Option<String>,
    /// `succeeded`, `failed` (wrong credentials), `throttled` or `refused` (not allowed).
    pub outcome: String,
}

/// One SQLite file of the store as Settings shows it: its schema version (`PRAGMA user_version`) beside the
/// version this build migrates it to, and its size in bytes (the database file, without its WAL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreFile {
    /// The file's name in the data directory (`trailscope.db`, `trailscope-auth.db`).
    pub name: String,
    /// The version the file is at (`PRAGMA user_version`).
    pub schema_version: i64,
    /// The version this build migrates the file to; equal to `schema_version` once the server has started.
    pub known_schema_version: i64,
    /// Bytes of the database file on disk.
    pub bytes: u64,
}

/// The store: its database files and the raw-record segments beside them (`trailscope.blocks/`, bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreInfo {
    /// The event file, then the auth file.
    pub files: Vec<StoreFile>,
    /// Bytes of every raw-record segment file.
    pub segment_bytes: u64,
}
