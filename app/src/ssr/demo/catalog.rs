//! Who and what the demo archive contains: accounts, Regions, principals and the API calls they make.

pub struct Account {
    pub id: &'static str,
    /// Organization ID when this account's trail is an organization trail (keys under `AWSLogs/o-…/`).
    pub org_id: Option<&'static str>,
    /// Share of all activity.
    pub weight: f64,
    /// Whether a trail records S3 and Lambda data events here.
    pub data_events: bool,
}

pub const ACCOUNTS: [Account; 3] = [
    Account {
        id: "123456789012",
        org_id: Some("o-a1b2c3d4e5"),
        weight: 0.55,
        data_events: true,
    },
    Account {
        id: "210987654321",
        org_id: None,
        weight: 0.30,
        data_events: false,
    },
    Account {
        id: "444455556666",
        org_id: None,
        weight: 0.15,
        data_events: false,
    },
];

/// Regions with their share of an account's activity. Global services (IAM, sign-in) log to us-east-1.
pub const REGIONS: [(&str, f64); 4] = [
    ("us-east-1", 0.42),
    ("us-west-2", 0.26),
    ("eu-west-1", 0.22),
    ("ap-southeast-2", 0.10),
];
pub const GLOBAL_REGION: &str = "us-east-1";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    IamUser {
        name: &'static str,
    },
    /// An assumed-role session `role/session`.
    Role {
        role: &'static str,
        session: &'static str,
    },
    Root,
    Service {
        service: &'static str,
    },
    Federated {
        name: &'static str,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Office,
    CiRunner,
    Vpc,
    Internal,
    Hostile,
}

pub struct Actor {
    pub principal: Principal,
    pub origin: Origin,
    pub user_agent: &'static str,
    pub weight: f64,
    /// Event sources this principal calls.
    pub sources: &'static [&'static str],
    /// Whether this principal signs in to the console (a few times a day).
    pub console: bool,
}

const CLI: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off";
const CONSOLE: &str = "AWS Internal";
const TERRAFORM: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0";
const BOTO: &str = "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.2 cfg/retry-mode#legacy Botocore/1.34.69";
const GO_SDK: &str =
    "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.152.0";
pub const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
pub const HOSTILE_AGENT: &str = "python-requests/2.31.0";

pub const ACTORS: [Actor; 9] = [
    Actor {
        principal: Principal::IamUser { name: "alice" },
        origin: Origin::Office,
        user_agent: CLI,
        weight: 3.0,
        sources: &[
            "ec2",
            "s3",
            "iam",
            "logs",
            "cloudtrail",
            "sts",
            "ssm",
            "lambda",
        ],
        console: true,
    },
    Actor {
        principal: Principal::IamUser { name: "ci-deploy" },
        origin: Origin::CiRunner,
        user_agent: TERRAFORM,
        weight: 6.0,
        sources: &[
            "ec2", "s3", "iam", "lambda", "ssm", "logs", "kms", "dynamodb", "sts",
        ],
        console: false,
    },
    Actor {
        principal: Principal::Role {
            role: "AWSReservedSSO_AdministratorAccess_4f1c2a9b7e3d",
            session: "bob@example.com",
        },
        origin: Origin::Office,
        user_agent: CONSOLE,
        weight: 4.0,
        sources: &[
            "ec2",
            "s3",
            "iam",
            "logs",
            "cloudtrail",
            "lambda",
            "dynamodb",
            "kms",
        ],
        console: true,
    },
    Actor {
        principal: Principal::Role {
            role: "eks-node-role",
            session: "i-0a1b2c3d4e5f67890",
        },
        origin: Origin::Vpc,
        user_agent: GO_SDK,
        weight: 10.0,
        sources: &["ec2", "sts", "kms", "logs"],
        console: false,
    },
    Actor {
        principal: Principal::Role {
            role: "orders-processor-role",
            session: "orders-processor",
        },
        origin: Origin::Vpc,
        user_agent: BOTO,
        weight: 8.0,
        sources: &["s3", "kms", "dynamodb", "ssm", "logs", "sts", "lambda"],
        console: false,
    },
    Actor {
        principal: Principal::Service {
            service: "config.amazonaws.com",
        },
        origin: Origin::Internal,
        user_agent: "config.amazonaws.com",
        weight: 4.0,
        sources: &["ec2", "s3", "iam", "lambda", "sts"],
        console: false,
    },
    Actor {
        principal: Principal::Service {
            service: "autoscaling.amazonaws.com",
        },
        origin: Origin::Internal,
        user_agent: "autoscaling.amazonaws.com",
        weight: 2.0,
        sources: &["ec2"],
        console: false,
    },
    Actor {
        principal: Principal::Federated { name: "carol" },
        origin: Origin::Office,
        user_agent: CLI,
        weight: 1.0,
        sources: &["s3", "logs", "cloudtrail", "ec2"],
        console: false,
    },
    Actor {
        principal: Principal::Root,
        origin: Origin::Office,
        user_agent: CONSOLE,
        weight: 0.02,
        sources: &["iam", "s3"],
        console: false,
    },
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Read,
    Write,
    /// Data events (S3 objects, Lambda invocations), recorded only by a data-events trail.
    Data {
        read: bool,
    },
}

