//! Login sessions in the auth file's `sessions` table, behind tower-sessions' `SessionStore`. Session IDs live
//! only in the HttpOnly cookie and this table; they are never logged.
use crate::ssr::store::{Store, StoreError};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};
use std::sync::Arc;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The session key holding the logged-in user's ID.
pub const USER_ID_KEY: &str = "user_id";
/// The session key holding when the user logged in (epoch seconds), for the absolute timeout.
pub const LOGIN_AT_KEY: &str = "login_at";

#[derive(Clone)]
/// tower-sessions' `SessionStore` over the auth file's `sessions` table.
pub struct SqliteSessionStore {
    store: Arc<Store>,
}

impl std::fmt::Debug for SqliteSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteSessionStore").finish_non_exhaustive()
    }
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

impl SqliteSessionStore {
    /// A session store on `store`'s auth file.
    pub fn new(store: Arc<Store>) -> Self {
        Self { store }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> session_store::Result<T> {
        crate::ssr::store::off_runtime(&self.store, work)
            .await
            .map_err(backend)?
            .map_err(backend)
    }
}

fn encode(record: &Record) -> session_store::Result<(String, String, i64, Option<i64>)> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let user_id = record
        .data
        .get(USER_ID_KEY)
        .and_then(serde_json::Value::as_i64);
    Ok((
        record.id.to_string(),
        data,
        record.expiry_date.unix_timestamp(),
        user_id,
    ))
}

#[async_trait]
impl SessionStore for SqliteSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh ID on the (astronomically unlikely) collision, as the trait asks of stores.
        loop {
            let (id, data, expires_at, user_id) = encode(record)?;
            let inserted = self
                .blocking(move |store| {
                    store.auth().write(|conn| {
                        Ok(conn.execute(
                            "INSERT INTO sessions (id, data, expires_at, user_id) VALUES (?1, ?2, ?3, ?4)
                             ON CONFLICT (id) DO NOTHING",
                            params![id, data, expires_at, user_id],
                        )?)
                    })
                })
                .await?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (id, data, expires_at, user_id) = encode(record)?;
        self.blocking(move |store| {
            store.auth().write(|conn| {
                conn.execute(
                    "INSERT INTO sessions (id, data, expires_at, user_id) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at,
                     user_id = excluded.user_id",
                    params![id, data, expires_at, user_id],
                )?;
                Ok(())
            })
        })
        .await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let key = id.to_string();
        let found: Option<(String, i64)> = self
            .blocking(move |store| {
                store.auth().read(|conn| {
                    Ok(conn
                        .prepare_cached("SELECT data, expires_at FROM sessions WHERE id = ?1 AND expires_at > unixepoch()")?
                        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()?)
                })
            })
            .await?;
        let Some((data, expires_at)) = found else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expires_at).map_err(backend)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let key = id.to_string();
        self.blocking(move |store| {
            store.auth().write(|conn| {
                conn.execute("DELETE FROM sessions WHERE id = ?1", [key])?;
                Ok(())
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::auth::Role;
    use crate::ssr::auth::users::{add_user, delete_user, set_password};

    fn record(user_id: Option<i64>) -> Record {
        let mut data = std::collections::HashMap::new();
        if let Some(id) = user_id {
            data.insert(USER_ID_KEY.to_owned(), serde_json::json!(id));
        }
        Record {
            id: Id::default(),
            data,
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    #[tokio::test]
    async fn sessions_are_stored_loaded_and_ended() -> session_store::Result<()> {
        let dir = tempfile::tempdir().map_err(backend)?;
        let store = Arc::new(Store::open_in(dir.path()).map_err(backend)?);
        let sessions = SqliteSessionStore::new(store.clone());
        let alice =
            add_user(&store, "alice", Role::Viewer, "a long password here").map_err(backend)?;
        add_user(&store, "bob", Role::Viewer, "another long password").map_err(backend)?;

        let mut first = record(Some(alice.id));
        sessions.create(&mut first).await?;
        assert_eq!(
            sessions.load(&first.id).await?.map(|r| r.data),
            Some(first.data.clone())
        );
        let mut anonymous = record(None);
        sessions.create(&mut anonymous).await?;

        let mut expired = record(Some(alice.id));
        expired.expiry_date = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
        sessions.create(&mut expired).await?;
        assert!(
            sessions.load(&expired.id).await?.is_none(),
            "expired sessions are not loaded"
        );

        set_password(&store, "alice", "a changed long password").map_err(backend)?;
        assert!(
            sessions.load(&first.id).await?.is_none(),
            "a new password ends the user's sessions"
        );
        assert!(
            sessions.load(&anonymous.id).await?.is_some(),
            "other sessions stay"
        );

        let mut second = record(Some(alice.id));
        sessions.create(&mut second).await?;
        delete_user(&store, "alice").map_err(backend)?;
        assert!(
            sessions.load(&second.id).await?.is_none(),
            "deleting the user ends the sessions"
        );

        sessions.delete(&anonymous.id).await?;
        assert!(sessions.load(&anonymous.id).await?.is_none());
        Ok(())
    }
}
