//! `/api/auth/*`: logging in and out, and who is logged in.
use crate::error::AppError;
use crate::model::auth::Role;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// The logged-in user as the browser may know them: `{"name": "alice", "role": "admin"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// The user's name, or `token NAME` for an API token.
    pub name: String,
    /// What they may do; pages offer only what it [allows](Role::allows).
    pub role: Role,
}

/// Logs in and goes to `next` when it is a path on this site (`model::redirect::after_login`), else `/`. The
/// session ID is replaced at login. A wrong name or password is one error, so it does not tell which was wrong.
#[server(prefix = "/api", endpoint = "auth/login", output = crate::api::JsonStr)]
pub async fn login(
    /// The user's login name.
    username: String,
    /// The user's password.
    password: String,
    /// Where to go after logging in: a path on this site, else `/`.
    next: Option<String>,
) -> Result<(), AppError> {
    crate::api::with_status(crate::ssr::auth::login(username, password).await.map(|()| {
        leptos_axum::redirect(crate::model::redirect::after_login(next.as_deref()));
    }))
}

/// Ends the session and goes to the login page.
#[server(prefix = "/api", endpoint = "auth/logout", output = crate::api::JsonStr)]
pub async fn logout() -> Result<(), AppError> {
    crate::api::with_status(
        async {
            let principal = crate::ssr::auth::authorize(Role::Viewer).await?;
            crate::ssr::auth::logout(&principal).await?;
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// Who is logged in.
#[server(prefix = "/api", endpoint = "auth/me", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_current_user() -> Result<CurrentUser, AppError> {
    crate::api::with_status(
        crate::ssr::auth::authorize(Role::Viewer)
            .await
            .map(|p| CurrentUser {
                name: p.actor(),
                role: p.role,
            }),
    )
}
