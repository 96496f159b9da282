//! Builds CloudTrail records (the documented JSON shape, field order as AWS writes it) for the demo archive.
use super::catalog::{
    Account, Actor, BROWSER, Call, FUNCTIONS, Kind, Origin, Principal, S3_BUCKETS,
};
use super::rng::{Rng, UPPER_ALNUM};
use crate::model::time::format_rfc3339;
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub event_version: &'static str,
    pub user_identity: Value,
    pub event_time: String,
    pub event_source: String,
    pub event_name: &'static str,
    pub aws_region: &'static str,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    pub user_agent: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub request_parameters: Value,
    pub response_elements: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_event_data: Option<Value>,
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub read_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Value>,
    pub event_type: &'static str,
    pub management_event: bool,
    pub recipient_account_id: &'static str,
    pub event_category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_details: Option<Value>,
}

/// A stable identifier for a named thing (same inputs, same ID), e.g. an access key of a user.
pub fn stable_id(prefix: &str, parts: &[&str], len: usize) -> String {
    let hash = parts
        .iter()
        .flat_map(|p| p.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{prefix}{}", Rng::new(hash).string(UPPER_ALNUM, len))
}

pub fn source_ip(origin: Origin, rng: &mut Rng) -> String {
    match origin {
        Origin::Office => format!("198.51.100.{}", 10 + rng.below(20)),
        Origin::CiRunner => format!("203.0.113.{}", 100 + rng.below(8)),
        Origin::Vpc => format!("10.20.{}.{}", rng.below(4), 10 + rng.below(200)),
        Origin::Internal => "AWS Internal".to_owned(),
        Origin::Hostile => "185.220.101.34".to_owned(),
    }
}

/// The `userIdentity` element of `principal` in `account` (AWS-FACTS §3.2).
pub fn user_identity(principal: Principal, account: &Account, day: i64) -> Value {
    let acct = account.id;
    match principal {
        Principal::IamUser { name } => json!({
            "type": "IAMUser",
            "principalId": stable_id("AIDA", &[acct, name], 17),
            "arn": format!("arn:aws:iam::{acct}:user/{name}"),
            "accountId": acct,
            "accessKeyId": stable_id("AKIA", &[acct, name, "key"], 16),
            "userName": name,
        }),
        Principal::Role { role, session } => {
            let role_id = stable_id("AROA", &[acct, role], 17);
            json!({
                "type": "AssumedRole",
                "principalId": format!("{role_id}:{session}"),
                "arn": format!("arn:aws:sts::{acct}:assumed-role/{role}/{session}"),
                "accountId": acct,
                "accessKeyId": stable_id("ASIA", &[acct, role, session, &day.to_string()], 16),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": role_id,
                        "arn": format!("arn:aws:iam::{acct}:role/{role}"),
                        "accountId": acct,
                        "userName": role,
                    },
                    "attributes": {
                        "creationDate": format_rfc3339(day * 86_400 + 8 * 3_600),
                        "mfaAuthenticated": "false",
                    },
                },
            })
        }
        Principal::Root => json!({
            "type": "Root",
            "principalId": acct,
            "arn": format!("arn:aws:iam::{acct}:root"),
            "accountId": acct,
        }),
        Principal::Service { service } => json!({ "type": "AWSService", "invokedBy": service }),
        Principal::Federated { name } => json!({
            "type": "FederatedUser",
            "principalId": format!("{acct}:{name}"),
            "arn": format!("arn:aws:sts::{acct}:federated-user/{name}"),
            "accountId": acct,
            "accessKeyId": stable_id("ASIA", &[acct, name, &day.to_string()], 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "IAMUser",
                    "principalId": stable_id("AIDA", &[acct, "federation-broker"], 17),
                    "arn": format!("arn:aws:iam::{acct}:user/federation-broker"),
                    "accountId": acct,
                    "userName": "federation-broker",
                },
                "attributes": { "creationDate": format_rfc3339(day * 86_400 + 9 * 3_600), "mfaAuthenticated": "false" },
            },
        }),
    }
}

