//! The admin's Settings services: users, API tokens and the audit log. Each change is recorded in the audit
//! log under the acting principal; new passwords and tokens are returned once and kept nowhere.
use crate::error::AppError;
use crate::model::admin::{AuditRecord, NewSecret, TokenInfo, UserInfo};
use crate::ssr::audit::{Action, Outcome};
use crate::ssr::auth::{Principal, Role, audit, audit_entry, tokens, users};
use crate::ssr::state::AppState;

/// Audit entries per page.
pub const AUDIT_PAGE: u32 = 100;
/// Token lifetimes an admin may choose, in days (`None`: until revoked).
const MAX_TOKEN_DAYS: u32 = 3_650;

async fn record(
    state: &AppState,
    by: &Principal,
    action: Action,
    target: &str,
) -> Result<(), AppError> {
    audit(
        state,
        audit_entry(&by.actor(), action, Some(target), Outcome::Succeeded).await,
    )
    .await
}

/// Every user, by name. Errors: [`AppError::Internal`] when the store cannot be read.
pub async fn list_users(state: &AppState) -> Result<Vec<UserInfo>, AppError> {
    let users = state.blocking(users::list_users).await?;
    Ok(users
        .into_iter()
        .map(|u| UserInfo {
            name: u.name,
            role: u.role,
            created_at: u.created_at,
            password_changed_at: u.password_changed_at,
        })
        .collect())
}

/// Adds a user with a generated password, returned once.
pub async fn add_user(
    state: &AppState,
    by: &Principal,
    name: String,
    role: Role,
) -> Result<NewSecret, AppError> {
    let (name, secret) = state
        .blocking(move |store| {
            let password = users::generate_password()?;
            let user = users::add_user(store, name.trim(), role, &password)?;
            Ok::<_, users::UserError>((user.name, password))
        })
        .await?;
    record(state, by, Action::UserAdded, &name).await?;
    Ok(NewSecret { name, secret })
}

/// Gives a user a new generated password (returned once) and ends their sessions.
pub async fn reset_password(
    state: &AppState,
    by: &Principal,
    name: String,
) -> Result<NewSecret, AppError> {
    let (name, secret) = state
        .blocking(move |store| {
            let password = users::generate_password()?;
            users::set_password(store, &name, &password)?;
            Ok::<_, users::UserError>((name, password))
        })
        .await?;
    record(state, by, Action::PasswordChanged, &name).await?;
    Ok(NewSecret { name, secret })
}

/// Deletes user `name` and ends their sessions, audited under `by`.
/// Errors: [`AppError::NotFound`], or [`AppError::Invalid`] for the last admin.
pub async fn delete_user(state: &AppState, by: &Principal, name: String) -> Result<(), AppError> {
    let target = name.clone();
    state
        .blocking(move |store| users::delete_user(store, &name))
        .await?;
    record(state, by, Action::UserDeleted, &target).await
}

/// Every API token. Errors: [`AppError::Internal`] when the store cannot be read.
pub async fn list_tokens(state: &AppState) -> Result<Vec<TokenInfo>, AppError> {
    state.blocking(tokens::list_tokens).await
}

/// Creates an API token valid for `expires_in_days` (until revoked when empty or `never`), returned once.
pub async fn create_token(
    state: &AppState,
    by: &Principal,
    name: String,
    role: Role,
    expires_in_days: &str,
) -> Result<NewSecret, AppError> {
    let days = match expires_in_days.trim() {
        "" | "never" => None,
        text => Some(
            text.parse::<u32>()
                .ok()
                .filter(|d| (1..=MAX_TOKEN_DAYS).contains(d))
                .ok_or_else(|| {
                    AppError::invalid(
                        "expires_in_days",
                        format!("a token lives 1 to {MAX_TOKEN_DAYS} days, or until revoked"),
                    )
                })?,
        ),
    };
    let expires_at = days.map(|d| crate::ssr::clock::now_secs() + i64::from(d) * 86_400);
    let creator = by.actor();
    let name = name.trim().to_owned();
    let secret = state
        .blocking({
            let name = name.clone();
            move |store| tokens::create_token(store, &name, role, &creator, expires_at)
        })
        .await?;
    record(state, by, Action::TokenCreated, &name).await?;
    Ok(NewSecret { name, secret })
}

/// Revokes token `name`, audited under `by`. Errors: [`AppError::NotFound`] when there is no such token.
pub async fn revoke_token(state: &AppState, by: &Principal, name: String) -> Result<(), AppError> {
    let target = name.clone();
    state
        .blocking(move |store| tokens::revoke_token(store, &name))
        .await?;
    record(state, by, Action::TokenRevoked, &target).await
}

/// The newest [`AUDIT_PAGE`] audit entries older than row ID `before` (all when `None`), newest first.
pub async fn audit_log(
    state: &AppState,
    before: Option<i64>,
) -> Result<Vec<AuditRecord>, AppError> {
    state
        .blocking(move |store| crate::ssr::audit::recent(store, AUDIT_PAGE, before))
        .await
}

/// Starts an Event History sync of every configured account and Region in the background; `false` when one
/// is already running.
pub async fn start_sync(state: &AppState, by: &Principal) -> Result<bool, AppError> {
    if state.aws.is_empty() {
        return Err(AppError::Unavailable {
            what: "Event History sync (no AWS account is configured)".to_owned(),
        });
    }
    if state.sync.running.try_lock().is_err() {
        return Ok(false);
    }
    audit(
        state,
        audit_entry(&by.actor(), Action::SyncStarted, None, Outcome::Succeeded).await,
    )
    .await?;
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = crate::ssr::sync::sync_now(&state).await {
            tracing::warn!(%error, "Event History sync failed");
        }
    });
    Ok(true)
}

/// The Event History sync status of every account and Region synced so far.
pub async fn sync_status(
    state: &AppState,
) -> Result<Vec<crate::model::sync::SyncStatus>, AppError> {
    state.blocking(crate::ssr::sync::cursor::statuses).await
}

/// The store's files with their schema versions and sizes (Settings, "Store").
pub async fn store_info(state: &AppState) -> Result<crate::model::admin::StoreInfo, AppError> {
    state.blocking(crate::ssr::store::info::info).await
}
