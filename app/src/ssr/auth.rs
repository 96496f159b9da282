//! Who may do what. Authentication happens in one place, the [`gate`] in front of every route: it turns the
//! session cookie into a [`Principal`] on the request, or refuses the request. Every server function then
//! calls [`authorize`] first, which checks that principal's role.
pub mod gate;
pub mod sessions;
pub mod users;

use crate::error::AppError;

/// What a request may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "viewer" => Some(Role::Viewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Who is making a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
}

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

impl From<users::UserError> for AppError {
    fn from(error: users::UserError) -> Self {
        tracing::error!(%error, "user store failed");
        AppError::Internal
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

/// Checks a name and password and, when they match, starts a fresh session for that user.
pub async fn login(name: String, password: String) -> Result<(), AppError> {
    let state = leptos::prelude::expect_context::<crate::ssr::state::AppState>();
    let store = state.store.clone();
    let user =
        tokio::task::spawn_blocking(move || users::verify_password(&store, &name, &password))
            .await
            .map_err(|_| AppError::Internal)??;
    let Some(user) = user else {
        tracing::warn!("failed login");
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
    tracing::info!(user = %user.name, "login");
    Ok(())
}

/// Ends the current session server-side.
pub async fn logout() -> Result<(), AppError> {
    current_session()
        .await?
        .delete()
        .await
        .map_err(session_failed)
}
