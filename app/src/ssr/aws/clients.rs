//! The AWS clients registry, one per process in `AppState`: for each configured account one SDK configuration
//! (profile, role to assume), loaded once and shared by every Region and service, so that its credentials are
//! resolved once and then cached and refreshed before they expire by the SDK's identity cache (one
//! `AssumeRole` per session, not per request); the account's ID asked of STS once; one CloudTrail client per
//! configured Region; and the `LookupEvents` limiters, only ever for configured account-Regions. Sync, live
//! mode, trails refresh, the Identity Center resolver and S3 ingest all take their clients here, and so will
//! any other service (a client of any SDK crate is `Client::new(&account.sdk_config(region).await)`).
use super::limiter::{CallLimiter, CallLimiters};
use super::{AwsAccount, Redacted, describe, is_opt_in};
use crate::error::AppError;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// Makes the `aws-config` loader an account's configuration starts from: the SDK's defaults (environment,
/// shared config files, `AWS_ENDPOINT_URL`) in a server, a local endpoint and fixed credentials in tests.
pub type Loader = Arc<dyn Fn() -> ConfigLoader + Send + Sync>;

/// Why the registry cannot give what was asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    /// STS could not say whose the account's credentials are (no credentials, role not assumable, …).
    #[error("cannot read account {account}: {reason}")]
    Account {
        /// The account as people know it ([`AwsAccount::label`]): its name, role, profile or "default
        /// credentials".
        account: String,
        /// The AWS SDK's error.
        reason: String,
    },
    /// The Region is not one of the account's configured Regions.
    #[error("{region} is not one of the Regions configured for account {account}")]
    RegionNotConfigured {
        /// The account as people know it ([`AwsAccount::label`]).
        account: String,
        /// The Region code asked for, e.g. `us-east-1`.
        region: String,
    },
}

impl From<AwsError> for AppError {
    fn from(error: AwsError) -> Self {
        match error {
            AwsError::Account { .. } => AppError::Unavailable {
                what: error.to_string(),
            },
            AwsError::RegionNotConfigured { .. } => AppError::invalid("region", error.to_string()),
        }
    }
}

/// What a `LookupEvents` call needs in one configured account-Region: the account's ID, the Region, its
/// CloudTrail client and the account-Region's limiter (the same one for the sync and live mode).
#[derive(Clone)]
pub struct EventHistory {
    /// The 12-digit account ID, as STS `GetCallerIdentity` reported it.
    pub account_id: String,
    /// The Region code, e.g. `us-east-1`.
    pub region: String,
    /// The CloudTrail client of that account and Region.
    pub client: aws_sdk_cloudtrail::Client,
    /// The account-Region's `LookupEvents` limiter: 2 calls per second per account per Region (AWS, not
    /// adjustable). See
    /// <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html>.
    pub limiter: Arc<CallLimiter>,
}

/// The clients of every configured account (see the module's documentation).
pub struct AwsClients {
    accounts: Vec<AccountClients>,
    /// The default credential chain, unbound to a configured account: S3 ingest reads a bucket with it.
    default_chain: AccountClients,
    limiters: CallLimiters,
}

impl AwsClients {
    /// The registry of `accounts`, configured from the SDK's defaults. Nothing is loaded or asked until used.
    pub fn new(accounts: Vec<AwsAccount>) -> Self {
        Self::with_loader(
            accounts,
            Arc::new(|| aws_config::defaults(BehaviorVersion::latest())),
        )
    }

    /// The registry of `accounts`, each configured from what `loader` makes.
    pub fn with_loader(accounts: Vec<AwsAccount>, loader: Loader) -> Self {
        Self {
            accounts: accounts
                .into_iter()
                .map(|account| AccountClients::new(account, loader.clone()))
                .collect(),
            default_chain: AccountClients::new(AwsAccount::default(), loader),
            limiters: CallLimiters::default(),
        }
    }

    /// The configured accounts, in configuration order.
    pub fn accounts(&self) -> &[AccountClients] {
        &self.accounts
    }

    /// True when no account is configured (the demo, or an archive only).
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The default credential chain in any Region (what S3 ingest reads buckets with).
    pub fn default_chain(&self) -> &AccountClients {
        &self.default_chain
    }

    /// Event History of `account` in `region`, which must be one of its configured Regions. The limiter is
    /// per account ID and Region, so two configured entries for one account share it.
    ///
    /// Errors: [`AwsError::RegionNotConfigured`] (nothing is made for it), [`AwsError::Account`].
    pub async fn event_history(
        &self,
        account: &AccountClients,
        region: &str,
    ) -> Result<EventHistory, AwsError> {
        let client = account.cloudtrail(region).await?;
        let account_id = account.id().await?;
        let limiter = self.limiters.get(&account_id, region);
        Ok(EventHistory {
            account_id,
            region: region.to_owned(),
            client,
            limiter,
        })
    }
}

/// One configured account's clients.
pub struct AccountClients {
    account: AwsAccount,
    loader: Loader,
    /// The account's configuration in its first Region; every Region's is derived from it and shares its
    /// credentials provider and identity cache.
    base: OnceCell<SdkConfig>,
    /// The account ID, from STS.
    id: OnceCell<String>,
    /// A CloudTrail client per configured Region, made on first use.
    cloudtrail: BTreeMap<String, OnceCell<aws_sdk_cloudtrail::Client>>,
}

