//! `userIdentity`: who made the request, reduced to the readable name, type and ARN the store indexes
//! (CloudTrail userIdentity element,
//! <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html>).
use super::lenient::{Obj, Text};
use crate::model::events::identity::IDENTITY_CENTER_USER;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawIdentity<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Text<'a>,
    #[serde(borrow)]
    pub principal_id: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
    #[serde(borrow)]
    pub account_id: Text<'a>,
    #[serde(borrow)]
    pub access_key_id: Text<'a>,
    #[serde(borrow)]
    pub user_name: Text<'a>,
    #[serde(borrow)]
    pub invoked_by: Text<'a>,
    #[serde(borrow)]
    pub session_context: Obj<RawSessionContext<'a>>,
    #[serde(borrow)]
    pub on_behalf_of: Obj<RawOnBehalfOf<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawSessionContext<'a> {
    #[serde(borrow)]
    pub session_issuer: Obj<RawIssuer<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawIssuer<'a> {
    #[serde(borrow)]
    pub user_name: Text<'a>,
}

/// `userIdentity.onBehalfOf`: the IAM Identity Center user a request was made for.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct RawOnBehalfOf<'a> {
    #[serde(borrow)]
    pub user_id: Text<'a>,
    #[serde(borrow)]
    pub identity_store_arn: Text<'a>,
}

/// An IAM Identity Center user a record names: since 2025 such records (`userIdentity.type`
/// `IdentityCenterUser`) carry no ARN or user name, only `onBehalfOf.userId` and the identity store's ARN.
/// Successful sign-ins also write the name the person signed in with in `additionalEventData.UserName`
/// (<https://docs.aws.amazon.com/singlesignon/latest/userguide/username-sign-in-cloudtrail-events.html>).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityCenterUser {
    /// `onBehalfOf.userId`: the user's ID in the identity store.
    pub user_id: String,
    /// `arn:aws:identitystore::ACCOUNT:identitystore/d-…`, when the record gives it.
    pub identity_store_arn: Option<String>,
    /// The sign-in name, when this record carries one.
    pub user_name: Option<String>,
    /// The account of the event that named the user (the identity store's, when its ARN does not say).
    pub account_id: String,
}

/// The part of `arn` after the first `marker`, unless empty.
fn after<'a>(arn: &'a str, marker: &str) -> Option<&'a str> {
    arn.split_once(marker)
        .map(|(_, rest)| rest)
        .filter(|r| !r.is_empty())
}

/// The readable name an ARN gives by its own shape, whatever `type` says (an `Unknown` identity can carry an
/// assumed-role ARN): `root`; `ROLE/SESSION` for a role session; the last path segment of an IAM user or role
/// (`user/division/Bob` → `Bob`); a federated user's name.
fn name_from_arn(arn: &str) -> Option<&str> {
    if arn.ends_with(":root") {
        return Some("root");
    }
    after(arn, ":assumed-role/")
        .or_else(|| after(arn, ":federated-user/"))
        .or_else(|| {
            after(arn, ":user/")
                .or_else(|| after(arn, ":role/"))
                .and_then(|p| p.rsplit('/').next())
        })
        .filter(|n| !n.is_empty())
}

impl RawIdentity<'_> {
    /// The name a person would use for this principal, from the best field the record has, in this order:
    /// 1. `Root` → `root`;
    /// 2. the ARN's own shape ([`name_from_arn`]);
    /// 3. by type: `IdentityCenterUser` → `onBehalfOf.userId`, `AWSService` → `invokedBy`, `AWSAccount` →
    ///    `accountId`;
    /// 4. `userName` (IAM, SAML, web identity and `Unknown` users);
    /// 5. the session issuer's `userName`;
    /// 6. `principalId`;
    /// 7. `invokedBy`.
    ///
    /// `None` only when the record names nobody at all.
    pub fn readable_name(&self) -> Option<String> {
        let kind = self.kind.get().unwrap_or("");
        let by_type = || match kind {
            IDENTITY_CENTER_USER => self.identity_center_user_id(),
            "AWSService" => self.invoked_by.get(),
            "AWSAccount" => self.account_id.get(),
            _ => None,
        };
        let issuer = || {
            self.session_context
                .0
                .as_ref()
                .and_then(|c| c.session_issuer.0.as_ref())
                .and_then(|i| i.user_name.get())
        };
        (kind == "Root")
            .then_some("root")
            .or_else(|| self.arn.get().and_then(name_from_arn))
            .or_else(by_type)
            .or_else(|| self.user_name.get())
            .or_else(issuer)
            .or_else(|| self.principal_id.get())
            .or_else(|| self.invoked_by.get())
            .map(str::to_owned)
    }

    /// The ARN that identifies the principal (the service's name for an AWS service, which has none).
    pub fn arn(&self) -> Option<String> {
        self.arn.owned().or_else(|| self.invoked_by.owned())
    }

    fn identity_center_user_id(&self) -> Option<&str> {
        self.on_behalf_of.0.as_ref().and_then(|o| o.user_id.get())
    }

    /// The Identity Center user behind a request of `account_id`, with the sign-in name when `sign_in_name`
    /// (`additionalEventData.UserName`) gives one.
    pub fn identity_center_user(
        &self,
        sign_in_name: Option<&str>,
        account_id: &str,
    ) -> Option<IdentityCenterUser> {
        let on_behalf_of = self.on_behalf_of.0.as_ref()?;
        Some(IdentityCenterUser {
            user_id: on_behalf_of.user_id.owned()?,
            identity_store_arn: on_behalf_of.identity_store_arn.owned(),
            user_name: sign_in_name.map(str::to_owned),
            account_id: account_id.to_owned(),
        })
    }
}
