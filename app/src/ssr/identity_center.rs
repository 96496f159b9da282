//! Names of IAM Identity Center users, asked of the Identity Store API. Since 2025 an `IdentityCenterUser`
//! record names the person only by `userIdentity.onBehalfOf.userId`; ingest stores that ID and the identity
//! store it belongs to in `identity_center_users`, and this module fills in the user's name with `DescribeUser`
//! (<https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_DescribeUser.html>).
//!
//! Who is asked: the configured accounts whose ID is the account of `onBehalfOf.identityStoreArn` (the
//! Identity Center instance's account), and any account that sets `identity_center_region` (a delegated
//! administrator). Where: an identity store lives in one Region, which its ARN does not name, so an account's
//! `identity_center_region` when set, else the Region where the store last answered, then the account's
//! Regions in turn until one answers; the Region that answers is remembered in the store's metadata.
//!
//! Failures (`AccessDeniedException`, an unknown user, no account that may ask) are recorded in the row's
//! `last_error` and asked again a day later ([`table::RETRY_AFTER_SECS`]); they never fail the caller.
use crate::ssr::aws::clients::{AccountClients, AwsClients};
use crate::ssr::aws::{AwsAccount, describe};
use crate::ssr::store::identity_center::{self as table, PendingUser, Resolution};
use crate::ssr::store::{Store, StoreError};
use aws_sdk_identitystore::Client;
use aws_sdk_identitystore::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_identitystore::operation::describe_user::{DescribeUserError, DescribeUserOutput};
use aws_sdk_identitystore::types::ResourceType;
use std::sync::Arc;

/// Users asked about in one run at most; the rest wait for the next run.
pub const MAX_USERS_PER_RUN: usize = 1_000;

#[derive(Debug, thiserror::Error)]
/// Why a run resolving IAM Identity Center user names stopped.
pub enum IdentityCenterError {
    #[error(transparent)]
    /// The store could not be read or written.
    Store(#[from] StoreError),
    #[error("a store task failed: {0}")]
    /// A store task failed (panicked or was cancelled); the text says why.
    Task(String),
}

/// What one run did: users asked about, named, and left with an error (asked again a day later).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NamesSummary {
    /// Users asked about (`identitystore:DescribeUser`).
    pub asked: u64,
    /// Users given a name.
    pub named: u64,
    /// Users left with an error; asked again a day later.
    pub failed: u64,
}

impl NamesSummary {
    /// One line for people: `3 asked, 2 named, 1 failed`.
    pub fn line(&self) -> String {
        format!(
            "{} asked, {} named, {} failed",
            self.asked, self.named, self.failed
        )
    }
}

/// What one `DescribeUser` answer says about the user and about the account and Region it was asked in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The user's name: `UserName`, else `DisplayName`.
    Named(String),
    /// The identity store answers here but has no name for this user (`ResourceNotFoundException` of type
    /// `USER`: deleted, or never there): the account and Region are right, the user is not.
    UserProblem(String),
    /// These credentials may not read the store (`AccessDeniedException`); the account's other Regions would
    /// say the same.
    AccessDenied(String),
    /// The store is not here (`ResourceNotFoundException` of type `IDENTITY_STORE`: another Region), or the
    /// call failed: the next Region may answer.
    NotHere(String),
}

impl Answer {
    fn into_resolution(self) -> Resolution {
        match self {
            Answer::Named(name) => Resolution::Named(name),
            Answer::UserProblem(e) | Answer::AccessDenied(e) | Answer::NotHere(e) => {
                Resolution::Failed(e)
            }
        }
    }
}

/// The answer an error code means; `not_found` is the `ResourceType` of a `ResourceNotFoundException`.
pub fn classify(code: Option<&str>, not_found: Option<&ResourceType>, error: String) -> Answer {
    match (code, not_found) {
        (_, Some(ResourceType::User)) => Answer::UserProblem(error),
        (Some("AccessDeniedException"), _) => Answer::AccessDenied(error),
        _ => Answer::NotHere(error),
    }
}

fn answer_of(result: Result<DescribeUserOutput, SdkError<DescribeUserError>>) -> Answer {
    match result {
        Ok(user) => {
            let name = [user.user_name(), user.display_name()]
                .into_iter()
                .flatten()
                .find(|n| !n.trim().is_empty());
            match name {
                Some(name) => Answer::Named(name.to_owned()),
                None => {
                    Answer::UserProblem("DescribeUser gave neither UserName nor DisplayName".into())
                }
            }
        }
        Err(error) => {
            let not_found = match error.as_service_error() {
                Some(DescribeUserError::ResourceNotFoundException(e)) => e.resource_type().cloned(),
                _ => None,
            };
            classify(error.code(), not_found.as_ref(), describe(&error))
        }
    }
}

