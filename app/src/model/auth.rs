//! Who may do what, as both sides see it: the [`Role`] a user or API token holds. It crosses the wire as
//! `"viewer"` or `"admin"` (the same words the store and the CLI use), and every decision, on the server and
//! in the browser, is made by [`Role::allows`], never by comparing those words.
use serde::{Deserialize, Serialize};

/// What a user or API token may do. Ordered: an admin may do everything a viewer may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads every page and read-only API.
    Viewer,
    /// Also manages users, tokens and the audit log, and spends AWS API quota (trail refresh, sync).
    Admin,
}

impl Role {
    /// Every role, least privileged first (for choosers).
    pub const ALL: [Role; 2] = [Role::Viewer, Role::Admin];

    /// The role's word in the store, the CLI and on the wire: `viewer` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    /// The role named by its word (`viewer`, `admin`); `None` for any other text.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// True when this role may do what `needed` may: the one rule behind the server's checks and what the
    /// pages offer.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_cross_the_wire_as_their_words_and_admins_may_do_what_viewers_may() {
        for role in Role::ALL {
            let wire = serde_json::to_string(&role).expect("serialize");
            assert_eq!(wire, format!("\"{}\"", role.as_str()));
            assert_eq!(serde_json::from_str::<Role>(&wire).ok(), Some(role));
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Admin"), None);
        assert!(Role::Admin.allows(Role::Viewer) && Role::Admin.allows(Role::Admin));
        assert!(Role::Viewer.allows(Role::Viewer) && !Role::Viewer.allows(Role::Admin));
    }
}
