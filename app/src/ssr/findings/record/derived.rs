//! Fields Trailscope derives from a record for the rules, under a top-level key no CloudTrail record has
//! ([`ROOT`]). They answer what Sigma cannot ask of the record itself: Sigma matches each field over every
//! member of a list, so it cannot tell that the `*` principal and the `Allow` of a policy are in one statement.
//!
//! - `trailscope.policyAllowsAnyone` (boolean; only on a call that sets one of the resource policies in
//!   [`POLICIES`]): whether the policy has a statement that allows any principal and that no condition limits
//!   to a fixed source. A statement limited by a condition on one of [`LIMITING_KEYS`] with fixed values (no
//!   `*` or `?`; for `aws:SourceIp` no `/0` range) is not public, after Amazon S3's "The meaning of public"
//!   (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>),
//!   to which the keys naming the calling principal's or the calling service's organization, account or ARN, and
//!   S3's access point keys (a bucket policy that delegates to the account's access points) are added: they name
//!   fixed principals, which the same page counts as not public. `aws:userid` in the form `AROLEID:*` (every
//!   session of one role) counts as fixed, as the page says. A `Deny` for everyone (e.g. requests without TLS)
//!   grants nothing. The page's "bad actions" are not weighed: a public statement that allows only harmless
//!   actions still counts.
//! - `trailscope.identity` (text; on every record that names its caller): who made the call, to group a
//!   correlation by: the first of [`IDENTITY_FIELDS`] the record has. Callers without an ARN (an IAM Identity
//!   Center user of the access portal, an `AWSAccount`) would otherwise share one group of `userIdentity.arn`.
use serde_json::Value;

/// The top-level key the derived fields are under.
pub const ROOT: &str = "trailscope";

/// The key (under [`ROOT`]) of the caller's identity.
pub const IDENTITY: &str = "identity";

/// Where `trailscope.identity` comes from, the first the record has: the ARN, an Identity Center user's ID, the
/// principal ID, the calling service, the calling account.
pub const IDENTITY_FIELDS: &[&str] = &[
    "userIdentity.arn",
    "userIdentity.onBehalfOf.userId",
    "userIdentity.principalId",
    "userIdentity.invokedBy",
    "userIdentity.accountId",
];

/// The calls that set a resource policy: (`eventSource`, `eventName`, where in the record the policy is, as a
/// JSON pointer). The policy is JSON text or, as CloudTrail writes S3's, an object.
pub const POLICIES: &[(&str, &str, &str)] = &[
    (
        "s3.amazonaws.com",
        "PutBucketPolicy",
        "/requestParameters/bucketPolicy",
    ),
    (
        "ecr.amazonaws.com",
        "SetRepositoryPolicy",
        "/requestParameters/policyText",
    ),
    (
        "iam.amazonaws.com",
        "UpdateAssumeRolePolicy",
        "/requestParameters/policyDocument",
    ),
    (
        "iam.amazonaws.com",
        "CreateRole",
        "/requestParameters/assumeRolePolicyDocument",
    ),
    (
        "sns.amazonaws.com",
        "SetTopicAttributes",
        "/requestParameters/attributeValue",
    ),
    (
        "sns.amazonaws.com",
        "CreateTopic",
        "/requestParameters/attributes/Policy",
    ),
    (
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        "/requestParameters/attributes/Policy",
    ),
    (
        "sqs.amazonaws.com",
        "CreateQueue",
        "/requestParameters/attributes/Policy",
    ),
];

/// Condition keys (lower case; IAM compares them ignoring case) that limit a statement to a fixed source or
/// principal when their values are fixed.
pub const LIMITING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "aws:userid",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// The derived fields of a record whose `eventSource` and `eventName` are `source` and `name`, reading the
/// record's values with `at` (a JSON pointer into the record): `{"policyAllowsAnyone": bool}` on a call in
/// [`POLICIES`] that carries its policy, `None` on any other record.
pub fn derive<'v>(
    source: &str,
    name: &str,
    at: impl Fn(&str) -> Option<&'v Value>,
) -> Option<Value> {
    let (_, _, pointer) = POLICIES
        .iter()
        .find(|(s, n, _)| *s == source && *n == name)?;
    let policy = at(pointer)?;
    let allows = match policy {
        Value::String(text) => serde_json::from_str::<Value>(text)
            .ok()
            .is_some_and(|p| allows_anyone(&p)),
        other => allows_anyone(other),
    };
    Some(serde_json::json!({ "policyAllowsAnyone": allows }))
}

/// Whether `policy` (a policy document) has a statement that allows any principal and that no condition limits.
pub fn allows_anyone(policy: &Value) -> bool {
    match policy.get("Statement") {
        Some(Value::Array(statements)) => statements.iter().any(statement_allows_anyone),
        Some(statement) => statement_allows_anyone(statement),
        None => false,
    }
}

fn statement_allows_anyone(statement: &Value) -> bool {
    let allows = statement.get("Effect").and_then(Value::as_str) == Some("Allow");
    // `NotPrincipal` with `Allow`: everyone but the principals named.
    let anyone = statement.get("NotPrincipal").is_some()
        || statement.get("Principal").is_some_and(is_everyone);
    allows && anyone && !statement.get("Condition").is_some_and(limits)
}

/// `"*"`, or an object (`{"AWS": …}`) with `"*"` among its values.
fn is_everyone(principal: &Value) -> bool {
    match principal {
        Value::String(s) => s == "*",
        Value::Object(kinds) => kinds.values().any(|v| match v {
            Value::String(s) => s == "*",
            Value::Array(items) => items.iter().any(|i| i.as_str() == Some("*")),
            _ => false,
        }),
        _ => false,
    }
}

