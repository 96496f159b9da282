//! The built-in rules: the Sigma files of `app/rules/`, compiled into the binary. Each is our own (written for
//! Trailscope, Apache-2.0), with a `fix`, a `level`, ATT&CK tags where a technique applies, and test cases beside it
//! (`NAME.cases.json`, run by `findings::cases`).

/// Includes `app/rules/NAME.yml` for each name, as `(NAME, text)`.
macro_rules! rules {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../rules/", $name, ".yml")))),*]
    };
}

/// Every built-in rule file, as (name, Sigma YAML). A test checks the list and the folder agree.
pub const BUILTIN: &[(&str, &str)] = rules![
    "access-denied-burst",
    "cis-aws-config-changes",
    "cis-cloudtrail-configuration-changes",
    "cis-console-authentication-failures",
    "cis-console-signin-without-mfa",
    "cis-iam-policy-changes",
    "cis-kms-key-disabled-or-deletion-scheduled",
    "cis-network-acl-changes",
    "cis-network-gateway-changes",
    "cis-organizations-changes",
    "cis-root-account-use",
    "cis-route-table-changes",
    "cis-s3-bucket-policy-changes",
    "cis-security-group-changes",
    "cis-unauthorized-api-calls",
    "cis-vpc-changes",
    "cloudtrail-logging-stopped",
    "cloudtrail-selectors-reduce-coverage",
    "cloudtrail-trail-deleted",
    "cloudtrail-trail-narrowed",
    "cloudwatch-logs-group-deleted",
    "config-recorder-stopped",
    "ec2-password-data-retrieved",
    "ec2-snapshot-or-image-shared",
    "ec2-user-data-changed",
    "guardduty-disabled",
    "guardduty-trusted-ip-list-changed",
    "iam-access-key-created-for-another-user",
    "iam-admin-policy-attached",
    "iam-identity-provider-changed",
    "iam-login-profile-for-another-user",
    "iam-mfa-device-removed",
    "iam-role-trust-policy-changed",
    "iam-user-created",
    "lambda-function-opened-to-anyone",
    "organizations-account-left",
    "rds-snapshot-shared",
    "root-console-signin-without-mfa",
    "s3-public-access-block-removed",
    "secrets-read-burst",
    "security-group-open-to-internet",
    "vpc-flow-logs-deleted",
];
