//! The event file's tables (`trailscope.db`), created and migrated by `PRAGMA user_version`.
use super::StoreError;
use rusqlite::Connection;
use std::path::Path;

/// One entry per schema version; entry `i` takes the event file from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

-- Every repeated string (account, Region, source, name, identity, IP, user agent, error code) is stored once.
CREATE TABLE strings (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);

-- Archive keys ingest has read (a whole-file failure is not recorded, so the next run retries it).
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  size_bytes INTEGER NOT NULL,
  events INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  rejected_records INTEGER NOT NULL,
  problem TEXT,
  ingested_at INTEGER NOT NULL
);

-- Raw records, compressed, in segment files (see store/segments.rs).
-- codec 1 = the delivered .json.gz file itself ({"Records":[…]}).
CREATE TABLE blocks (
  id INTEGER PRIMARY KEY,
  file INTEGER REFERENCES files (id),
  codec INTEGER NOT NULL,
  segment INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL
);

-- A rowid table with the event ID in a unique index: random-key primary keys made inserts ~10x slower.
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  event_time INTEGER NOT NULL,            -- epoch seconds, UTC
  event_id TEXT NOT NULL,
  account INTEGER NOT NULL,               -- strings.id
  region INTEGER NOT NULL,
  event_source INTEGER NOT NULL,
  event_name INTEGER NOT NULL,
  identity_type INTEGER,
  identity_arn INTEGER,
  identity_name INTEGER,
  access_key INTEGER,
  source_ip INTEGER,
  user_agent INTEGER,
  error_code INTEGER,
  read_only INTEGER,                      -- 1 read, 0 write, NULL unknown
  category INTEGER NOT NULL,              -- 0 management, 1 data, 2 insight, 3 network activity
  origin INTEGER NOT NULL,                -- 0 trail archive, 1 Event History
  block INTEGER NOT NULL,                 -- blocks.id
  ordinal INTEGER NOT NULL                -- index in the block's Records
);
CREATE UNIQUE INDEX events_by_event_id ON events (event_id);
CREATE INDEX events_by_time ON events (event_time);

-- Event counts per hour, so timelines cost the same whatever the event count. read_only: 1, 0, 2 = unknown.
CREATE TABLE rollup_hourly (
  hour INTEGER NOT NULL,
  account INTEGER NOT NULL,
  region INTEGER NOT NULL,
  read_only INTEGER NOT NULL,
  is_error INTEGER NOT NULL,
  category INTEGER NOT NULL,
  events INTEGER NOT NULL,
  PRIMARY KEY (hour, account, region, read_only, is_error, category)
) WITHOUT ROWID;
"#,
    // Migrations 2 to 4 created `users`, `sessions`, `api_tokens` and `audit_log` here; they live in the auth
    // file now (`auth_schema`), and migration 10 drops them from a file that has them.
    "-- users: see auth_schema",
    "-- sessions: see auth_schema",
    "-- api_tokens, audit_log: see auth_schema",
    r#"
-- Trail configuration snapshots (issue 4): one row per collection run, the whole TrailsSnapshot as JSON (a few
-- KB per account and Region), kept so that the UI can say what changed and when.
CREATE TABLE trail_snapshots (
  id INTEGER PRIMARY KEY,
  taken_at INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('aws', 'demo')),
  snapshot TEXT NOT NULL
);
"#,
    r#"
-- Event History sync (issue 3), per account and Region. Events up to `synced_until` are stored. A run in progress
-- reads from its start time (`run_until`) back to `synced_until`, newest first; `run_oldest` is the oldest event
-- time it has committed, so a killed run resumes from there. Each page commits with this row.
CREATE TABLE sync_cursors (
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  synced_until INTEGER NOT NULL,
  run_until INTEGER,
  run_oldest INTEGER,
  run_pages INTEGER NOT NULL DEFAULT 0,
  last_success_at INTEGER,
  last_error TEXT,
  last_error_at INTEGER,
  events_stored INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account, region)
) WITHOUT ROWID;
"#,
    r#"
-- Event search (issue 3); its indexes are SEARCH_INDEXES below. The record's resources[], for the resource
-- filters, with the event's time so a resource's events read newest first. The ARN is text, not a strings.id:
-- most are unique (S3 objects), and coding them cost more at ingest than it saved. (Since migration 23 the
-- column is arn_reversed, the ARN reversed: see store/resource_arn.rs.)
CREATE TABLE event_resources (
  event INTEGER NOT NULL,                 -- events.id
  event_time INTEGER NOT NULL,
  type INTEGER,                           -- strings.id
  arn TEXT NOT NULL
);
-- The strings that are user agents (a few thousand among all strings), for "user agent contains".
CREATE TABLE user_agents (id INTEGER PRIMARY KEY);
-- An opt-in Region the account has not enabled answers every call with an error: shown as "not enabled".
ALTER TABLE sync_cursors ADD COLUMN region_not_enabled INTEGER NOT NULL DEFAULT 0;
"#,
    r#"