impl AccountClients {
    fn new(account: AwsAccount, loader: Loader) -> Self {
        let cloudtrail = account
            .regions()
            .into_iter()
            .map(|region| (region, OnceCell::new()))
            .collect();
        Self {
            account,
            loader,
            base: OnceCell::new(),
            id: OnceCell::new(),
            cloudtrail,
        }
    }

    /// The account as configured.
    pub fn account(&self) -> &AwsAccount {
        &self.account
    }

    /// The configuration in the account's first configured Region that every account has enabled (STS
    /// answers there; an opt-in Region may not be enabled), else its first.
    async fn base(&self) -> &SdkConfig {
        self.base
            .get_or_init(|| async {
                let regions = self.account.regions();
                let home = regions
                    .iter()
                    .find(|region| !is_opt_in(region))
                    .or(regions.first())
                    .map_or("us-east-1", String::as_str);
                load(&self.loader, &self.account, home).await
            })
            .await
    }

    /// The SDK configuration of the account in `region` (any Region: the Identity Center resolver also asks
    /// where the identity store lives). Its credentials are the account's one cached set.
    pub async fn sdk_config(&self, region: &str) -> SdkConfig {
        self.base()
            .await
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build()
    }

    /// The account ID these credentials belong to, asked of STS the first time (in the account's first
    /// non-opt-in Region: STS answers in any enabled Region) and remembered; a failure is asked again next time.
    ///
    /// Errors: [`AwsError::Account`], with STS's answer or the missing credentials.
    pub async fn id(&self) -> Result<String, AwsError> {
        self.id
            .get_or_try_init(|| async {
                let response = aws_sdk_sts::Client::new(self.base().await)
                    .get_caller_identity()
                    .send()
                    .await;
                let reason = match response {
                    Ok(identity) => match identity.account {
                        Some(id) => return Ok(id),
                        None => "STS returned no account ID".to_owned(),
                    },
                    Err(error) => describe(&error),
                };
                tracing::warn!(account = %self.account.label(), error = %reason, "cannot learn the account ID");
                Err(AwsError::Account {
                    account: self.account.label(),
                    reason,
                })
            })
            .await
            .cloned()
    }

    /// The CloudTrail client of `region`, one of the account's configured Regions.
    pub async fn cloudtrail(&self, region: &str) -> Result<aws_sdk_cloudtrail::Client, AwsError> {
        let cell = self
            .cloudtrail
            .get(region)
            .ok_or_else(|| AwsError::RegionNotConfigured {
                account: self.account.label(),
                region: region.to_owned(),
            })?;
        Ok(cell
            .get_or_init(|| async {
                aws_sdk_cloudtrail::Client::new(&self.sdk_config(region).await)
            })
            .await
            .clone())
    }
}

/// The SDK configuration of `account` in `region`: the loader's credentials, or the account's profile's, and
/// the role to assume with them when one is configured.
async fn load(loader: &Loader, account: &AwsAccount, region: &str) -> SdkConfig {
    let loader = || {
        let loader = loader().region(Region::new(region.to_owned()));
        match &account.profile {
            Some(profile) => loader.profile_name(profile),
            None => loader,
        }
    };
    let base = loader().load().await;
    let Some(role_arn) = &account.role_arn else {
        return base;
    };
    let mut role = AssumeRoleProvider::builder(role_arn)
        .session_name("trailscope")
        .configure(&base);
    if let Some(Redacted(external_id)) = &account.external_id {
        role = role.external_id(external_id);
    }
    loader()
        .credentials_provider(role.build().await)
        .load()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, regions: &[&str]) -> AwsAccount {
        AwsAccount {
            name: Some(name.into()),
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            ..AwsAccount::default()
        }
    }

    #[tokio::test]
    async fn limiters_exist_only_for_configured_account_regions_and_are_shared_per_account_id() {
        let clients = AwsClients::new(vec![
            account("a", &["us-east-1", "eu-west-1"]),
            account("a again", &["us-east-1"]),
        ]);
        for account in clients.accounts() {
            account.id.set("123456789012".to_owned()).expect("unset");
        }
        let a = &clients.accounts()[0];
        for region in ["ap-south-1", "eu-west-2", "not-a-region", ""] {
            let refused = clients.event_history(a, region).await.err();
            assert_eq!(
                refused,
                Some(AwsError::RegionNotConfigured {
                    account: "a".into(),
                    region: region.into()
                })
            );
        }
        assert_eq!(
            clients.limiters.len(),
            0,
            "a refused Region adds no limiter"
        );

        let first = clients.event_history(a, "us-east-1").await.expect("ok");
        let again = clients.event_history(a, "us-east-1").await.expect("ok");
        let other_entry = clients
            .event_history(&clients.accounts()[1], "us-east-1")
            .await
            .expect("ok");
        assert!(Arc::ptr_eq(&first.limiter, &again.limiter));
        assert!(Arc::ptr_eq(&first.limiter, &other_entry.limiter));
        clients.event_history(a, "eu-west-1").await.expect("ok");
        assert_eq!(clients.limiters.len(), 2);
        assert!(
            clients.accounts()[1].cloudtrail("eu-west-1").await.is_err(),
            "each entry has its own Regions"
        );
    }
}
