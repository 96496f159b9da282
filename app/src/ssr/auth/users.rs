//! Dashboard users: names, roles and argon2id password hashes in the store's auth file. Hashes never leave this
//! module except into the `users` table; a `User` carries no secret.
use super::Role;
use crate::ssr::store::{Store, StoreError};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{OptionalExtension, params};

/// Shortest password accepted (NIST SP 800-63B asks for at least 8; admins guard an AWS history).
pub const MIN_PASSWORD_CHARS: usize = 12;
const GENERATED_PASSWORD_CHARS: usize = 24;
/// A well-formed hash with the default parameters that no password is known to match: checking an unknown
/// user's password against it takes as long as checking a real one.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Jd+H2+Xj8KmRWaPd4Cq1yS7cvvzVJwOcqfa6fYhL1c";

#[derive(Debug, thiserror::Error)]
/// Why a user could not be added, changed or found.
pub enum UserError {
    #[error("user names are 1 to 64 letters, digits or . _ @ -")]
    /// The name is not 1 to 64 letters, digits or `. _ @ -`.
    BadName,
    #[error("passwords need at least {MIN_PASSWORD_CHARS} characters")]
    /// The password is shorter than [`MIN_PASSWORD_CHARS`] characters.
    WeakPassword,
    #[error("user {0} already exists")]
    /// A user of that name exists.
    Exists(String),
    #[error("no user {0}")]
    /// No user has that name.
    NotFound(String),
    #[error("{0} is the last admin; make another admin first")]
    /// The change would leave no admin.
    LastAdmin(String),
    #[error("cannot hash the password: {0}")]
    /// Hashing the password (Argon2id) failed.
    Hash(String),
    #[error("cannot generate a random password: {0}")]
    /// The system random source failed.
    Random(String),
    #[error(transparent)]
    /// The auth store could not be read or written.
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for UserError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Store(error.into())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// A dashboard user, as stored in the auth database.
pub struct User {
    /// Row ID.
    pub id: i64,
    /// Login name: 1 to 64 letters, digits or `. _ @ -`.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// When the user was added: epoch seconds UTC.
    pub created_at: i64,
    /// When the password was last set: epoch seconds UTC.
    pub password_changed_at: i64,
}

pub(super) fn check_name(name: &str) -> Result<(), UserError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'));
    if ok { Ok(()) } else { Err(UserError::BadName) }
}

fn hash(password: &str) -> Result<String, UserError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::WeakPassword);
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| UserError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| UserError::Hash(e.to_string()))?;
    // Argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane): OWASP's recommended minimum.
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| UserError::Hash(e.to_string()))
}

/// A random password of letters and digits (no look-alikes), for `user add` without one given.
pub fn generate_password() -> Result<String, UserError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; GENERATED_PASSWORD_CHARS];
    getrandom::fill(&mut bytes).map_err(|e| UserError::Random(e.to_string()))?;
    // 256 % 57 != 0: the tiny bias this leaves is irrelevant at 24 characters (> 130 bits).
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        created_at: r.get(3)?,
        password_changed_at: r.get(4)?,
    })
}

/// Adds a user with an Argon2id hash of `password`.
///
/// Errors: [`UserError::BadName`], [`UserError::WeakPassword`], [`UserError::Exists`], or a hashing or store
/// error.
pub fn add_user(store: &Store, name: &str, role: Role, password: &str) -> Result<User, UserError> {
    check_name(name)?;
    let password_hash = hash(password)?;
    let at = crate::ssr::clock::now_secs();
    store.auth().write(|conn| {
        let added = conn.execute(
            "INSERT INTO users (name, role, password_hash, created_at, password_changed_at) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT (name) DO NOTHING",
            params![name, role.as_str(), password_hash, at],
        )?;
        if added == 0 {
            return Err(UserError::Exists(name.to_owned()));
        }
        Ok(User {
            id: conn.last_insert_rowid(),
            name: name.to_owned(),
            role,
            created_at: at,
            password_changed_at: at,
        })
    })
}

/// Changes a password and ends the user's sessions, in one transaction.
pub fn set_password(store: &Store, name: &str, password: &str) -> Result<(), UserError> {
    let password_hash = hash(password)?;
    store.auth().write(|conn| {
        let tx = conn.transaction()?;
        end_sessions(&tx, name)?;
        let changed = tx.execute(
            "UPDATE users SET password_hash = ?2, password_changed_at = ?3 WHERE name = ?1",
            params![name, password_hash, crate::ssr::clock::now_secs()],
        )?;
        if changed == 0 {
            return Err(UserError::NotFound(name.to_owned()));
        }
        tx.commit()?;
        Ok(())
    })
}

/// Deletes a user and ends their sessions, in one transaction. The last admin stays: without one, nobody
/// could manage users or tokens from the dashboard.
pub fn delete_user(store: &Store, name: &str) -> Result<(), UserError> {
    store.auth().write(|conn| {
        let tx = conn.transaction()?;
        let (is_admin, admins): (bool, i64) = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1 AND role = 'admin'),
                    (SELECT count(*) FROM users WHERE role = 'admin')",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if is_admin && admins == 1 {
            return Err(UserError::LastAdmin(name.to_owned()));
        }
        end_sessions(&tx, name)?;
        if tx.execute("DELETE FROM users WHERE name = ?1", [name])? == 0 {
            return Err(UserError::NotFound(name.to_owned()));
        }
        tx.commit()?;
        Ok(())
    })
}

fn end_sessions(conn: &rusqlite::Connection, name: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
        [name],
    )
}