/// Request parameters and resources for a call, shaped like the real ones but brief.
fn parameters(
    call: &Call,
    account: &Account,
    region: &str,
    rng: &mut Rng,
) -> (Value, Option<Value>) {
    let acct = account.id;
    match (call.service, call.name) {
        ("s3", "GetObject" | "PutObject" | "DeleteObject") => {
            let bucket = rng.pick(&S3_BUCKETS);
            let key = format!(
                "{}/{:06}.json",
                rng.pick(&["orders", "invoices", "exports", "tmp"]),
                rng.below(1_000_000)
            );
            let resources = json!([
                { "type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}") },
                { "accountId": acct, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}") },
            ]);
            (
                json!({ "bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com"), "key": key }),
                Some(resources),
            )
        }
        ("s3", "ListBuckets") => (
            json!({ "Host": format!("s3.{region}.amazonaws.com") }),
            None,
        ),
        ("s3", _) => {
            let bucket = rng.pick(&S3_BUCKETS);
            (
                json!({ "bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com") }),
                None,
            )
        }
        ("lambda", "Invoke" | "GetFunction20150331v2" | "UpdateFunctionCode20150331v2") => {
            let arn = format!(
                "arn:aws:lambda:{region}:{acct}:function:{}",
                rng.pick(&FUNCTIONS)
            );
            let resources =
                json!([{ "accountId": acct, "type": "AWS::Lambda::Function", "ARN": arn }]);
            (json!({ "functionName": arn }), Some(resources))
        }
        ("ec2", "DescribeInstances" | "TerminateInstances" | "CreateTags") => (
            json!({ "instancesSet": { "items": [{ "instanceId": format!("i-0{:016x}", rng.next_u64() >> 4) }] } }),
            None,
        ),
        ("kms", _) => {
            let key = format!(
                "arn:aws:kms:{region}:{acct}:key/{}",
                stable_id("", &[acct, region, "kms"], 8).to_lowercase()
            );
            let resources = json!([{ "accountId": acct, "type": "AWS::KMS::Key", "ARN": key }]);
            (
                json!({ "encryptionAlgorithm": "SYMMETRIC_DEFAULT" }),
                Some(resources),
            )
        }
        ("sts", "AssumeRole") => (
            json!({ "roleArn": format!("arn:aws:iam::{acct}:role/orders-processor-role"), "roleSessionName": "orders-processor" }),
            None,
        ),
        ("ssm", _) => (
            json!({ "name": format!("/prod/orders/{}", rng.pick(&["db-url", "api-key", "feature-flags"])), "withDecryption": true }),
            None,
        ),
        ("iam", "GetRole" | "CreateRole" | "AttachRolePolicy" | "PutRolePolicy") => (
            json!({ "roleName": rng.pick(&["orders-processor-role", "eks-node-role", "reporting-role"]) }),
            None,
        ),
        ("logs", _) => (
            json!({ "logGroupName": format!("/aws/lambda/{}", rng.pick(&FUNCTIONS)) }),
            None,
        ),
        ("dynamodb", _) => (json!({ "tableName": "orders" }), None),
        _ => (Value::Null, None),
    }
}

/// A generated API call.
pub struct CallSpec<'a> {
    pub time: i64,
    pub account: &'a Account,
    pub region: &'static str,
    pub principal: Principal,
    pub origin: Origin,
    pub user_agent: &'static str,
    pub call: &'a Call,
    pub error: Option<&'static str>,
}

pub fn api_call(spec: &CallSpec<'_>, rng: &mut Rng) -> Record {
    let (request_parameters, resources) = parameters(spec.call, spec.account, spec.region, rng);
    let (read_only, management, category) = match spec.call.kind {
        Kind::Read => (true, true, "Management"),
        Kind::Write => (false, true, "Management"),
        Kind::Data { read } => (read, false, "Data"),
    };
    let source_ip = match spec.principal {
        Principal::Service { service } => service.to_owned(),
        _ => source_ip(spec.origin, rng),
    };
    let host = format!("{}.{}.amazonaws.com", spec.call.service, spec.region);
    Record {
        event_version: if management { "1.10" } else { "1.09" },
        user_identity: user_identity(spec.principal, spec.account, spec.time.div_euclid(86_400)),
        event_time: format_rfc3339(spec.time),
        event_source: format!("{}.amazonaws.com", spec.call.service),
        event_name: spec.call.name,
        aws_region: spec.region,
        source_ip_address: source_ip,
        user_agent: spec.user_agent,
        error_code: spec.error,
        error_message: spec
            .error
            .map(|code| format!("{code}: the request was refused")),
        request_parameters,
        response_elements: Value::Null,
        additional_event_data: None,
        request_id: rng.uuid(),
        event_id: rng.uuid(),
        read_only,
        resources,
        event_type: "AwsApiCall",
        management_event: management,
        recipient_account_id: spec.account.id,
        event_category: category,
        tls_details: Some(
            json!({ "tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": host }),
        ),
    }
}

/// A console sign-in (`signin.amazonaws.com` `ConsoleLogin`, recorded in us-east-1).
pub fn console_login(
    time: i64,
    account: &Account,
    actor: &Actor,
    mfa: bool,
    success: bool,
    source_ip: String,
    rng: &mut Rng,
) -> Record {
    Record {
        event_version: "1.09",
        user_identity: user_identity(actor.principal, account, time.div_euclid(86_400)),
        event_time: format_rfc3339(time),
        event_source: "signin.amazonaws.com".to_owned(),
        event_name: "ConsoleLogin",
        aws_region: "us-east-1",
        source_ip_address: source_ip,
        user_agent: BROWSER,
        error_code: None,
        error_message: (!success).then(|| "Failed authentication".to_owned()),
        request_parameters: Value::Null,
        response_elements: json!({ "ConsoleLogin": if success { "Success" } else { "Failure" } }),
        additional_event_data: Some(json!({
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": if mfa { "Yes" } else { "No" },
        })),
        request_id: rng.uuid(),
        event_id: rng.uuid(),
        read_only: false,
        resources: None,
        event_type: "AwsConsoleSignIn",
        management_event: true,
        recipient_account_id: account.id,
        event_category: "Management",
        tls_details: None,
    }
}