-- S3 archive ingest (s3_cursors): per bucket and Region prefix (`…/ACCOUNT/CloudTrail/REGION/`), the key after
-- which the next listing starts. Every file up to it is stored; it never passes a file that failed.
CREATE TABLE s3_cursors (
  bucket TEXT NOT NULL,
  prefix TEXT NOT NULL,
  last_key TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (bucket, prefix)
) WITHOUT ROWID;
"#,
    r#"
-- IAM Identity Center users (issue 11). Since 2025 an `IdentityCenterUser` record names the person only by
-- `userIdentity.onBehalfOf.userId`; events store that ID as their identity. Names are learned from records that
-- carry one (`source` 'record') or resolved with the Identity Store API's DescribeUser (`source` 'identitystore',
-- which wins). `identity_store_id` is the `d-…` ID from `onBehalfOf.identityStoreArn`, `account` that ARN's account.
CREATE TABLE identity_center_users (
  user_id TEXT PRIMARY KEY,
  identity_store_id TEXT,
  account TEXT,
  user_name TEXT,
  source TEXT CHECK (source IN ('record', 'identitystore')),
  updated_at INTEGER NOT NULL,
  last_error TEXT
) WITHOUT ROWID;
"#,
    // The auth tables moved to their own file (`auth_schema`), which copied their rows when it was created.
    super::auth_schema::DROP_FROM_EVENT_FILE,
    crate::ssr::findings::store::MIGRATION,
    r#"
-- Billing (issue 12): events per UTC day by account, Region, category, read_only (1, 0, 2 = unknown), event
-- source and, for data events, the resource billed on (`resource_type` as in selectors, e.g. AWS::S3::Object,
-- and the bucket name or ARN; both '' otherwise), kept by the writer beside rollup_hourly so a month's volumes
-- read a few thousand rows whatever the event count. Events stored before this migration are counted without
-- their data resource.
CREATE TABLE rollup_billing_daily (
  day INTEGER NOT NULL,
  account INTEGER NOT NULL,
  region INTEGER NOT NULL,
  category INTEGER NOT NULL,
  read_only INTEGER NOT NULL,
  event_source INTEGER NOT NULL,
  resource_type TEXT NOT NULL,
  resource TEXT NOT NULL,
  events INTEGER NOT NULL,
  PRIMARY KEY (day, account, region, category, read_only, event_source, resource_type, resource)
) WITHOUT ROWID;
INSERT INTO rollup_billing_daily
  SELECT (event_time / 86400) * 86400, account, region, category, coalesce(read_only, 2), event_source, '', '',
         count(*)
  FROM events GROUP BY 1, 2, 3, 4, 5, 6;
"#,
    r#"
-- Log file integrity (issue 13): per validated archive (`s3://bucket[/prefix]` or a folder), what its validations
-- found, as JSON (`model::integrity::status::ArchiveStatus`: each account × Region × trail's digest hours with
-- their state and the problems naming each key), so the Integrity page answers without validating.
CREATE TABLE IF NOT EXISTS integrity_archives (
  source TEXT PRIMARY KEY,
  validated_at INTEGER NOT NULL,
  status TEXT NOT NULL
) WITHOUT ROWID;
"#,
    crate::ssr::findings::store::TRIAGE_MIGRATION,
    crate::ssr::findings::webhooks::queue::MIGRATION,
    crate::ssr::findings::store::TRIAGE_COVERS_MIGRATION,
    super::top_rollup::MIGRATION,
    crate::ssr::findings::store::UNREADABLE_MIGRATION,
    super::timeline_rollup::MIGRATION,
    crate::ssr::findings::store::BY_EVENT_MIGRATION,
    crate::ssr::findings::store::DAYS_MIGRATION,
    SOURCE_INDEX_MIGRATION,
    super::resource_arn::MIGRATION,
    super::resource_arn::LISTED_TWICE_MIGRATION,
    super::top_rollup::USER_AGENT_MIGRATION,
    super::account_regions::MIGRATION,
    super::timeline_rollup::HOURS_MIGRATION,
    super::top_rollup::packed::MIGRATION,
    super::top_rollup::weeks::MIGRATION,
];

