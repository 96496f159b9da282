//! IAM Identity Center users (`identity_center_users`, migration 9): the user IDs events name
//! (`onBehalfOf.userId`) and the names learned for them, from sign-in records (`additionalEventData.UserName`)
//! or from the Identity Store API (`ssr::identity_center`, which reads here which users still need a name and
//! writes what asking gave). Events keep the user ID as their identity; pages show the learned name and
//! searches by that name find them. `updated_at` is when the row last changed, so for a row with `last_error`
//! it is when that error happened, which spaces the resolver's retries.
use super::{Store, StoreError};
use crate::ssr::logs::record::IdentityCenterUser;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// `d-…` from `arn:aws:identitystore::ACCOUNT:identitystore/d-…`, and the ARN's account.
fn store_parts(arn: Option<&str>) -> (Option<&str>, Option<&str>) {
    let Some(arn) = arn else { return (None, None) };
    let id = arn.rsplit_once("identitystore/").map(|(_, id)| id);
    let account = arn.split(':').nth(4).filter(|a| !a.is_empty());
    (id.filter(|i| !i.is_empty()), account)
}

/// Records that `user` acted. A name the record carries replaces one learned from an earlier record, never one
/// the Identity Store API gave; `updated_at` and `last_error` (the resolver's retry clock) change only with the
/// name.
pub fn remember(
    tx: &Transaction<'_>,
    user: &IdentityCenterUser,
    now: i64,
) -> Result<(), StoreError> {
    let (store_id, store_account) = store_parts(user.identity_store_arn.as_deref());
    tx.prepare_cached(
        "INSERT INTO identity_center_users (user_id, identity_store_id, account, user_name, source, updated_at)
         VALUES (?1, ?2, ?3, ?4, CASE WHEN ?4 IS NULL THEN NULL ELSE 'record' END, ?5)
         ON CONFLICT (user_id) DO UPDATE SET
           identity_store_id = coalesce(identity_store_id, excluded.identity_store_id),
           account = coalesce(account, excluded.account),
           user_name = CASE WHEN source IS 'identitystore' OR excluded.user_name IS NULL
                       THEN user_name ELSE excluded.user_name END,
           source = CASE WHEN source IS 'identitystore' OR excluded.user_name IS NULL
                    THEN source ELSE 'record' END,
           updated_at = CASE WHEN source IS 'identitystore' OR excluded.user_name IS NULL
                        OR excluded.user_name IS user_name THEN updated_at ELSE excluded.updated_at END",
    )?
    .execute(params![
        user.user_id,
        store_id,
        store_account.unwrap_or(&user.account_id),
        user.user_name,
        now
    ])?;
    Ok(())
}

/// The name known for the Identity Center user `user_id`, if any.
pub fn name_of(conn: &Connection, user_id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT user_name FROM identity_center_users WHERE user_id = ?1")?
        .query_row([user_id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// What a page shows for the identity `identity` (a readable name, or an Identity Center user ID): the name
/// learned for that user when there is one, else `identity` itself.
pub fn shown_name(conn: &Connection, identity: String) -> Result<String, StoreError> {
    Ok(name_of(conn, &identity)?.unwrap_or(identity))
}

/// SQL for the `strings` IDs of the Identity Center user IDs whose learned name is the one parameter: how
/// `user=NAME` finds the events of an Identity Center user by name.
pub const USER_IDS_NAMED: &str =
    "SELECT s.id FROM identity_center_users u JOIN strings s ON s.value = u.user_id
  WHERE u.user_name = ?";

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
    store.write(|conn| {
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
    })
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
            .write(|conn| {
                conn.execute(
                    "INSERT INTO identity_center_users
                     (user_id, identity_store_id, account, user_name, source, updated_at)
                     VALUES (?1, 'd-9067000000', '111122223333', ?2, ?3, ?4)",
                    params![user_id, name, source, at],
                )
            })
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
