//! The `identity_center_users` rows the resolver reads and writes (migration 9): which user IDs still need a
//! name from the Identity Store, and what asking it gave. `updated_at` is when the row last changed, so for a
//! row with `last_error` it is when that error happened, which spaces the retries.
use crate::ssr::store::{Store, StoreError};
use rusqlite::params;

/// A failed lookup is tried again after this long (seconds): once a day, never in a loop.
pub const RETRY_AFTER_SECS: i64 = 86_400;
/// A name the Identity Store gave is asked again after this long (seconds), since users are renamed.
pub const REFRESH_AFTER_SECS: i64 = 30 * 86_400;

/// One user ID to ask the Identity Store about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingUser {
    /// The Identity Store user ID (`onBehalfOf.userId`).
    pub user_id: String,
    /// The `d-…` ID of the identity store holding it.
    pub identity_store_id: String,
    /// The account of `onBehalfOf.identityStoreArn`, when known.
    pub account: Option<String>,
}

/// What asking about one user gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The user's name, as the Identity Store gives it.
    Named(String),
    /// Why there is no name; kept in `last_error` and tried again after [`RETRY_AFTER_SECS`].
    Failed(String),
}

/// Users of a known identity store that have no name from the Identity Store yet (none, or only one a record
/// carried) and were not tried in the last [`RETRY_AFTER_SECS`], plus names older than [`REFRESH_AFTER_SECS`];
/// at most `limit`, grouped by identity store.
pub fn pending(store: &Store, now: i64, limit: usize) -> Result<Vec<PendingUser>, StoreError> {
    store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT user_id, identity_store_id, account FROM identity_center_users
             WHERE identity_store_id IS NOT NULL AND identity_store_id <> ''
               AND CASE
                 WHEN last_error IS NOT NULL THEN updated_at <= ?1 - ?2
                 WHEN source = 'identitystore' AND user_name IS NOT NULL THEN updated_at <= ?1 - ?3
                 ELSE 1
               END
             ORDER BY identity_store_id, user_id
             LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![
                now,
                RETRY_AFTER_SECS,
                REFRESH_AFTER_SECS,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |row| {
                Ok(PendingUser {
                    user_id: row.get(0)?,
                    identity_store_id: row.get(1)?,
                    account: row.get(2)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// Stores what the Identity Store said, in one transaction: a name replaces any the records gave (source
/// `identitystore`, error cleared); a failure keeps the name the row has and records why, at `now`.
pub fn record(store: &Store, results: &[(String, Resolution)], now: i64) -> Result<(), StoreError> {
    let mut conn = store.writer()?;
    let tx = conn.transaction()?;
    {
        let mut named = tx.prepare_cached(
            "UPDATE identity_center_users
             SET user_name = ?2, source = 'identitystore', last_error = NULL, updated_at = ?3
             WHERE user_id = ?1",
        )?;
        let mut failed = tx.prepare_cached(
            "UPDATE identity_center_users SET last_error = ?2, updated_at = ?3 WHERE user_id = ?1",
        )?;
        for (user_id, resolution) in results {
            match resolution {
                Resolution::Named(name) => named.execute(params![user_id, name, now])?,
                Resolution::Failed(error) => failed.execute(params![user_id, error, now])?,
            };
        }
    }
    tx.commit()?;
    Ok(())
}

/// Users whose last lookup failed, with why: `(user_id, last_error)`, by user ID.
pub fn failures(store: &Store) -> Result<Vec<(String, String)>, StoreError> {
    store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT user_id, last_error FROM identity_center_users
             WHERE last_error IS NOT NULL ORDER BY user_id",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// The store metadata key remembering the Region where `identity_store_id` answered.
fn region_key(identity_store_id: &str) -> String {
    format!("identity_center_region:{identity_store_id}")
}

/// The Region where `identity_store_id` last answered, if it ever did.
pub fn remembered_region(
    store: &Store,
    identity_store_id: &str,
) -> Result<Option<String>, StoreError> {
    store.meta(&region_key(identity_store_id))
}

/// Remembers that `identity_store_id` answers in `region`.
pub fn remember_region(
    store: &Store,
    identity_store_id: &str,
    region: &str,
) -> Result<(), StoreError> {
    store.set_meta(&region_key(identity_store_id), region)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(store: &Store, user_id: &str, name: Option<&str>, source: Option<&str>, at: i64) {
        store
            .writer()
            .expect("writer")
            .execute(
                "INSERT INTO identity_center_users
                 (user_id, identity_store_id, account, user_name, source, updated_at)
                 VALUES (?1, 'd-9067000000', '111122223333', ?2, ?3, ?4)",
                params![user_id, name, source, at],
            )
            .expect("row");
    }

    fn ids(users: &[PendingUser]) -> Vec<&str> {
        users.iter().map(|u| u.user_id.as_str()).collect()
    }

    #[test]
    fn unnamed_and_record_named_users_are_asked_and_failures_wait_a_day() {
        let data = tempfile::tempdir().expect("tmp");
        let store = Store::open_in(data.path()).expect("store");
        let now = 1_800_000_000;
        row(&store, "a-unnamed", None, None, now - 10);
        row(
            &store,
            "b-from-record",
            Some("alice"),
            Some("record"),
            now - 10,
        );
        row(
            &store,
            "c-resolved",
            Some("bob"),
            Some("identitystore"),
            now - 10,
        );
        row(
            &store,
            "d-stale",
            Some("carol"),
            Some("identitystore"),
            now - 40 * 86_400,
        );
        assert_eq!(
            ids(&pending(&store, now, 100).expect("pending")),
            ["a-unnamed", "b-from-record", "d-stale"]
        );
        assert_eq!(pending(&store, now, 1).expect("pending").len(), 1);

        record(
            &store,
            &[
                ("a-unnamed".into(), Resolution::Named("dana".into())),
                (
                    "b-from-record".into(),
                    Resolution::Failed("AccessDenied".into()),
                ),
            ],
            now,
        )
        .expect("recorded");
        let b: (Option<String>, Option<String>, Option<String>) = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT user_name, source, last_error FROM identity_center_users WHERE user_id = 'b-from-record'",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?)
            })
            .expect("row");
        assert_eq!(
            b,
            (
                Some("alice".into()),
                Some("record".into()),
                Some("AccessDenied".into())
            ),
            "a failure keeps the record's name"
        );
        assert_eq!(
            ids(&pending(&store, now + 3_600, 100).expect("pending")),
            ["d-stale"],
            "the failure is not asked again within the day, the resolved name not for a month"
        );
        assert_eq!(
            ids(&pending(&store, now + RETRY_AFTER_SECS, 100).expect("pending")),
            ["b-from-record", "d-stale"]
        );
    }
}
