//! Server functions by domain. Each is a thin adapter: authorise, take the state, call one `ssr` function.
//! Read-only ones are GET endpoints under `/api/` taking URL-encoded arguments, so they can be scripted.
pub mod activity;

/// Sets the HTTP status of a failed server function to the error's own (server functions answer 500 otherwise).
#[cfg(feature = "ssr")]
pub(crate) fn with_status<T>(
    result: Result<T, crate::error::AppError>,
) -> Result<T, crate::error::AppError> {
    if let Err(error) = &result
        && let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
    {
        options
            .set_status(axum::http::StatusCode::from_u16(error.status_code()).unwrap_or_default());
    }
    result
}
