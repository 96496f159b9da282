//! The gate in front of every route. Public paths pass; any other request needs credentials: a trusted
//! proxy's word (when proxy sign-on is on), an API token (`Authorization: Bearer`, read-only `/api` calls
//! only) or a live login session. Pages without them are sent to the login page, `/api` answers 401, and
//! `/api/admin/` needs the admin role. State-changing requests must also come from this origin.
use super::sessions::{LOGIN_AT_KEY, USER_ID_KEY};
use super::users::{User, find_user, find_user_by_name};
use super::{ClientAddress, Credential, Principal, Role, tokens};
use crate::error::AppError;
use crate::ssr::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::{IpAddr, SocketAddr};
use tower_sessions::Session;

/// A session ends this long after login, however active (OWASP: absolute timeouts bound a stolen cookie).
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 3_600;
/// The login server function's path: public, since it is how one logs in.
pub const LOGIN_ENDPOINT: &str = "/api/auth/login";
/// Server functions under this path are for admins only (their own `authorize` checks it again).
pub const ADMIN_API: &str = "/api/admin/";

/// Where the site's files (the WASM, its JavaScript, the CSS; `SITE_ROOT/pkg`) are served: public, since the
/// login page needs them.
pub const PKG_PATH: &str = "/pkg";

fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/healthz" | "/readyz" | "/login" | "/favicon.svg" | LOGIN_ENDPOINT
    ) || path
        .strip_prefix(PKG_PATH)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// True when a state-changing request carries an `Origin` (or else `Referer`) of this very host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    source
        .and_then(|s| s.split_once("://"))
        .is_some_and(|(_, rest)| rest.split('/').next() == Some(host))
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn principal_of(user: User, credential: Credential) -> Principal {
    Principal {
        name: user.name,
        role: user.role,
        credential,
    }
}

/// The logged-in user of this session, ending the session when it is past its absolute timeout or its user
/// is gone.
async fn session_principal(state: &AppState, session: &Session) -> Option<Principal> {
    let user_id = session.get::<i64>(USER_ID_KEY).await.ok().flatten()?;
    let login_at = session
        .get::<i64>(LOGIN_AT_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or(0);
    let user = state
        .auth_blocking(move |store| find_user(store, user_id))
        .await
        .ok()
        .flatten();
    match user {
        Some(user) if crate::ssr::clock::now_secs() - login_at < ABSOLUTE_TIMEOUT_SECS => {
            Some(principal_of(user, Credential::Session))
        }
        _ => {
            let _ = session.flush().await;
            None
        }
    }
}

/// The user a trusted proxy signed in: a Trailscope user of that name, else the configured default role.
async fn proxy_principal(state: &AppState, name: String) -> Option<Principal> {
    let user = state
        .auth_blocking({
            let name = name.clone();
            move |store| find_user_by_name(store, &name)
        })
        .await
        .ok()
        .flatten();
    match user {
        Some(user) => Some(principal_of(user, Credential::Proxy)),
        None => {
            let role = state.auth.proxy.default_role;
            if role.is_none() {
                tracing::warn!("the proxy signed in a user who is not a Trailscope user");
            }
            role.map(|role| Principal {
                name,
                role,
                credential: Credential::Proxy,
            })
        }
    }
}

async fn token_principal(state: &AppState, secret: String) -> Option<Principal> {
    let token = state
        .auth_blocking(move |store| tokens::authenticate_token(store, &secret))
        .await
        .ok()
        .flatten()?;
    Some(Principal {
        name: token.name,
        role: token.role,
        credential: Credential::Token,
    })
}

/// What a request offers as proof of who it is, taken from its headers before any await (a request is not
/// `Sync`, so it cannot be held across one).
enum Offered {
    /// A trusted proxy named this user.
    Proxy(String),
    /// A bearer token on a read-only API call. When present it must be valid: no falling back to the session.
    Token(String),
    Session,
}

fn offered(state: &AppState, request: &Request, peer: Option<IpAddr>) -> Offered {
    if let Some(name) = state.auth.proxy.signed_in_user(peer, request.headers()) {
        return Offered::Proxy(name);
    }
    let read_only_api = matches!(*request.method(), Method::GET | Method::HEAD)
        && request.uri().path().starts_with("/api/");
    match bearer_token(request.headers()) {
        Some(secret) if read_only_api => Offered::Token(secret.to_owned()),
        _ => Offered::Session,
    }
}

async fn credentials(state: &AppState, session: &Session, offered: Offered) -> Option<Principal> {
    match offered {
        Offered::Proxy(name) => proxy_principal(state, name).await,
        Offered::Token(secret) => token_principal(state, secret).await,
        Offered::Session => session_principal(state, session).await,
    }
}

/// The axum middleware in front of every route (see the module documentation): it records the client's
/// address, refuses cross-origin writes (403), lets public paths pass, and asks every other request for
/// credentials.
pub async fn gate(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let client = state.auth.proxy.client_ip(peer, request.headers());
    request.extensions_mut().insert(ClientAddress(client));
    if !matches!(*request.method(), Method::GET | Method::HEAD) && !same_origin(request.headers()) {
        return AppError::Forbidden.into_response();
    }
    let path = request.uri().path().to_owned();
    if is_public(&path) {
        return next.run(request).await;
    }
    let offered = offered(&state, &request, peer);
    match credentials(&state, &session, offered).await {
        Some(principal) if path.starts_with(ADMIN_API) && !principal.role.allows(Role::Admin) => {
            AppError::Forbidden.into_response()
        }
        Some(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        None if path.starts_with("/api/") => AppError::Unauthorized.into_response(),
        None => {
            // A path the login would refuse to follow is not carried to it (`//evil` asked of this host).
            let wanted = request.uri().path_and_query().map(|p| p.as_str());
            match wanted.and_then(crate::model::redirect::same_origin_path) {
                Some(next) => {
                    let next = crate::model::filter::encode_component(next);
                    Redirect::to(&format!("/login?next={next}")).into_response()
                }
                None => Redirect::to("/login").into_response(),
            }
        }
    }
}
