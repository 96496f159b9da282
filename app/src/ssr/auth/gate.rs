//! The gate in front of every route: public paths pass; any other request needs a live login session (pages
//! are sent to the login page, `/api` answers 401). State-changing requests must also come from this origin.
use super::Principal;
use super::sessions::{LOGIN_AT_KEY, USER_ID_KEY};
use super::users::find_user;
use crate::error::AppError;
use crate::ssr::state::AppState;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// A session ends this long after login, however active (OWASP: absolute timeouts bound a stolen cookie).
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 3_600;
/// The login server function's path: public, since it is how one logs in.
pub const LOGIN_ENDPOINT: &str = "/api/auth/login";

fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/healthz" | "/login" | "/favicon.svg" | LOGIN_ENDPOINT
    ) || path.starts_with("/pkg/")
}

/// True when a state-changing request carries an `Origin` (or else `Referer`) of this very host.
fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
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

/// The logged-in user of this session, ending the session when it is past its absolute timeout or its user
/// is gone.
async fn principal(state: &AppState, session: &Session) -> Option<Principal> {
    let user_id = session.get::<i64>(USER_ID_KEY).await.ok().flatten()?;
    let login_at = session
        .get::<i64>(LOGIN_AT_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or(0);
    let store = state.store.clone();
    let user = tokio::task::spawn_blocking(move || find_user(&store, user_id))
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    match user {
        Some(user) if crate::ssr::clock::now_secs() - login_at < ABSOLUTE_TIMEOUT_SECS => {
            Some(Principal {
                name: user.name,
                role: user.role,
            })
        }
        _ => {
            let _ = session.flush().await;
            None
        }
    }
}

pub async fn gate(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) && !same_origin(&request) {
        return (StatusCode::FORBIDDEN, axum::Json(AppError::Forbidden)).into_response();
    }
    let path = request.uri().path().to_owned();
    if is_public(&path) {
        return next.run(request).await;
    }
    match principal(&state, &session).await {
        Some(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        None if path.starts_with("/api/") => {
            (StatusCode::UNAUTHORIZED, axum::Json(AppError::Unauthorized)).into_response()
        }
        None => {
            let wanted = request.uri().path_and_query().map_or("/", |p| p.as_str());
            let next = crate::model::filter::encode_component(wanted);
            Redirect::to(&format!("/login?next={next}")).into_response()
        }
    }
}
