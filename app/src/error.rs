//! `AppError`: the one error type that crosses the wire. Server-side modules translate their own errors into it
//! in one place each (`From` impls under `ssr`), where the real cause is logged; `Internal` never carries it.
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// The one error a server function answers with; each variant maps to one HTTP status
/// ([`AppError::status_code`]) and reads on its own to a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session or API token (HTTP 401).
    #[error("please log in")]
    Unauthorized,
    /// Logged in, but the role does not allow it (HTTP 403).
    #[error("you are not allowed to do this")]
    Forbidden,
    /// The thing asked for does not exist (HTTP 404).
    #[error("{what} not found")]
    NotFound {
        /// What was not found, e.g. `event`.
        what: String,
    },
    /// An input is not valid (HTTP 400).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The input's name, e.g. `size`.
        field: String,
        /// Why it is not valid.
        reason: String,
    },
    /// Too many login attempts from this client or for this user name (HTTP 429).
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts {
        /// Seconds until another attempt is allowed.
        retry_after_secs: u64,
    },
    /// A dependency (the store, AWS) cannot answer now (HTTP 503).
    #[error("{what} is unavailable right now")]
    Unavailable {
        /// What is unavailable, e.g. `the server`.
        what: String,
    },
    /// Anything else (HTTP 500); the cause is in the server's log, never sent to the browser.
    #[error("something went wrong on the server; the details are in its log")]
    Internal,
}

impl AppError {
    /// [`AppError::Invalid`] for input `field`, with a `reason` a user can act on.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound { .. } => 404,
            Self::Invalid { .. } => 400,
            Self::TooManyAttempts { .. } => 429,
            Self::Unavailable { .. } => 503,
            Self::Internal => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::api::JsonStrEncoding;

    /// Arguments that do not decode (`/api/events/search?range=7d&range=24h`: a key given twice) are the
    /// caller's mistake: answered 400 with the reason, like any other [`AppError::Invalid`].
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(reason) => Self::invalid("arguments", reason),
            ServerFnErrorErr::MissingArg(arg) => Self::invalid(&arg, "missing"),
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Unavailable {
                what: "the server".to_owned(),
            },
            _ => Self::Internal,
        };
        #[cfg(feature = "ssr")]
        if matches!(error, Self::Invalid { .. }) {
            crate::api::set_api_status(&error);
        }
        error
    }
}
