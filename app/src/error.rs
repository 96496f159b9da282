//! `AppError`: the one error type that crosses the wire. Server-side modules translate their own errors into it
//! in one place each (`From` impls under `ssr`), where the real cause is logged; `Internal` never carries it.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("please log in")]
    Unauthorized,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("{what} is unavailable right now")]
    Unavailable { what: String },
    #[error("something went wrong on the server; the details are in its log")]
    Internal,
}

impl AppError {
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
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(reason) => Self::invalid("arguments", reason),
            ServerFnErrorErr::MissingArg(arg) => Self::invalid(&arg, "missing"),
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Unavailable {
                what: "the server".to_owned(),
            },
            _ => Self::Internal,
        }
    }
}