/// The user with row ID `id`, if any. Errors: a store error.
pub fn find_user(store: &Store, id: i64) -> Result<Option<User>, UserError> {
    Ok(store.auth().read(|conn| {
        Ok(conn
            .prepare_cached(
                "SELECT id, name, role, created_at, password_changed_at FROM users WHERE id = ?1",
            )?
            .query_row([id], user_from_row)
            .optional()?)
    })?)
}

/// The user named `name`, if any. Errors: a store error.
pub fn find_user_by_name(store: &Store, name: &str) -> Result<Option<User>, UserError> {
    Ok(store.auth().read(|conn| {
        Ok(conn
            .prepare_cached(
                "SELECT id, name, role, created_at, password_changed_at FROM users WHERE name = ?1",
            )?
            .query_row([name], user_from_row)
            .optional()?)
    })?)
}

/// Creates the first admin when there are no users: with `password` when given, else a generated one, which
/// is returned so that it can be shown once. `None` when users already exist.
pub fn ensure_first_admin(
    store: &Store,
    password: Option<&str>,
) -> Result<Option<(String, String)>, UserError> {
    if !list_users(store)?.is_empty() {
        return Ok(None);
    }
    let password = match password {
        Some(p) => p.to_owned(),
        None => generate_password()?,
    };
    add_user(store, "admin", Role::Admin, &password)?;
    Ok(Some(("admin".to_owned(), password)))
}

/// Every user, by name. Errors: a store error.
pub fn list_users(store: &Store) -> Result<Vec<User>, UserError> {
    Ok(store.auth().read(|conn| {
        let mut stmt = conn.prepare(
            "SELECT id, name, role, created_at, password_changed_at FROM users ORDER BY name",
        )?;
        let users = stmt
            .query_map([], user_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(users)
    })?)
}

/// The user whose name and password these are, else `None`. An unknown name costs as much as a wrong
/// password, so response times do not tell which names exist.
pub fn verify_password(
    store: &Store,
    name: &str,
    password: &str,
) -> Result<Option<User>, UserError> {
    let found: Option<(User, String)> = store.auth().read(|conn| {
        Ok(conn
            .prepare_cached(
                "SELECT id, name, role, created_at, password_changed_at, password_hash FROM users WHERE name = ?1",
            )?
            .query_row([name], |r| Ok((user_from_row(r)?, r.get(5)?)))
            .optional()?)
    })?;
    let stored = found.as_ref().map_or(DECOY, |(_, h)| h.as_str());
    let matches = PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    Ok(found.filter(|_| matches).map(|(user, _)| user))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open_in(dir.path()).expect("store");
        (dir, store)
    }

    #[test]
    fn users_are_added_verified_repassworded_and_deleted() -> Result<(), UserError> {
        let (_dir, store) = store();
        let alice = add_user(&store, "alice", Role::Admin, "correct horse battery")?;
        assert_eq!((alice.name.as_str(), alice.role), ("alice", Role::Admin));
        assert!(
            matches!(
                add_user(&store, "ALICE", Role::Viewer, "another long password"),
                Err(UserError::Exists(_))
            ),
            "names are case-insensitive"
        );
        assert_eq!(
            verify_password(&store, "alice", "correct horse battery")?.map(|u| u.role),
            Some(Role::Admin)
        );
        assert_eq!(
            verify_password(&store, "alice", "correct horse batterY")?,
            None
        );
        assert_eq!(
            verify_password(&store, "nobody", "correct horse battery")?,
            None
        );

        set_password(&store, "alice", "a brand new passphrase")?;
        assert_eq!(
            verify_password(&store, "alice", "correct horse battery")?,
            None
        );
        assert!(verify_password(&store, "alice", "a brand new passphrase")?.is_some());

        assert!(matches!(
            delete_user(&store, "alice"),
            Err(UserError::LastAdmin(_))
        ));
        add_user(&store, "bob", Role::Viewer, &generate_password()?)?;
        let names: Vec<String> = list_users(&store)?.into_iter().map(|u| u.name).collect();
        assert_eq!(names, ["alice", "bob"]);
        delete_user(&store, "bob")?;
        assert!(matches!(
            delete_user(&store, "bob"),
            Err(UserError::NotFound(_))
        ));
        assert_eq!(list_users(&store)?.len(), 1);
        Ok(())
    }

    #[test]
    fn only_argon2id_hashes_are_stored() -> Result<(), UserError> {
        let (_dir, store) = store();
        add_user(&store, "carol", Role::Viewer, "a long enough secret")?;
        let stored: String = rusqlite::Connection::open(store.auth().path())?.query_row(
            "SELECT password_hash FROM users",
            [],
            |r| r.get(0),
        )?;
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(!stored.contains("a long enough secret"));
        Ok(())
    }

    #[test]
    fn the_decoy_costs_what_a_real_hash_costs() {
        let decoy = PasswordHash::new(DECOY)
            .expect("the decoy must parse, or unknown names would answer at once");
        let real_hash = hash("some long password").expect("hash");
        let real = PasswordHash::new(&real_hash).expect("parses");
        assert_eq!(decoy.algorithm, real.algorithm);
        assert_eq!(decoy.params, real.params);
    }

    #[test]
    fn bad_names_and_short_passwords_are_refused() {
        let (_dir, store) = store();
        assert!(matches!(
            add_user(&store, "", Role::Viewer, "long enough password"),
            Err(UserError::BadName)
        ));
        assert!(matches!(
            add_user(&store, "a b", Role::Viewer, "long enough password"),
            Err(UserError::BadName)
        ));
        assert!(matches!(
            add_user(&store, "dave", Role::Viewer, "short"),
            Err(UserError::WeakPassword)
        ));
        let generated = generate_password().expect("random");
        assert_eq!(generated.len(), GENERATED_PASSWORD_CHARS);
        assert_ne!(generated, generate_password().expect("random"));
    }
}
