//! AWS access: the configured accounts and Regions, their clients (`aws/clients`: SDK configuration per account,
//! credentials always from the standard chain, optionally a profile or an assumed role), `LookupEvents`' rate
//! limit (`aws/limiter`), and how SDK errors read. The SDK honours `AWS_ENDPOINT_URL` itself, which is how
//! tests point it at a local emulator.
pub mod clients;
pub mod limiter;

use aws_config::meta::region::ProvideRegion;
use aws_sdk_cloudtrail::error::{DisplayErrorContext, ProvideErrorMetadata};
use std::fmt;

/// How far back Event History reaches: 90 days, in every Region (CloudTrail API reference, `LookupEvents`).
pub const HISTORY_SECS: i64 = 90 * 86_400;

/// The standard commercial Regions, the default when an account names none. Opt-in Regions are marked: an
/// account that has not enabled one cannot log there, which is not a coverage gap.
pub const COMMERCIAL_REGIONS: &[(&str, bool)] = &[
    ("af-south-1", true),
    ("ap-east-1", true),
    ("ap-northeast-1", false),
    ("ap-northeast-2", false),
    ("ap-northeast-3", false),
    ("ap-south-1", false),
    ("ap-south-2", true),
    ("ap-southeast-1", false),
    ("ap-southeast-2", false),
    ("ap-southeast-3", true),
    ("ap-southeast-4", true),
    ("ap-southeast-5", true),
    ("ap-southeast-7", true),
    ("ca-central-1", false),
    ("ca-west-1", true),
    ("eu-central-1", false),
    ("eu-central-2", true),
    ("eu-north-1", false),
    ("eu-south-1", true),
    ("eu-south-2", true),
    ("eu-west-1", false),
    ("eu-west-2", false),
    ("eu-west-3", false),
    ("il-central-1", true),
    ("me-central-1", true),
    ("me-south-1", true),
    ("mx-central-1", true),
    ("sa-east-1", false),
    ("us-east-1", false),
    ("us-east-2", false),
    ("us-west-1", false),
    ("us-west-2", false),
];

/// Whether `region` must be enabled by the account before use.
pub fn is_opt_in(region: &str) -> bool {
    COMMERCIAL_REGIONS
        .iter()
        .any(|(name, opt_in)| *name == region && *opt_in)
}

/// A value kept out of `Debug` output and logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Redacted(pub String);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One AWS account to read, as configured.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AwsAccount {
    /// A label for people; the account ID is learnt from STS.
    pub name: Option<String>,
    /// A profile of the shared config files; `None`: the default chain.
    pub profile: Option<String>,
    /// A role to assume (with the profile's or the default credentials).
    pub role_arn: Option<String>,
    /// The external ID the role's trust policy asks for (`sts:ExternalId`); kept out of logs.
    pub external_id: Option<Redacted>,
    /// Regions to read; empty means all of [`COMMERCIAL_REGIONS`].
    pub regions: Vec<String>,
    /// The Region of the account's IAM Identity Center instance, where its Identity Store API answers
    /// (`ssr::identity_center`). `None`: sought among [`Self::regions`]. Setting it also lets an account
    /// that is not the instance's own (a delegated administrator) name its users.
    pub identity_center_region: Option<String>,
    /// Whether to read CloudTrail's real usage and cost from Cost Explorer (`ce:GetCostAndUsage`, in
    /// us-east-1; $0.01 per request, so answers are reused: `ssr::cost_explorer`). Off by default.
    pub cost_explorer: bool,
}

impl AwsAccount {
    /// The Regions to read: the configured ones, else every commercial Region.
    pub fn regions(&self) -> Vec<String> {
        if self.regions.is_empty() {
            COMMERCIAL_REGIONS
                .iter()
                .map(|(name, _)| (*name).to_owned())
                .collect()
        } else {
            self.regions.clone()
        }
    }

    /// The account as people know it: its name, else its profile or role, else "default credentials".
    pub fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.role_arn.clone())
            .or_else(|| self.profile.clone().map(|p| format!("profile {p}")))
            .unwrap_or_else(|| "default credentials".to_owned())
    }
}

/// The Region the default chain names (`AWS_REGION`, the profile's `region`), if any.
pub async fn default_region() -> Option<String> {
    aws_config::default_provider::region::default_provider()
        .region()
        .await
        .map(|region| region.to_string())
}

/// An SDK error as one line people can act on: the service's code and message when there is one, else the
/// whole chain of causes (no credentials, connection refused, …).
pub fn describe<E>(error: &aws_sdk_cloudtrail::error::SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => DisplayErrorContext(error).to_string(),
    }
}

/// Codes AWS answers with in a Region the account has not enabled.
pub fn means_region_not_enabled<E: ProvideErrorMetadata>(
    error: &aws_sdk_cloudtrail::error::SdkError<E>,
    region: &str,
) -> bool {
    is_opt_in(region)
        && matches!(
            error.code(),
            Some("UnrecognizedClientException" | "InvalidClientTokenId" | "OptInRequired")
        )
}