/// The event-file migration after which `events_by_source` also holds account and Region: it drops the old one,
/// and `migrate` builds the new one with any other missing search index (16 s on the 11M-event bench store).
pub const SOURCE_INDEX_MIGRATION: &str = "DROP INDEX IF EXISTS events_by_source;";

/// SQL over `strings.value`: the part after its last `/` (`alice@example.com` of
/// `AWSReservedSSO_…/alice@example.com`), the rule of `model::events::identity::session_name`. Only meaningful
/// where [`HAS_LAST_PART`] holds; `strings_by_last_part` indexes it there, so a query must use both, verbatim.
macro_rules! last_part {
    () => {
        "substr(value, length(rtrim(value, replace(value, '/', ''))) + 1)"
    };
}
macro_rules! has_last_part {
    () => {
        "instr(value, '/') > 0"
    };
}
/// SQL over `strings.value`: the part after its last `/` (see `last_part!`).
pub const LAST_PART: &str = last_part!();
/// SQL over `strings.value`: it has a `/`, so [`LAST_PART`] means something.
pub const HAS_LAST_PART: &str = has_last_part!();

/// The search indexes (issue 3), apart from the migrations so that a first bulk load can build them once at the
/// end (`EventWriter::defer_search_indexes`). One per filter people narrow by, then `event_time`, so a page is
/// read newest first straight from the index, then `read_only`, so the default "read-only hidden" count never
/// reads the table; errors as a partial index (most events have none). `strings_by_last_part` (issue 11) finds
/// role sessions by their name (`user=alice@example.com`) without reading every string; only strings with a
/// `/` (readable session names, ARNs, user agents) are in it.
const SEARCH_INDEXES: [(&str, &str); 10] = [
    (
        "events_by_name",
        "events (event_name, event_time, read_only)",
    ),
    (
        "events_by_identity",
        "events (identity_name, event_time, read_only)",
    ),
    (
        "events_by_identity_arn",
        "events (identity_arn, event_time, read_only)",
    ),
    (
        "events_by_access_key",
        "events (access_key, event_time, read_only)",
    ),
    (
        "events_by_source_ip",
        "events (source_ip, event_time, read_only)",
    ),
    // Account and Region too: "this service in this account and Region" (a common search) is then counted from
    // the index alone, not by reading each of the service's events (issue 16 item 3).
    (
        "events_by_source",
        "events (event_source, event_time, read_only, account, region)",
    ),
    (
        "events_with_errors",
        "events (event_time, read_only) WHERE error_code IS NOT NULL",
    ),
    // Reversed, so an ARN and a bare name are both ranges of it (`resource_arn`).
    (
        "event_resources_by_reversed_arn",
        "event_resources (arn_reversed, event_time, event)",
    ),
    (
        "event_resources_by_type",
        "event_resources (type, event_time, event)",
    ),
    (
        "strings_by_last_part",
        concat!("strings (", last_part!(), ") WHERE ", has_last_part!()),
    ),
];

/// The statements that create the search indexes that are missing, one index each.
pub fn create_search_indexes() -> impl Iterator<Item = String> {
    SEARCH_INDEXES
        .iter()
        .map(|(name, definition)| format!("CREATE INDEX IF NOT EXISTS {name} ON {definition}"))
}

/// Creates the search indexes that are missing (all of them after a deferred or interrupted bulk load).
pub fn ensure_search_indexes(conn: &Connection) -> rusqlite::Result<()> {
    create_search_indexes().try_for_each(|sql| conn.execute_batch(&sql))
}

/// Drops the search indexes (before a bulk ingest; [`ensure_search_indexes`] rebuilds them). Errors: SQLite's.
pub fn drop_search_indexes(conn: &Connection) -> rusqlite::Result<()> {
    for (name, _) in SEARCH_INDEXES {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
    }
    Ok(())
}

/// The schema version this build migrates the event file to (`PRAGMA user_version`): the number of migrations.
pub fn known_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The schema version of a store made by the build before `migration` (one of the migrations) was added: what a
/// test sets to see that migration run on an older store. Panics when `migration` is not one of them.
pub fn version_before(migration: &str) -> i64 {
    MIGRATIONS
        .iter()
        .position(|m| *m == migration)
        .expect("a migration of the event file") as i64
}

/// The schema version of an open event file (`PRAGMA user_version`).
pub fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(super::database::version(conn)?)
}

/// Brings the event file at `path` (on its writer `conn`) up to date and re-creates any missing search index.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    super::database::migrate(conn, path, MIGRATIONS, |_| Ok(()))?;
    super::top_rollup::upgrade(conn)?;
    super::resource_arn::upgrade(conn)?;
    ensure_search_indexes(conn)?;
    super::resource_arn::note_listed_twice(conn)?;
    Ok(())
}
