//! IAM Identity Center users (`identity_center_users`): the user IDs events name (`onBehalfOf.userId`) and the
//! names learned for them, from sign-in records (`additionalEventData.UserName`) or from the Identity Store API.
//! Events keep the user ID as their identity; pages show the learned name and searches by that name find them.
use super::StoreError;
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