async fn ask(client: &Client, identity_store_id: &str, user_id: &str) -> Answer {
    answer_of(
        client
            .describe_user()
            .identity_store_id(identity_store_id)
            .user_id(user_id)
            .send()
            .await,
    )
}

/// The Regions to ask `account` in, in order: its `identity_center_region` alone when set, else the Region
/// the store last answered in, then the account's Regions.
pub fn regions_to_try(account: &AwsAccount, remembered: Option<&str>) -> Vec<String> {
    if let Some(region) = &account.identity_center_region {
        return vec![region.clone()];
    }
    let mut regions: Vec<String> = remembered.map(str::to_owned).into_iter().collect();
    for region in account.regions() {
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    regions
}

/// The accounts that may ask about a store of account `owner`, as indices into `accounts`: those whose ID
/// (`ids`, parallel to `accounts`) is `owner`, then those that set `identity_center_region`.
pub fn candidates(
    accounts: &[&AwsAccount],
    ids: &[Option<String>],
    owner: Option<&str>,
) -> Vec<usize> {
    let owns = |i: usize| owner.is_some() && ids.get(i).and_then(Option::as_deref) == owner;
    let owners = (0..accounts.len()).filter(|&i| owns(i));
    let delegated =
        (0..accounts.len()).filter(|&i| !owns(i) && accounts[i].identity_center_region.is_some());
    owners.chain(delegated).collect()
}

async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, IdentityCenterError> {
    crate::ssr::store::off_runtime(store, work)
        .await
        .map_err(|e| IdentityCenterError::Task(e.to_string()))?
        .map_err(IdentityCenterError::from)
}

/// Asks about the users of one identity store (`group`, non-empty), trying each candidate account and Region
/// with the first user until one answers, then asking about the rest there.
async fn resolve_store(
    store: &Arc<Store>,
    accounts: &[AccountClients],
    ids: &[Option<String>],
    group: &[PendingUser],
) -> Result<Vec<(String, Resolution)>, IdentityCenterError> {
    let Some(first) = group.first() else {
        return Ok(Vec::new());
    };
    let store_id = first.identity_store_id.clone();
    let remembered = blocking(store, {
        let store_id = store_id.clone();
        move |s| table::remembered_region(s, &store_id)
    })
    .await?;
    let owner = first.account.as_deref();
    let mut error = format!(
        "no configured account may ask identity store {store_id}: none is its account {} or sets identity_center_region",
        owner.unwrap_or("(unknown)")
    );
    let mut denied = false;
    let configured: Vec<&AwsAccount> = accounts.iter().map(AccountClients::account).collect();
    for index in candidates(&configured, ids, owner) {
        let (clients, account) = (&accounts[index], configured[index]);
        for region in regions_to_try(account, remembered.as_deref()) {
            let client = Client::new(&clients.sdk_config(&region).await);
            let answer = ask(&client, &store_id, &first.user_id).await;
            let reason = match answer {
                Answer::Named(_) | Answer::UserProblem(_) => {
                    if remembered.as_deref() != Some(region.as_str()) {
                        let (store_id, region) = (store_id.clone(), region.clone());
                        blocking(store, move |s| {
                            table::remember_region(s, &store_id, &region)
                        })
                        .await?;
                    }
                    let mut results = vec![(first.user_id.clone(), answer.into_resolution())];
                    for user in &group[1..] {
                        let answer = ask(&client, &store_id, &user.user_id).await;
                        results.push((user.user_id.clone(), answer.into_resolution()));
                    }
                    return Ok(results);
                }
                Answer::AccessDenied(reason) => {
                    denied = true;
                    error = format!("account {} in {region}: {reason}", account.label());
                    break;
                }
                Answer::NotHere(reason) => reason,
            };
            // Access denied says more than "not in this Region", so it is the error kept.
            if !denied {
                error = format!("account {} in {region}: {reason}", account.label());
            }
        }
    }
    tracing::warn!(identity_store = %store_id, users = group.len(), %error, "Identity Center users could not be named; they are asked again in a day");
    Ok(group
        .iter()
        .map(|u| (u.user_id.clone(), Resolution::Failed(error.clone())))
        .collect())
}

/// Names the Identity Center users that still need a name (see [`table::pending`]) through the configured
/// accounts of `aws`, storing each answer. Only store failures are errors; AWS's answers are recorded per user.
pub async fn resolve_names(
    store: &Arc<Store>,
    aws: &AwsClients,
) -> Result<NamesSummary, IdentityCenterError> {
    let accounts = aws.accounts();
    let now = crate::ssr::clock::now_secs();
    let pending = blocking(store, move |s| table::pending(s, now, MAX_USERS_PER_RUN)).await?;
    let mut summary = NamesSummary::default();
    if pending.is_empty() || accounts.is_empty() {
        return Ok(summary);
    }
    let mut ids = Vec::with_capacity(accounts.len());
    for account in accounts {
        ids.push(account.id().await.ok());
    }
    for group in pending.chunk_by(|a, b| a.identity_store_id == b.identity_store_id) {
        let results = resolve_store(store, accounts, &ids, group).await?;
        for (_, resolution) in &results {
            summary.asked += 1;
            match resolution {
                Resolution::Named(_) => summary.named += 1,
                Resolution::Failed(_) => summary.failed += 1,
            }
        }
        let now = crate::ssr::clock::now_secs();
        blocking(store, move |s| table::record(s, &results, now)).await?;
    }
    Ok(summary)
}

/// [`resolve_names`] for the server's accounts, unless a run is already under way (then `None`).
pub async fn resolve_names_now(
    state: &crate::ssr::state::AppState,
) -> Result<Option<NamesSummary>, IdentityCenterError> {
    let Ok(_running) = state.sync.names_running.try_lock() else {
        return Ok(None);
    };
    resolve_names(&state.store, &state.aws).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, regions: &[&str], identity_center_region: Option<&str>) -> AwsAccount {
        AwsAccount {
            name: Some(name.into()),
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            identity_center_region: identity_center_region.map(str::to_owned),
            ..AwsAccount::default()
        }
    }

    #[test]
    fn the_store_is_sought_where_it_answered_then_in_the_accounts_regions() {
        let plain = account("a", &["us-east-1", "eu-west-1"], None);
        assert_eq!(
            regions_to_try(&plain, Some("eu-west-1")),
            ["eu-west-1", "us-east-1"]
        );
        assert_eq!(regions_to_try(&plain, None), ["us-east-1", "eu-west-1"]);
        let pinned = account("b", &["us-east-1"], Some("eu-central-1"));
        assert_eq!(regions_to_try(&pinned, Some("us-east-1")), ["eu-central-1"]);
    }

    #[test]
    fn the_owning_account_is_asked_first_and_others_only_when_they_say_they_can() {
        let accounts = [
            account("member", &["us-east-1"], None),
            account("delegated", &["us-east-1"], Some("us-east-1")),
            account("management", &["us-east-1"], None),
        ];
        let ids = [
            Some("444455556666".to_owned()),
            Some("777788889999".to_owned()),
            Some("111122223333".to_owned()),
        ];
        let accounts: Vec<&AwsAccount> = accounts.iter().collect();
        let names = |owner| -> Vec<String> {
            candidates(&accounts, &ids, owner)
                .into_iter()
                .map(|i| accounts[i].label())
                .collect()
        };
        assert_eq!(names(Some("111122223333")), ["management", "delegated"]);
        assert_eq!(names(Some("999999999999")), ["delegated"]);
        assert_eq!(names(None), ["delegated"]);
    }

    #[test]
    fn errors_say_whether_to_try_another_region() {
        let e = || "error".to_owned();
        assert!(matches!(
            classify(
                Some("ResourceNotFoundException"),
                Some(&ResourceType::User),
                e()
            ),
            Answer::UserProblem(_)
        ));
        assert!(matches!(
            classify(
                Some("ResourceNotFoundException"),
                Some(&ResourceType::IdentityStore),
                e()
            ),
            Answer::NotHere(_)
        ));
        assert!(matches!(
            classify(Some("AccessDeniedException"), None, e()),
            Answer::AccessDenied(_)
        ));
        for code in [
            Some("ThrottlingException"),
            Some("UnrecognizedClientException"),
            None,
        ] {
            assert!(matches!(classify(code, None, e()), Answer::NotHere(_)));
        }
    }
}
