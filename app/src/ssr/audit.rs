//! The audit log: the dashboard's own sensitive actions (logins, user and token changes; later exports, syncs
//! and validations), kept in the store's auth file for admins. It records who, what, to whom, from where and
//! whether it worked, never a secret.
use crate::model::admin::AuditRecord;
use crate::ssr::store::{Store, StoreError};
use rusqlite::params;
use std::net::IpAddr;

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A login, successful or not.
    Login,
    /// A logout.
    Logout,
    /// An admin added a user.
    UserAdded,
    /// An admin deleted a user.
    UserDeleted,
    /// A password was set (by its user or reset by an admin).
    PasswordChanged,
    /// An API token was created.
    TokenCreated,
    /// An API token was revoked.
    TokenRevoked,
    /// An admin asked for the trails to be read again.
    TrailsRefreshed,
    /// An Event History sync was started.
    SyncStarted,
    /// Events were exported (CSV or JSON lines).
    EventsExported,
    /// An admin asked for every digest and log file to be validated (`refused` while one runs).
    IntegrityValidated,
    /// An admin triaged a finding (acknowledged, resolved, false positive or reopened, with a note).
    FindingTriaged,
}

impl Action {
    /// The stored name, e.g. `user.add` (kept in the `audit_log.action` column: do not change).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::Logout => "logout",
            Action::UserAdded => "user.add",
            Action::UserDeleted => "user.delete",
            Action::PasswordChanged => "user.password",
            Action::TokenCreated => "token.add",
            Action::TokenRevoked => "token.revoke",
            Action::TrailsRefreshed => "trails.refresh",
            Action::SyncStarted => "sync.start",
            Action::EventsExported => "events.export",
            Action::IntegrityValidated => "integrity.validate",
            Action::FindingTriaged => "finding.triage",
        }
    }
}

/// How it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It was done.
    Succeeded,
    /// Wrong credentials.
    Failed,
    /// Refused before checking, because of too many recent failures.
    Throttled,
    /// Not allowed, or not possible (e.g. deleting the last admin).
    Refused,
}

impl Outcome {
    /// The stored name, e.g. `succeeded` (kept in the `audit_log.outcome` column: do not change).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Throttled => "throttled",
            Outcome::Refused => "refused",
        }
    }
}

/// One entry to record.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Who did it: a user name, or [`CLI_ACTOR`].
    pub actor: String,
    /// What was done.
    pub action: Action,
    /// What it was done to, e.g. the user name, when there is one.
    pub target: Option<String>,
    /// The client's IP address, when the request came over HTTP.
    pub client_ip: Option<IpAddr>,
    /// How it ended.
    pub outcome: Outcome,
}

/// The actor name of the command line on the server.
pub const CLI_ACTOR: &str = "cli";

/// Appends `entry` to the audit log, stamped with the current time (epoch seconds UTC).
///
/// Errors: [`StoreError`] when the auth database cannot be written.
pub fn record(store: &Store, entry: &Entry) -> Result<(), StoreError> {
    store.auth().write(|conn| {
        conn.execute(
            "INSERT INTO audit_log (at, actor, action, target, client_ip, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                crate::ssr::clock::now_secs(),
                entry.actor,
                entry.action.as_str(),
                entry.target,
                entry.client_ip.map(|ip| ip.to_string()),
                entry.outcome.as_str()
            ],
        )?;
        Ok(())
    })
}

/// The newest `limit` entries older than entry `before` (all when `None`), newest first.
pub fn recent(
    store: &Store,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<AuditRecord>, StoreError> {
    store.auth().read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, actor, action, target, client_ip, outcome FROM audit_log
             WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![before.unwrap_or(i64::MAX), limit], |r| {
                Ok(AuditRecord {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    target: r.get(4)?,
                    client_ip: r.get(5)?,
                    outcome: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_newest_first_in_pages() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open_in(dir.path())?;
        let ip: IpAddr = "198.51.100.7".parse().expect("ip");
        for (actor, action, outcome) in [
            ("alice", Action::Login, Outcome::Failed),
            ("alice", Action::Login, Outcome::Succeeded),
            ("alice", Action::TokenCreated, Outcome::Succeeded),
        ] {
            record(
                &store,
                &Entry {
                    actor: actor.to_owned(),
                    action,
                    target: Some("ci".to_owned()),
                    client_ip: Some(ip),
                    outcome,
                },
            )?;
        }
        let page = recent(&store, 2, None)?;
        let seen: Vec<(&str, &str)> = page
            .iter()
            .map(|r| (r.action.as_str(), r.outcome.as_str()))
            .collect();
        assert_eq!(seen, [("token.add", "succeeded"), ("login", "succeeded")]);
        assert_eq!(page[0].client_ip.as_deref(), Some("198.51.100.7"));
        let rest = recent(&store, 2, Some(page[1].id))?;
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].outcome, "failed");
        Ok(())
    }
}
