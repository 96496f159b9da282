//! The one place where requests are authorised. Every server function calls [`authorize`] before anything
//! else, and the `/api` router layer calls it for every route, so adding login changes only this module.
//!
//! Until user accounts exist (issue 5: login, roles and API tokens) every request is let in as the
//! anonymous viewer; bind the server to localhost (the default) until then.
pub mod sessions;
pub mod users;

use crate::error::AppError;

/// What a request may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "viewer" => Some(Role::Viewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Who is making a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
}

/// Checks that the current request may act with `needed`. Call first in every server function.
pub async fn authorize(needed: Role) -> Result<Principal, AppError> {
    let principal = Principal {
        name: "anonymous".to_owned(),
        role: Role::Viewer,
    };
    if principal.role >= needed {
        Ok(principal)
    } else {
        Err(AppError::Forbidden)
    }
}
