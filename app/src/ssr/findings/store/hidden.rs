//! Matches an older build stored that no finding shows.
use super::super::FindingsError;
use super::super::rules::RuleSet;
use crate::ssr::store::Store;
use rusqlite::params;

/// Rows deleted per write by [`drop_hidden_matches`]: each write holds the store's writer only briefly.
const DROP_CHUNK: i64 = 20_000;

/// Deletes the stored matches of `rules`' detections that make no finding of their own: those only a
/// correlation uses (Sigma's `generate: false`). Evaluation no longer stores them, but a store evaluated by an
/// older build still holds them: 5.75M of the 6.06M matches of the 10M-event bench store, shown by no page yet read
/// by every findings total. Deletes in writes of [`DROP_CHUNK`] rows, so ingest and logins wait for one chunk
/// at most; when there are none it only reads (one index seek per such rule). Returns the rows deleted.
/// Blocking.
///
/// Errors: [`FindingsError::Store`].
pub fn drop_hidden_matches(store: &Store, rules: &RuleSet) -> Result<u64, FindingsError> {
    let mut deleted = 0;
    for rule_id in rules.correlation_only() {
        if !store.read(|c| Ok(super::matched_after(c, rule_id, i64::MIN)?))? {
            continue;
        }
        loop {
            let rows = store.write(|c| {
                c.prepare_cached(
                    "DELETE FROM finding_matches WHERE id IN
                       (SELECT id FROM finding_matches WHERE rule_id = ?1 LIMIT ?2)",
                )?
                .execute(params![rule_id, DROP_CHUNK])
            })?;
            deleted += rows as u64;
            if (rows as i64) < DROP_CHUNK {
                break;
            }
        }
        store.write(|c| {
            c.prepare_cached("DELETE FROM finding_days WHERE rule_id = ?1")?
                .execute([rule_id])
        })?;
    }
    Ok(deleted)
}