/// Whether a statement's `Condition` (`{operator: {key: value or values}}`) limits it to a fixed source: an
/// operator that requires a match (not `…IfExists`, `Null`, a negated one or `ForAllValues:`, which an absent
/// key satisfies) on a [`LIMITING_KEYS`] key whose every value is fixed.
fn limits(condition: &Value) -> bool {
    let Some(operators) = condition.as_object() else {
        return false;
    };
    operators.iter().any(|(operator, keys)| {
        let bare = operator.strip_prefix("ForAnyValue:").unwrap_or(operator);
        let requires = !(bare.ends_with("IfExists")
            || bare == "Null"
            || bare.contains("Not")
            || bare.starts_with("ForAllValues:"));
        requires
            && keys.as_object().is_some_and(|keys| {
                keys.iter().any(|(key, values)| {
                    let key = key.to_ascii_lowercase();
                    LIMITING_KEYS.contains(&key.as_str()) && fixed(&key, values)
                })
            })
    })
}

/// Whether every value of a condition key is fixed: a number, or text without a wildcard (but `AROLEID:*` for
/// `aws:userid`, and after the organization's ID in an organization path, `o-…/*`), and for `aws:SourceIp` no
/// range of every address.
fn fixed(key: &str, values: &Value) -> bool {
    let one = |v: &Value| match v {
        Value::Number(_) => true,
        Value::String(s) => {
            let s = if key == "aws:userid" {
                s.strip_suffix(":*").unwrap_or(s)
            } else if key.ends_with("orgpaths") {
                s.split('/').next().unwrap_or(s)
            } else {
                s
            };
            let wildcard = s.contains(['*', '?']);
            let every_address = key == "aws:sourceip" && s.trim().ends_with("/0");
            !wildcard && !every_address
        }
        _ => false,
    };
    match values {
        Value::Array(items) => !items.is_empty() && items.iter().all(one),
        other => one(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(statements: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    #[test]
    fn an_allow_for_everyone_counts_and_a_deny_for_everyone_beside_a_named_allow_does_not() {
        let public = json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"});
        let tls_only = json!({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
            "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        let named = json!({"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/reporting-role"}, "Action": "s3:GetObject"});
        assert!(allows_anyone(&policy(json!([public.clone()]))));
        assert!(allows_anyone(&policy(public)), "a single statement object");
        assert!(!allows_anyone(&policy(json!([tls_only, named]))));
        assert!(allows_anyone(&policy(json!([
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}, "Action": "sqs:*"}
        ]))));
        assert!(allows_anyone(&policy(json!([
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*"}
        ]))));
        assert!(!allows_anyone(&json!({"Statement": "nonsense"})));
        assert!(!allows_anyone(&json!("not a policy")));
    }

    #[test]
    fn a_condition_to_a_fixed_source_limits_and_a_wildcard_or_optional_one_does_not() {
        let with = |condition: Value| {
            allows_anyone(&policy(json!([
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Condition": condition}
            ])))
        };
        assert!(!with(
            json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})
        ));
        assert!(!with(
            json!({"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}})
        ));
        assert!(!with(
            json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}})
        ));
        assert!(!with(
            json!({"ForAnyValue:StringEquals": {"AWS:SourceAccount": "111122223333"}})
        ));
        assert!(!with(
            json!({"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}})
        ));
        assert!(!with(
            json!({"StringLike": {"aws:userid": ["AROAEXAMPLEID:*", "111122223333"]}})
        ));
        assert!(!with(
            json!({"StringEquals": {"aws:SourceAccount": 111122223333u64}})
        ));
        assert!(!with(
            json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"}})
        ));
        assert!(!with(
            json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/*"]}})
        ));
        assert!(with(
            json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-*"]}})
        ));
        assert!(with(json!({"StringLike": {"aws:userid": "AROA*:*"}})));
        assert!(with(json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})));
        assert!(with(
            json!({"StringLike": {"aws:SourceArn": "arn:aws:sns:*"}})
        ));
        assert!(with(
            json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}})
        ));
        assert!(with(
            json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})
        ));
        assert!(with(json!({"StringEquals": {"aws:UserAgent": "curl/8.0"}})));
        assert!(with(json!({"Bool": {"aws:SecureTransport": "true"}})));
    }

    #[test]
    fn only_the_calls_that_set_a_policy_get_the_field_read_from_text_or_object() {
        let record = json!({
            "eventSource": "sqs.amazonaws.com", "eventName": "SetQueueAttributes",
            "requestParameters": {"attributes": {"Policy":
                "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sqs:SendMessage\"}]}"}}
        });
        let at = |p: &str| record.pointer(p);
        assert_eq!(
            derive("sqs.amazonaws.com", "SetQueueAttributes", at),
            Some(json!({"policyAllowsAnyone": true}))
        );
        assert_eq!(derive("sqs.amazonaws.com", "GetQueueAttributes", at), None);
        let unparsable = json!({"requestParameters": {"policyText": "{not json"}});
        assert_eq!(
            derive("ecr.amazonaws.com", "SetRepositoryPolicy", |p| unparsable
                .pointer(p)),
            Some(json!({"policyAllowsAnyone": false}))
        );
        let without = json!({"requestParameters": {"repositoryName": "web"}});
        assert_eq!(
            derive("ecr.amazonaws.com", "SetRepositoryPolicy", |p| without
                .pointer(p)),
            None,
            "no policy in the record: no field"
        );
    }
}
