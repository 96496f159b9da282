//! Who may do what. Authentication happens in one place, the [`gate`] in front of every route: it turns a
//! session cookie, an API token or a trusted proxy's word into a [`Principal`] on the request, or refuses the
//! request. Every server function then calls [`authorize`] first, which checks that principal's role.
//! [`roles`] says who a request is, [`extraction`] what a server function reads of it, [`login`] starts and
//! ends sessions, and [`audit`](mod@audit) records what requests did.
pub mod audit;
pub mod extraction;
pub mod gate;
pub mod login;
pub mod proxy;
pub mod roles;
pub mod sessions;
pub mod settings;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use audit::{audit, audit_entry};
pub use extraction::{ClientAddress, authorize, client_address};
pub use login::{login, logout};
pub use roles::{Credential, Principal, Role};
pub use settings::AuthSettings;

use crate::error::AppError;

impl From<users::UserError> for AppError {
    fn from(error: users::UserError) -> Self {
        match error {
            users::UserError::BadName => AppError::invalid("name", error.to_string()),
            users::UserError::WeakPassword => AppError::invalid("password", error.to_string()),
            users::UserError::Exists(_) => AppError::invalid("name", error.to_string()),
            users::UserError::NotFound(what) => AppError::NotFound { what },
            users::UserError::LastAdmin(_) => AppError::invalid("name", error.to_string()),
            users::UserError::Hash(_)
            | users::UserError::Random(_)
            | users::UserError::Store(_) => {
                tracing::error!(%error, "user store failed");
                AppError::Internal
            }
        }
    }
}