pub struct Call {
    /// Service prefix, e.g. `ec2` for `ec2.amazonaws.com`.
    pub service: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    pub weight: f64,
}

const fn call(service: &'static str, name: &'static str, kind: Kind, weight: f64) -> Call {
    Call {
        service,
        name,
        kind,
        weight,
    }
}

use Kind::{Data, Read, Write};

pub const CALLS: [Call; 44] = [
    call("ec2", "DescribeInstances", Read, 10.0),
    call("ec2", "DescribeSecurityGroups", Read, 4.0),
    call("ec2", "DescribeVolumes", Read, 3.0),
    call("ec2", "DescribeNetworkInterfaces", Read, 2.0),
    call("ec2", "RunInstances", Write, 0.8),
    call("ec2", "TerminateInstances", Write, 0.6),
    call("ec2", "CreateTags", Write, 2.0),
    call("ec2", "CreateNetworkInterface", Write, 1.0),
    call("s3", "ListBuckets", Read, 3.0),
    call("s3", "GetBucketPolicy", Read, 2.0),
    call("s3", "GetBucketAcl", Read, 2.0),
    call("s3", "PutBucketPolicy", Write, 0.2),
    call("s3", "CreateBucket", Write, 0.2),
    call("s3", "GetObject", Data { read: true }, 14.0),
    call("s3", "PutObject", Data { read: false }, 6.0),
    call("s3", "DeleteObject", Data { read: false }, 0.6),
    call("sts", "GetCallerIdentity", Read, 5.0),
    call("sts", "AssumeRole", Read, 7.0),
    call("kms", "Decrypt", Read, 12.0),
    call("kms", "GenerateDataKey", Read, 7.0),
    call("kms", "CreateGrant", Write, 0.4),
    call("iam", "ListRoles", Read, 2.0),
    call("iam", "GetRole", Read, 2.0),
    call("iam", "ListUsers", Read, 1.0),
    call("iam", "ListAccessKeys", Read, 0.8),
    call("iam", "CreateRole", Write, 0.15),
    call("iam", "AttachRolePolicy", Write, 0.25),
    call("iam", "PutRolePolicy", Write, 0.2),
    call("logs", "DescribeLogGroups", Read, 3.0),
    call("logs", "CreateLogStream", Write, 4.0),
    call("logs", "PutRetentionPolicy", Write, 0.1),
    call("ssm", "GetParameter", Read, 6.0),
    call("ssm", "GetParameters", Read, 2.0),
    call("ssm", "PutParameter", Write, 0.4),
    call("lambda", "ListFunctions20150331", Read, 2.0),
    call("lambda", "GetFunction20150331v2", Read, 1.5),
    call("lambda", "UpdateFunctionCode20150331v2", Write, 0.4),
    call("lambda", "Invoke", Data { read: false }, 5.0),
    call("cloudtrail", "DescribeTrails", Read, 0.8),
    call("cloudtrail", "LookupEvents", Read, 0.8),
    call("cloudtrail", "GetTrailStatus", Read, 0.5),
    call("dynamodb", "DescribeTable", Read, 2.0),
    call("dynamodb", "ListTables", Read, 1.0),
    call("dynamodb", "UpdateTable", Write, 0.1),
];

/// Services whose events CloudTrail records in us-east-1 whatever Region the caller used.
pub fn is_global(service: &str) -> bool {
    matches!(service, "iam" | "signin")
}

/// Error codes a failed call of this service returns, most common first.
pub fn error_codes(service: &str) -> &'static [&'static str] {
    match service {
        "ec2" => &[
            "Client.UnauthorizedOperation",
            "Client.InvalidInstanceID.NotFound",
            "Client.RequestLimitExceeded",
        ],
        "s3" => &["AccessDenied", "NoSuchKey", "NoSuchBucket"],
        "iam" => &[
            "AccessDenied",
            "NoSuchEntityException",
            "EntityAlreadyExistsException",
        ],
        "ssm" => &[
            "ParameterNotFound",
            "AccessDeniedException",
            "ThrottlingException",
        ],
        "kms" => &[
            "AccessDeniedException",
            "InvalidCiphertextException",
            "ThrottlingException",
        ],
        "lambda" => &[
            "ResourceNotFoundException",
            "AccessDeniedException",
            "TooManyRequestsException",
        ],
        "dynamodb" => &["ResourceNotFoundException", "AccessDeniedException"],
        "logs" => &[
            "ResourceAlreadyExistsException",
            "AccessDeniedException",
            "ThrottlingException",
        ],
        _ => &["AccessDenied", "ThrottlingException"],
    }
}

pub const S3_BUCKETS: [&str; 4] = [
    "orders-data-prod",
    "static-assets-prod",
    "analytics-exports",
    "terraform-state-shared",
];
pub const FUNCTIONS: [&str; 3] = ["orders-processor", "thumbnailer", "nightly-report"];
