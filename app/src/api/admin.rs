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

#[server(prefix = "/api", endpoint = "admin/users", input = GetUrl)]
pub async fn list_users() -> Result<Vec<UserInfo>, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::list_users(&state).await }).await
}

/// Adds a user with a generated password, shown once.
#[server(prefix = "/api", endpoint = "admin/users/add")]
pub async fn add_user(name: String, role: Role) -> Result<NewSecret, AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::add_user(&state, &by, name, role).await })
        .await
}

/// Gives a user a new generated password, shown once, and logs them out everywhere.
#[server(prefix = "/api", endpoint = "admin/users/password")]
pub async fn reset_password(name: String) -> Result<NewSecret, AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::reset_password(&state, &by, name).await })
        .await
}

#[server(prefix = "/api", endpoint = "admin/users/delete")]
pub async fn delete_user(name: String) -> Result<(), AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::delete_user(&state, &by, name).await })
        .await
}

#[server(prefix = "/api", endpoint = "admin/tokens", input = GetUrl)]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::list_tokens(&state).await }).await
}

/// Creates an API token, shown once. `expires_in_days`: a number of days, or empty for "until revoked".
#[server(prefix = "/api", endpoint = "admin/tokens/add")]
pub async fn create_token(
    name: String,
    role: Role,
    expires_in_days: String,
) -> Result<NewSecret, AppError> {
    as_admin(|state, by| async move {
        crate::ssr::admin::create_token(&state, &by, name, role, &expires_in_days).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "admin/tokens/revoke")]
pub async fn revoke_token(name: String) -> Result<(), AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::revoke_token(&state, &by, name).await })
        .await
}

/// The newest audit entries, older than entry `before` when given.
#[server(prefix = "/api", endpoint = "admin/audit", input = GetUrl)]
pub async fn get_audit_log(before: Option<i64>) -> Result<Vec<AuditRecord>, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::audit_log(&state, before).await }).await
}

/// Starts an Event History sync now, in the background. `false`: one is already running.
#[server(prefix = "/api", endpoint = "admin/sync")]
pub async fn start_sync() -> Result<bool, AppError> {
    as_admin(|state, by| async move { crate::ssr::admin::start_sync(&state, &by).await }).await
}

/// Event History sync per account and Region: how far it has read, when it last succeeded, its last error.
/// The store's database files (schema version found and expected, bytes) and its raw-record segment bytes.
#[server(prefix = "/api", endpoint = "admin/store", input = GetUrl)]
pub async fn get_store_info() -> Result<crate::model::admin::StoreInfo, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::store_info(&state).await }).await
}

#[server(prefix = "/api", endpoint = "admin/sync/status", input = GetUrl)]
pub async fn get_sync_status() -> Result<Vec<crate::model::sync::SyncStatus>, AppError> {
    as_admin(|state, _| async move { crate::ssr::admin::sync_status(&state).await }).await
}
