//! Who may do what. Authentication happens in one place, the [`gate`] in front of every route: it turns a
//! session cookie, an API token or a trusted proxy's word into a [`Principal`] on the request, or refuses the
//! request. Every server function then calls [`authorize`] first, which checks that principal's role.
pub mod gate;
pub mod proxy;
pub mod roles;
pub mod sessions;
pub mod settings;
pub mod throttle;
pub mod tokens;
pub mod users;

use crate::error::AppError;
use crate::ssr::audit::{self, Action, Outcome};
use crate::ssr::state::AppState;
use std::net::IpAddr;

pub use roles::Role;
pub use settings::AuthSettings;

/// How a request proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    Session,
    Token,
    Proxy,
}

/// Who is making a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user's name, or the token's.
    pub name: String,
    pub role: Role,
    pub credential: Credential,
}

impl Principal {
    /// The name the audit log and the nav show: tokens are marked as such.
    pub fn actor(&self) -> String {
        match self.credential {
            Credential::Token => format!("token {}", self.name),
            Credential::Session | Credential::Proxy => self.name.clone(),
        }
    }
}

/// The client's address as the gate worked it out (the peer, or a trusted proxy's `X-Forwarded-For`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

/// Checks that the current request may act with `needed`. Call first in every server function.
pub async fn authorize(needed: Role) -> Result<Principal, AppError> {
    let axum::Extension(principal) = leptos_axum::extract::<axum::Extension<Principal>>()
        .await
        .map_err(|_| AppError::Unauthorized)?;
    if principal.role >= needed {
        Ok(principal)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The current request's client address, if known.
pub async fn client_address() -> Option<IpAddr> {
    leptos_axum::extract::<axum::Extension<ClientAddress>>()
        .await
        .ok()
        .and_then(|axum::Extension(ClientAddress(ip))| ip)
}

/// Records a sensitive action in the audit log. A failure to record is logged, and returned, so that the
/// caller can refuse an action it could not account for.
pub async fn audit(state: &AppState, entry: audit::Entry) -> Result<(), AppError> {
    state
        .blocking(move |store| audit::record(store, &entry))
        .await
}

/// An audit entry by the current request's principal (or `actor`) from the current client address.
pub async fn audit_entry(
    actor: &str,
    action: Action,
    target: Option<&str>,
    outcome: Outcome,
) -> audit::Entry {
    audit::Entry {
        actor: actor.to_owned(),
        action,
        target: target.map(str::to_owned),
        client_ip: client_address().await,
        outcome,
    }
}

impl From<users::UserError> for AppError {
    fn from(error: users::UserError) -> Self {
        match error {
            users::UserError::BadName => AppError::invalid("name", error.to_string()),
            users::UserError::WeakPassword => AppError::invalid("password", error.to_string()),
            users::UserError::Exists(_) => AppError::invalid("name", error.to_string()),
            users::UserError::NotFound(what) => AppError::NotFound { what },
            users::UserError::LastAdmin(_) => AppError::invalid("name", error.to_string()),
            users::UserError::Hash(_)
            | users::UserError::Random(_)
            | users::UserError::Store(_) => {
                tracing::error!(%error, "user store failed");
                AppError::Internal
            }
        }
    }
}

fn session_failed(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store failed");
    AppError::Internal
}

async fn current_session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|error| {
            tracing::error!(%error, "no session layer in front of the server function");
            AppError::Internal
        })
}

/// Checks a name and password and, when they match, starts a fresh session for that user. Too many recent
/// attempts from the client's address or at the name are refused before the password is looked at.
pub async fn login(name: String, password: String) -> Result<(), AppError> {
    let state = leptos::prelude::expect_context::<AppState>();
    let client_ip = client_address().await;
    let throttled = state
        .auth
        .throttle
        .attempt(client_ip.unwrap_or(IpAddr::from([0, 0, 0, 0])), &name);
    let attempt = |outcome| audit_entry(&name, Action::Login, None, outcome);
    if let Err(refusal) = throttled {
        let retry_after_secs = refusal.retry_after_secs;
        if refusal.report {
            tracing::warn!(?client_ip, retry_after_secs, "login throttled");
            audit(&state, attempt(Outcome::Throttled).await).await?;
        }
        return Err(AppError::TooManyAttempts { retry_after_secs });
    }
    let user = state
        .blocking({
            let name = name.clone();
            move |store| users::verify_password(store, &name, &password)
        })
        .await?;
    let Some(user) = user else {
        tracing::warn!(?client_ip, "failed login");
        audit(&state, attempt(Outcome::Failed).await).await?;
        return Err(AppError::invalid("password", "wrong user name or password"));
    };
    let session = current_session().await?;
    // A new ID at login, so an ID planted before login (session fixation) is worthless after it.
    session.cycle_id().await.map_err(session_failed)?;
    session
        .insert(sessions::USER_ID_KEY, user.id)
        .await
        .map_err(session_failed)?;
    let now = crate::ssr::clock::now_secs();
    session
        .insert(sessions::LOGIN_AT_KEY, now)
        .await
        .map_err(session_failed)?;
    audit(
        &state,
        audit_entry(&user.name, Action::Login, None, Outcome::Succeeded).await,
    )
    .await?;
    tracing::info!(user = %user.name, "login");
    Ok(())
}

/// Ends the current session server-side.
pub async fn logout(principal: &Principal) -> Result<(), AppError> {
    let state = leptos::prelude::expect_context::<AppState>();
    current_session()
        .await?
        .delete()
        .await
        .map_err(session_failed)?;
    audit(
        &state,
        audit_entry(&principal.actor(), Action::Logout, None, Outcome::Succeeded).await,
    )
    .await
}
