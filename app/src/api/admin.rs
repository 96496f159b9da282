//! `/api/admin/*`: users, API tokens and the audit log, for admins only (the gate checks the role for the
//! whole path, and each function checks it again). Changes are POSTs; new secrets come back once.
use crate::error::AppError;
use crate::model::admin::{AuditRecord, NewSecret, TokenInfo, UserInfo};
use crate::model::auth::Role;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
async fn as_admin<T, F: Future<Output = Result<T, AppError>>>(
    work: impl FnOnce(crate::ssr::state::AppState, crate::ssr::auth::Principal) -> F,
) -> Result<T, AppError> {
    let result = async {
        let principal = crate::ssr::auth::authorize(Role::Admin).await?;
        work(expect_context::<crate::ssr::state::AppState>(), principal).await
    }
    .await;
    crate::api::with_status(result)
}

/// Every dashboard user, by name (never their password hashes).
#[server(prefix = "/api", endpoint = "admin/users", input = GetUrl, output = crate::api::JsonStr)]
pub async fn list_users() -> Result<Vec<UserInfo>, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::list_users(&state).await }).await
}

/// Adds a user with a generated password, shown once.
#[server(prefix = "/api", endpoint = "admin/users/add", output = crate::api::JsonStr)]
pub async fn add_user(
    /// Login name: 1 to 64 letters, digits or `. _ @ -`.
    name: String,
    /// What the user may do.
    role: Role,
) -> Result<NewSecret, AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::add_user(&state, &by, name, role).await })
        .await
}

/// Gives a user a new generated password, shown once, and logs them out everywhere.
#[server(prefix = "/api", endpoint = "admin/users/password", output = crate::api::JsonStr)]
pub async fn reset_password(
    /// The user's login name.
    name: String,
) -> Result<NewSecret, AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::reset_password(&state, &by, name).await })
        .await
}

/// Deletes a user and ends their sessions; refused for the last admin.
#[server(prefix = "/api", endpoint = "admin/users/delete", output = crate::api::JsonStr)]
pub async fn delete_user(
    /// The user's login name.
    name: String,
) -> Result<(), AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::delete_user(&state, &by, name).await })
        .await
}

/// Every API token: name, role, hint and dates (never the tokens).
#[server(prefix = "/api", endpoint = "admin/tokens", input = GetUrl, output = crate::api::JsonStr)]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::list_tokens(&state).await }).await
}

/// Creates an API token, shown once. `expires_in_days`: a number of days, or empty for "until revoked".
#[server(prefix = "/api", endpoint = "admin/tokens/add", output = crate::api::JsonStr)]
pub async fn create_token(
    /// The token's name, unique.
    name: String,
    /// What the token may do.
    role: Role,
    /// Days until the token stops working, or empty for "until revoked".
    expires_in_days: String,
) -> Result<NewSecret, AppError> {
    as_admin(|state, by| async move {
        crate::ssr::admin::create_token(&state, &by, name, role, &expires_in_days).await
    })
    .await
}

/// Revokes a token: it stops working at once.
#[server(prefix = "/api", endpoint = "admin/tokens/revoke", output = crate::api::JsonStr)]
pub async fn revoke_token(
    /// The token's name.
    name: String,
) -> Result<(), AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::revoke_token(&state, &by, name).await })
        .await
}

/// The newest audit entries, older than entry `before` when given.
#[server(prefix = "/api", endpoint = "admin/audit", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_audit_log(
    /// An audit entry's row ID: only older entries are returned.
    before: Option<i64>,
) -> Result<Vec<AuditRecord>, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::audit_log(&state, before).await }).await
}

/// Starts an Event History sync now, in the background. `false`: one is already running.
#[server(prefix = "/api", endpoint = "admin/sync", output = crate::api::JsonStr)]
pub async fn start_sync() -> Result<bool, AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::start_sync(&state, &by).await }).await
}

/// The store's database files (schema version found and expected, bytes) and its raw-record segment bytes.
#[server(prefix = "/api", endpoint = "admin/store", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_store_info() -> Result<crate::model::admin::StoreInfo, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::store_info(&state).await }).await
}

/// Event History sync per account and Region: how far it has read, when it last succeeded, its last error.
#[server(prefix = "/api", endpoint = "admin/sync/status", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_sync_status() -> Result<Vec<crate::model::sync::SyncStatus>, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::sync_status(&state).await }).await
}
