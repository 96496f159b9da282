//! API tokens for scripts: `Authorization: Bearer tsk_…` on the read-only `/api` endpoints. A token is 32
//! random bytes shown once at creation; the store keeps only its SHA-256 (a fast hash is enough for a secret
//! with 256 bits of entropy: there is nothing to guess) and its first characters as a hint.
use super::Role;
use super::users::UserError;
use crate::model::admin::TokenInfo;
use crate::ssr::store::Store;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

/// Every token starts with this, so secret scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "tsk_";
const TOKEN_BYTES: usize = 32;
const HINT_CHARS: usize = TOKEN_PREFIX.len() + 4;
/// `last_used_at` is written at most this often per token, so scripts polling the API do not turn every read
/// into a write.
const LAST_USED_RESOLUTION_SECS: i64 = 60;

/// A token's owner-facing facts; never the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    /// Row ID.
    pub id: i64,
    /// The token's name, unique.
    pub name: String,
    /// What the token may do.
    pub role: Role,
}

fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn new_secret() -> Result<String, UserError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| UserError::Random(e.to_string()))?;
    let mut secret = String::with_capacity(TOKEN_PREFIX.len() + 2 * TOKEN_BYTES);
    secret.push_str(TOKEN_PREFIX);
    for byte in bytes {
        secret.push_str(&format!("{byte:02x}"));
    }
    Ok(secret)
}

/// Creates a token and returns its secret, which exists nowhere else afterwards. Token names follow the user
/// name rules and are unique.
pub fn create_token(
    store: &Store,
    name: &str,
    role: Role,
    created_by: &str,
    expires_at: Option<i64>,
) -> Result<String, UserError> {
    super::users::check_name(name)?;
    let secret = new_secret()?;
    let added = store.auth().write(|conn| {
        conn.execute(
            "INSERT INTO api_tokens (name, role, token_sha256, hint, created_by, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO NOTHING",
            params![
                name,
                role.as_str(),
                digest(&secret),
                &secret[..HINT_CHARS],
                created_by,
                crate::ssr::clock::now_secs(),
                expires_at
            ],
        )
    })?;
    if added == 0 {
        return Err(UserError::Exists(format!("token {name}")));
    }
    Ok(secret)
}

/// Deletes a token: it stops working at once.
pub fn revoke_token(store: &Store, name: &str) -> Result<(), UserError> {
    if store
        .auth()
        .write(|conn| conn.execute("DELETE FROM api_tokens WHERE name = ?1", [name]))?
        == 0
    {
        return Err(UserError::NotFound(format!("token {name}")));
    }
    Ok(())
}

/// Every API token, by name. Errors: a store error.
pub fn list_tokens(store: &Store) -> Result<Vec<TokenInfo>, UserError> {
    Ok(store.auth().read(|conn| {
        let mut stmt = conn.prepare(
            "SELECT name, role, hint, created_by, created_at, expires_at, last_used_at
             FROM api_tokens ORDER BY name",
        )?;
        let tokens = stmt
            .query_map([], |r| {
                Ok(TokenInfo {
                    name: r.get(0)?,
                    role: Role::parse(&r.get::<_, String>(1)?).unwrap_or(Role::Viewer),
                    hint: r.get(2)?,
                    created_by: r.get(3)?,
                    created_at: r.get(4)?,
                    expires_at: r.get(5)?,
                    last_used_at: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(tokens)
    })?)
}

/// The live token this secret belongs to, noting its use; `None` for an unknown, revoked or expired secret.
pub fn authenticate_token(store: &Store, secret: &str) -> Result<Option<ApiToken>, UserError> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let now = crate::ssr::clock::now_secs();
    let found = store.auth().read(|conn| {
        Ok(conn
            .prepare_cached(
                "SELECT id, name, role, last_used_at FROM api_tokens
                 WHERE token_sha256 = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
            )?
            .query_row(params![digest(secret), now], |r| {
                let role: String = r.get(2)?;
                Ok((
                    ApiToken {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        role: Role::parse(&role).unwrap_or(Role::Viewer),
                    },
                    r.get::<_, Option<i64>>(3)?,
                ))
            })
            .optional()?)
    })?;
    let Some((token, last_used_at)) = found else {
        return Ok(None);
    };
    if last_used_at.is_none_or(|at| now - at >= LAST_USED_RESOLUTION_SECS) {
        store.auth().write(|conn| {
            conn.execute(
                "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1",
                params![token.id, now],
            )
        })?;
    }
    Ok(Some(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_work_until_revoked_or_expired_and_only_their_hash_is_kept() -> Result<(), UserError> {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open_in(dir.path())?;
        let secret = create_token(&store, "ci", Role::Viewer, "alice", None)?;
        assert!(
            secret.starts_with(TOKEN_PREFIX) && secret.len() == 68,
            "{secret}"
        );
        assert_eq!(
            authenticate_token(&store, &secret)?.map(|t| (t.name, t.role)),
            Some(("ci".to_owned(), Role::Viewer))
        );
        let mut wrong = secret.clone();
        wrong.replace_range(10..11, if &secret[10..11] == "0" { "1" } else { "0" });
        assert_eq!(authenticate_token(&store, &wrong)?, None);
        assert!(matches!(
            create_token(&store, "CI", Role::Admin, "alice", None),
            Err(UserError::Exists(_))
        ));

        let listed = list_tokens(&store)?;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].hint, &secret[..8]);
        assert!(listed[0].last_used_at.is_some(), "use is noted");
        let stored: Vec<u8> = rusqlite::Connection::open(store.auth().path())?.query_row(
            "SELECT token_sha256 FROM api_tokens",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(stored, digest(&secret));
        for file in [
            "trailscope.db",
            "trailscope.db-wal",
            "trailscope-auth.db",
            "trailscope-auth.db-wal",
        ] {
            let raw = std::fs::read(dir.path().join(file)).unwrap_or_default();
            assert!(
                !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the secret is in {file}"
            );
        }

        revoke_token(&store, "ci")?;
        assert_eq!(authenticate_token(&store, &secret)?, None);
        assert!(matches!(
            revoke_token(&store, "ci"),
            Err(UserError::NotFound(_))
        ));

        let expired = create_token(
            &store,
            "old",
            Role::Admin,
            "alice",
            Some(crate::ssr::clock::now_secs() - 1),
        )?;
        assert_eq!(authenticate_token(&store, &expired)?, None);
        Ok(())
    }
}
