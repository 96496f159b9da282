//! Who is making a request: the [`Principal`] the gate puts on it, with its [`Role`] and the [`Credential`]
//! it proved itself with.
pub use crate::model::auth::Role;

/// How a request proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A login session's cookie.
    Session,
    /// An API token (`Authorization: Bearer`).
    Token,
    /// An identity-aware proxy's header (proxy sign-on).
    Proxy,
}

/// Who is making a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user's name, or the token's.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// How it proved who it is.
    pub credential: Credential,
}

impl Principal {
    /// The name the audit log and the nav show: tokens are marked as such.
    pub fn actor(&self) -> String {
        match self.credential {
            Credential::Token => format!("token {}", self.name),
            Credential::Session | Credential::Proxy => self.name.clone(),
        }
    }
}
