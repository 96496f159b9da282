//! Server functions by domain. Each is a thin adapter: authorise, take the state, call one `ssr` function.
//! Read-only ones are GET endpoints under `/api/` taking URL-encoded arguments, so they can be scripted.
pub mod activity;
pub mod admin;
pub mod auth;
pub mod billing;
pub mod cost_explorer;
pub mod events;
pub mod findings;
pub mod integrity;
pub mod trails;

/// Sets the HTTP status of a failed server function to the error's own (server functions answer 500
/// otherwise), when the request is that server function's own `/api` call from a script; during a page
/// render the page's status is left alone (a widget's error is not the page's).
#[cfg(feature = "ssr")]
pub(crate) fn with_status<T>(
    result: Result<T, crate::error::AppError>,
) -> Result<T, crate::error::AppError> {
    if let Err(error) = &result {
        set_api_status(error);
    }
    result
}

/// Sets the HTTP status of the `/api` call being answered to `error`'s own (see [`with_status`]); does nothing
/// outside one (a page render, no request context).
#[cfg(feature = "ssr")]
pub(crate) fn set_api_status(error: &crate::error::AppError) {
    // A browser form posted without JavaScript accepts HTML: server functions answer it by redirecting back
    // to the form with the error, which a status here would break.
    let is_api_call =
        leptos::prelude::use_context::<axum::http::request::Parts>().is_some_and(|parts| {
            let accepts_html = parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"));
            parts.uri.path().starts_with("/api/") && !accepts_html
        });
    if is_api_call
        && let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
    {
        options.set_status(http_status(error));
    }
}

#[cfg(feature = "ssr")]
fn http_status(error: &crate::error::AppError) -> axum::http::StatusCode {
    axum::http::StatusCode::from_u16(error.status_code()).unwrap_or_default()
}

/// An error answered by a plain axum handler or middleware: its own status, the error as JSON (the same body a
/// failed `/api` server function gives).
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for crate::error::AppError {
    fn into_response(self) -> axum::response::Response {
        (http_status(&self), axum::Json(self)).into_response()
    }
}

/// Server function responses as JSON, the same bytes as server_fn's `Json`, but decoded in the browser from a
/// `&str` (`serde_json::from_str`) rather than a byte slice: resources hydrate their server-rendered values with
/// `from_str`, so each response type's deserializer is compiled into the WASM once, not twice (issue 16, item 6).
pub struct JsonStrEncoding;

impl leptos::server_fn::ContentType for JsonStrEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl leptos::server_fn::FormatType for JsonStrEncoding {
    const FORMAT_TYPE: leptos::server_fn::Format = leptos::server_fn::Format::Text;
}

impl<T: serde::Serialize> leptos::server_fn::Encodes<T> for JsonStrEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<leptos::server_fn::Bytes, Self::Error> {
        serde_json::to_vec(output).map(leptos::server_fn::Bytes::from)
    }
}

impl<T: serde::de::DeserializeOwned> leptos::server_fn::Decodes<T> for JsonStrEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: leptos::server_fn::Bytes) -> Result<T, Self::Error> {
        let text =
            std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}

/// The output encoding of every server function: JSON (see [`JsonStrEncoding`]).
pub type JsonStr = leptos::server_fn::codec::Post<JsonStrEncoding>;
