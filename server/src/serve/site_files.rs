//! The site's files under `/pkg/` (the WASM, its JavaScript, the CSS), served by tower-http's `ServeDir` with
//! their `.gz`/`.br` twins to browsers that accept them. leptos_axum's own file handler drops every request
//! header but `Accept-Encoding`, so it never answers a revalidation with `304`.
//!
//! File names are not hashed, so every response says `Cache-Control: no-cache` (a browser asks again before
//! reusing its copy) and carries an `ETag` taken from the file's bytes when the server started. Only that tag
//! decides a `304`: `If-Modified-Since` is dropped, since a file's time cannot tell versions apart (a rollback
//! serves older files; builds with fixed times serve equal ones), and a page of one version hydrated with the
//! WASM of another fails (their hydration markers differ). RFC 9110 §8.8.3 ETag, §13.1.2 If-None-Match,
//! §12.5.5 Vary; RFC 9111 §5.2.2.4 no-cache.
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Entity tags by path below `gate::PKG_PATH` (`/trailscope.wasm`, `/snippets/…`).
type Tags = Arc<HashMap<String, HeaderValue>>;

/// The service for `app::ssr::auth::gate::PKG_PATH` over the folder `pkg` (`SITE_ROOT/pkg`), tagging the files it
/// holds now.
pub fn service(pkg: &Path) -> Router {
    let mut tags = HashMap::new();
    tag_files(pkg, "", &mut tags);
    Router::new()
        .fallback_service(
            tower_http::services::ServeDir::new(pkg)
                .precompressed_gzip()
                .precompressed_br(),
        )
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(tags),
            revalidate,
        ))
}

/// Adds a weak tag (`W/"` + the first 16 hex digits of the SHA-256 of the bytes + `"`) for every file below `dir`,
/// keyed by `prefix/NAME`. A file that cannot be read is left untagged (ServeDir answers for it as it can).
fn tag_files(dir: &Path, prefix: &str, tags: &mut HashMap<String, HeaderValue>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        if path.is_dir() {
            tag_files(&path, &name, tags);
        } else if let Ok(bytes) = std::fs::read(&path) {
            let hex = hex::encode(&Sha256::digest(&bytes)[..8]);
            if let Ok(tag) = HeaderValue::from_str(&format!("W/\"{hex}\"")) {
                tags.insert(name, tag);
            }
        }
    }
}

/// Answers `304` when the request's `If-None-Match` names the file's tag, else lets `ServeDir` answer without
/// `If-Modified-Since`; either way with the tag, `Cache-Control: no-cache` and `Vary: Accept-Encoding`.
async fn revalidate(State(tags): State<Tags>, mut request: Request, next: Next) -> Response {
    request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    let tag = tags.get(request.uri().path()).cloned();
    let reading = matches!(*request.method(), Method::GET | Method::HEAD);
    let unchanged = reading
        && tag
            .as_ref()
            .is_some_and(|tag| names(request.headers(), tag));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    if let Some(tag) = tag {
        headers.insert(header::ETAG, tag);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether `If-None-Match` lists `tag` (weak comparison: `W/` ignored on either side) or is `*`.
fn names(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(tag.to_str().unwrap_or_default());
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|listed| listed.trim() == "*" || opaque(listed) == ours)
}
