//! Logging in and out: the password check behind the failed-login throttle, a fresh session ID at login, and
//! both recorded in the audit log.
use super::{Principal, audit, audit_entry, client_address, sessions, users};
use crate::error::AppError;
use crate::ssr::audit::{Action, Outcome};
use crate::ssr::state::AppState;
use std::net::IpAddr;

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
        .auth_blocking({
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
