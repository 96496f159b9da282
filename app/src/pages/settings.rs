//! Settings, for admins: users, API tokens and the audit log. Every change is an `ActionForm` posting to an
//! `/api/admin/` server function; a new password or token is shown once, right after it is made.
use crate::api::admin::{
    AddUser, CreateToken, DeleteUser, ResetPassword, RevokeToken, StartSync, get_audit_log,
    get_store_info, get_sync_status, list_tokens, list_users,
};
use crate::components::error_list::error_list;
use crate::error::AppError;
use crate::model::admin::{AuditRecord, NewSecret, StoreInfo, TokenInfo, UserInfo};
use crate::model::auth::Role;
use crate::model::format::group_digits;
use crate::model::sync::SyncStatus;
use crate::model::time::format_minute;
use crate::model::time::format_span;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/settings`: users, API tokens, the audit log and the Event History sync status.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let add_user = ServerAction::<AddUser>::new();
    let reset_password = ServerAction::<ResetPassword>::new();
    let delete_user = ServerAction::<DeleteUser>::new();
    let create_token = ServerAction::<CreateToken>::new();
    let revoke_token = ServerAction::<RevokeToken>::new();
    let user_changes = move || {
        (
            add_user.version().get(),
            reset_password.version().get(),
            delete_user.version().get(),
        )
    };
    let token_changes = move || (create_token.version().get(), revoke_token.version().get());
    let users = Resource::new(user_changes, |_| list_users());
    let tokens = Resource::new(token_changes, |_| list_tokens());
    let audit = Resource::new(
        move || (user_changes(), token_changes()),
        |_| get_audit_log(None),
    );

    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <section class="settings-section" aria-labelledby="users-heading">
            <h2 id="users-heading">"Users"</h2>
            <SecretNotice value=add_user.value() what="Password for" />
            <SecretNotice value=reset_password.value() what="New password for" />
            <ActionError value=delete_user.value() />
            <Transition fallback=|| view! { <p class="loading">"Loading users…"</p> }>
                <ErrorBoundary fallback=error_list>
                    {move || Suspend::new(async move {
                        let users = users.await?;
                        Ok::<_, AppError>(view! { <UserTable users reset_password delete_user /> })
                    })}
                </ErrorBoundary>
            </Transition>
            <ActionForm action=add_user attr:class="inline-form" attr:aria-label="Add a user">
                <label>"Name " <input type="text" name="name" required maxlength="64" /></label>
                <label>"Role " <RoleSelect /></label>
                <button type="submit">"Add user"</button>
            </ActionForm>
        </section>
        <section class="settings-section" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"API tokens"</h2>
            <p class="hint">"For scripts: send " <code>"Authorization: Bearer <token>"</code> " with GET requests to " <code>"/api/…"</code> "."</p>
            <SecretNotice value=create_token.value() what="Token" />
            <ActionError value=revoke_token.value() />
            <Transition fallback=|| view! { <p class="loading">"Loading tokens…"</p> }>
                <ErrorBoundary fallback=error_list>
                    {move || Suspend::new(async move {
                        let tokens = tokens.await?;
                        Ok::<_, AppError>(view! { <TokenTable tokens revoke_token /> })
                    })}
                </ErrorBoundary>
            </Transition>
            <ActionForm action=create_token attr:class="inline-form" attr:aria-label="Create a token">
                <label>"Name " <input type="text" name="name" required maxlength="64" /></label>
                <label>"Role " <RoleSelect /></label>
                <label>"Expires "
                    <select name="expires_in_days">
                        <option value="30">"in 30 days"</option>
                        <option value="90" selected>"in 90 days"</option>
                        <option value="365">"in a year"</option>
                        <option value="never">"never (until revoked)"</option>
                    </select>
                </label>
                <button type="submit">"Create token"</button>
            </ActionForm>
        </section>
        <SyncSection />
        <StoreSection />
        <section class="settings-section" aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Audit log"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading the audit log…"</p> }>
                <ErrorBoundary fallback=error_list>
                    {move || Suspend::new(async move {
                        let entries = audit.await?;
                        Ok::<_, AppError>(view! { <AuditTable entries /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The store's files: schema versions (found, and what this build migrates to) and sizes.
#[component]
fn StoreSection() -> impl IntoView {
    let info = Resource::new(|| (), |()| get_store_info());
    view! {
        <section class="settings-section" aria-labelledby="store-heading">
            <h2 id="store-heading">"Store"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading the store…"</p> }>
                <ErrorBoundary fallback=error_list>
                    {move || Suspend::new(async move {
                        let info = info.await?;
                        Ok::<_, AppError>(view! { <StoreTable info /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn StoreTable(info: StoreInfo) -> impl IntoView {
    let megabytes = |bytes: u64| format!("{:.1} MB", bytes as f64 / 1e6);
    view! {
        <table aria-labelledby="store-heading">
            <thead><tr><th scope="col">"File"</th><th scope="col">"Schema version"</th><th scope="col">"Size"</th></tr></thead>
            <tbody>
                {info.files.into_iter().map(|file| {
                    let version = if file.schema_version == file.known_schema_version {
                        file.schema_version.to_string()
                    } else {
                        format!("{} (this build: {})", file.schema_version, file.known_schema_version)
                    };
                    view! { <tr><td><code>{file.name}</code></td><td>{version}</td><td>{megabytes(file.bytes)}</td></tr> }
                }).collect_view()}
                <tr><td><code>"trailscope.blocks/"</code>" (raw records)"</td><td></td><td>{megabytes(info.segment_bytes)}</td></tr>
            </tbody>
        </table>
    }
}

/// Event History sync per account and Region, and a button to sync now.
#[component]
fn SyncSection() -> impl IntoView {
    let start = ServerAction::<StartSync>::new();
    let status = Resource::new(move || start.version().get(), |_| get_sync_status());
    let said = move || match start.value().get() {
        Some(Ok(true)) => Some("Sync started; it runs in the background.".to_owned()),
        Some(Ok(false)) => Some("A sync is already running.".to_owned()),
        Some(Err(error)) => Some(error.to_string()),
        None => None,
    };
    view! {
        <section class="settings-section" aria-labelledby="sync-heading">
            <h2 id="sync-heading">"Event History sync"</h2>
            <ActionForm action=start attr:class="inline-form" attr:aria-label="Sync now">
                <button type="submit">"Sync now"</button>
                <span role="status">{said}</span>
            </ActionForm>
            <Transition fallback=|| view! { <p class="loading">"Loading sync status…"</p> }>
                <ErrorBoundary fallback=error_list>
                    {move || Suspend::new(async move {
                        let rows = status.await?;
                        Ok::<_, AppError>(view! { <SyncTable rows /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn SyncTable(rows: Vec<SyncStatus>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No Event History synced yet (configure AWS accounts; the demo has none)."</p> }.into_any();
    }
    view! {
        <table aria-labelledby="sync-heading">
            <thead><tr><th>"Account"</th><th>"Region"</th><th>"Synced until"</th><th>"Lag"</th><th>"Last success"</th><th>"Events"</th><th>"Last error"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let lag = if r.in_progress { "catching up".to_owned() } else { format_span(r.lag_secs) };
                    view! {
                        <tr>
                            <td>{r.account}</td>
                            <td>{r.region}</td>
                            <td>{format_minute(r.synced_until)}</td>
                            <td>{lag}</td>
                            <td>{r.last_success_at.map_or_else(|| "never".to_owned(), format_minute)}</td>
                            <td class="num">{group_digits(r.events_stored.max(0) as u64)}</td>
                            {if r.region_not_enabled {
                                view! { <td>"Region not enabled for this account"</td> }.into_any()
                            } else {
                                view! { <td class="error-text">{r.last_error.unwrap_or_default()}</td> }.into_any()
                            }}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn RoleSelect() -> impl IntoView {
    view! {
        <select name="role">
            {Role::ALL
                .into_iter()
                .map(|role| view! { <option value=role.as_str() selected=role == Role::Viewer>{role.as_str()}</option> })
                .collect_view()}
        </select>
    }
}

/// A just-made secret, shown once with a warning, or the error that prevented it.
#[component]
fn SecretNotice(
    #[prop(into)] value: Signal<Option<Result<NewSecret, AppError>>>,
    what: &'static str,
) -> impl IntoView {
    move || {
        match value.get() {
        Some(Ok(secret)) => Some(
            view! {
                <div class="secret" role="status">
                    <p>{what} " " <strong>{secret.name}</strong> ": " <code data-testid="new-secret">{secret.secret}</code></p>
                    <p>"Copy it now: it is shown this once and stored only as a hash."</p>
                </div>
            }
            .into_any(),
        ),
        Some(Err(error)) => {
            Some(view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any())
        }
        None => None,
    }
    }
}

#[component]
fn ActionError(#[prop(into)] value: Signal<Option<Result<(), AppError>>>) -> impl IntoView {
    move || {
        value
            .get()
            .and_then(Result::err)
            .map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })
    }
}

#[component]
fn UserTable(
    users: Vec<UserInfo>,
    reset_password: ServerAction<ResetPassword>,
    delete_user: ServerAction<DeleteUser>,
) -> impl IntoView {
    view! {
        <table aria-labelledby="users-heading">
            <thead><tr><th>"Name"</th><th>"Role"</th><th>"Created"</th><th>"Password changed"</th><th>"Actions"</th></tr></thead>
            <tbody>
                {users.into_iter().map(|user| {
                    let (reset_name, delete_name) = (user.name.clone(), user.name.clone());
                    let reset_label = format!("Reset password of {}", user.name);
                    let delete_label = format!("Delete user {}", user.name);
                    view! {
                        <tr>
                            <td>{user.name}</td>
                            <td>{user.role.as_str()}</td>
                            <td>{format_minute(user.created_at)}</td>
                            <td>{format_minute(user.password_changed_at)}</td>
                            <td class="actions">
                                <ActionForm action=reset_password>
                                    <input type="hidden" name="name" value=reset_name />
                                    <button type="submit" aria-label=reset_label>"Reset password"</button>
                                </ActionForm>
                                <ActionForm action=delete_user>
                                    <input type="hidden" name="name" value=delete_name />
                                    <button type="submit" aria-label=delete_label>"Delete"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn TokenTable(tokens: Vec<TokenInfo>, revoke_token: ServerAction<RevokeToken>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="empty">"No API tokens."</p> }.into_any();
    }
    let when = |at: Option<i64>, none: &'static str| at.map_or(none.to_owned(), format_minute);
    view! {
        <table aria-labelledby="tokens-heading">
            <thead><tr><th>"Name"</th><th>"Role"</th><th>"Token"</th><th>"Created by"</th><th>"Created"</th><th>"Expires"</th><th>"Last used"</th><th>"Actions"</th></tr></thead>
            <tbody>
                {tokens.into_iter().map(|token| {
                    let revoke_name = token.name.clone();
                    let revoke_label = format!("Revoke token {}", token.name);
                    view! {
                        <tr>
                            <td>{token.name}</td>
                            <td>{token.role.as_str()}</td>
                            <td><code>{token.hint} "…"</code></td>
                            <td>{token.created_by}</td>
                            <td>{format_minute(token.created_at)}</td>
                            <td>{when(token.expires_at, "never")}</td>
                            <td>{when(token.last_used_at, "never")}</td>
                            <td class="actions">
                                <ActionForm action=revoke_token>
                                    <input type="hidden" name="name" value=revoke_name />
                                    <button type="submit" aria-label=revoke_label>"Revoke"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn AuditTable(entries: Vec<AuditRecord>) -> impl IntoView {
    view! {
        <table aria-labelledby="audit-heading">
            <thead><tr><th>"When (UTC)"</th><th>"Who"</th><th>"Action"</th><th>"Target"</th><th>"Client"</th><th>"Outcome"</th></tr></thead>
            <tbody>
                {entries.into_iter().map(|e| {
                    let class = format!("outcome-{}", e.outcome);
                    view! {
                    <tr class=class>
                        <td>{format_minute(e.at)}</td>
                        <td>{e.actor}</td>
                        <td>{e.action}</td>
                        <td>{e.target.unwrap_or_default()}</td>
                        <td>{e.client_ip.unwrap_or_default()}</td>
                        <td>{e.outcome}</td>
                    </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
