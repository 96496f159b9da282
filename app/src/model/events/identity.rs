//! Who a search is about: the identity filter (`user`: a readable name, a role session's name, or an ARN) and
//! the role filter (`role`: every session of one IAM role). The store's SQL (store/search.rs) and live mode's
//! check of a page (`EventFilter::matches`) both follow these rules.
use crate::error::AppError;
use crate::model::filter::is_account_id;

/// `userIdentity.type` of a request made on behalf of an IAM Identity Center user (since 2025): such records
/// name the person only by `onBehalfOf.userId`, which the store keeps as the readable identity
/// (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html>).
pub const IDENTITY_CENTER_USER: &str = "IdentityCenterUser";

/// The session name in a readable identity name `Role/session`: the part after its last `/`, or `None` when the
/// name has no `/`. Event History's `Username` attribute holds this part for role sessions, and the console's
/// "User name" filter matches it, so `alice@example.com` finds her sessions under every Identity Center
/// permission set (`AWSReservedSSO_…/alice@example.com`). Role and session names cannot contain `/` (IAM
/// `RoleName` and STS `RoleSessionName` patterns), so the split is unambiguous for sessions. The store indexes
/// the same part of its strings (`strings_by_last_part` in store/schema.rs).
pub fn session_name(readable: &str) -> Option<&str> {
    readable
        .rsplit_once('/')
        .map(|(_, session)| session)
        .filter(|s| !s.is_empty())
}

/// Whether the readable identity `have` is one that `user=want` finds: the same name, or a session named `want`.
pub fn identity_matches(want: &str, have: &str) -> bool {
    have == want || session_name(have) == Some(want)
}

/// Whether `name` can be an IAM role name: 1 to 64 of `[A-Za-z0-9+=,.@_-]` (IAM API Reference, `CreateRole`,
/// `RoleName` pattern `[\w+=,.@-]+`).
fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// `role=`: every session of one IAM role. Events store a session's ARN
/// (`arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`), never the role's, so the filter matches the
/// sessions by prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleFilter {
    /// A bare role name: its sessions in every account, by readable names `NAME/session`.
    Named(String),
    /// From the role's ARN `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME` (the path is not part of a session's
    /// ARN): its sessions in that account, by identity ARN.
    InAccount {
        /// The ARN partition, e.g. `aws`.
        partition: String,
        /// The 12-digit account ID.
        account: String,
        /// The role's name, without its path.
        name: String,
    },
}

impl RoleFilter {
    /// Parses a role name or an IAM role ARN; errors name the `role` field.
    pub fn parse(value: &str) -> Result<Self, AppError> {
        let refused = || {
            AppError::invalid(
                "role",
                "use a role name or its ARN, arn:aws:iam::ACCOUNT:role/NAME",
            )
        };
        let value = value.trim();
        if !value.starts_with("arn:") {
            return is_role_name(value)
                .then(|| Self::Named(value.to_owned()))
                .ok_or_else(refused);
        }
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        let [_, partition, "iam", "", account, resource] = parts[..] else {
            return Err(refused());
        };
        let name = resource
            .strip_prefix("role/")
            .and_then(|path_and_name| path_and_name.rsplit('/').next())
            .filter(|name| is_role_name(name))
            .ok_or_else(refused)?;
        let partition_ok = !partition.is_empty()
            && partition
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-');
        if !partition_ok || !is_account_id(account) {
            return Err(refused());
        }
        Ok(Self::InAccount {
            partition: partition.to_owned(),
            account: account.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The prefix every session of the role has: of its identity ARNs (`InAccount`) or of its readable names
    /// (`Named`, `NAME/`). Always ends with `/`.
    pub fn session_prefix(&self) -> String {
        match self {
            Self::Named(name) => format!("{name}/"),
            Self::InAccount {
                partition,
                account,
                name,
            } => format!("arn:{partition}:sts::{account}:assumed-role/{name}/"),
        }
    }

    /// Whether an event with this readable identity and identity ARN is a session of the role.
    pub fn matches(&self, identity: Option<&str>, identity_arn: Option<&str>) -> bool {
        let have = match self {
            Self::Named(_) => identity,
            Self::InAccount { .. } => identity_arn,
        };
        have.is_some_and(|h| h.starts_with(&self.session_prefix()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_name_is_the_part_after_the_role() {
        let sso = "AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com";
        assert_eq!(session_name(sso), Some("alice@example.com"));
        assert_eq!(session_name("alice"), None);
        assert!(identity_matches("alice@example.com", sso));
        assert!(identity_matches(sso, sso));
        assert!(identity_matches("root", "root"));
        assert!(!identity_matches("alice", "bob"));
        assert!(!identity_matches(
            "AWSReservedSSO_AdministratorAccess_0123456789abcdef",
            sso
        ));
    }

    #[test]
    fn a_role_arn_names_its_sessions_in_its_account_whatever_its_path() {
        let role = RoleFilter::parse("arn:aws:iam::111122223333:role/service-role/deploy/Builder")
            .expect("valid");
        assert_eq!(
            role.session_prefix(),
            "arn:aws:sts::111122223333:assumed-role/Builder/"
        );
        assert!(role.matches(
            Some("Builder/run-1"),
            Some("arn:aws:sts::111122223333:assumed-role/Builder/run-1")
        ));
        assert!(!role.matches(
            Some("Builder/run-1"),
            Some("arn:aws:sts::444455556666:assumed-role/Builder/run-1")
        ));
        assert!(!role.matches(
            Some("BuilderTwo/x"),
            Some("arn:aws:sts::111122223333:assumed-role/BuilderTwo/x")
        ));
        let gov = RoleFilter::parse("arn:aws-us-gov:iam::111122223333:role/Ops").expect("valid");
        assert_eq!(
            gov.session_prefix(),
            "arn:aws-us-gov:sts::111122223333:assumed-role/Ops/"
        );
    }

    #[test]
    fn a_bare_role_name_finds_its_sessions_in_every_account() {
        let role = RoleFilter::parse("Builder").expect("valid");
        assert_eq!(role, RoleFilter::Named("Builder".into()));
        assert!(role.matches(Some("Builder/run-1"), None));
        assert!(!role.matches(Some("Builder"), None));
    }

    #[test]
    fn what_is_not_a_role_is_refused() {
        for bad in [
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:sts::111122223333:assumed-role/Builder/x",
            "arn:aws:iam::not an account:role/Builder",
            "arn:aws:iam::111122223333:role/",
            "two words",
            "",
        ] {
            match RoleFilter::parse(bad) {
                Err(AppError::Invalid { field, .. }) => assert_eq!(field, "role", "{bad}"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }
}
