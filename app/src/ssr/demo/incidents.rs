//! Incidents planted in the demo archive, each something a security engineer should be able to find:
//! a root console login without MFA, a burst of AccessDenied from one access key, CloudTrail logging
//! stopped with that key, and a security group opened to the world. Also the archive's integrity history: the
//! development trail stopped and restarted (a gap in its digests), and one log file the intruder edited after
//! its digest was signed.
use super::catalog::{ACCOUNTS, Actor, BROWSER, CALLS, HOSTILE_AGENT, Kind, Origin, Principal};
use super::record::{CallSpec, Record, api_call, console_login};
use super::rng::Rng;
use crate::model::time::{DAY, HOUR, MINUTE};
use serde_json::json;

/// A planted record and the stream (account index, Region) it belongs to.
pub struct Planted {
    pub account: usize,
    pub region: &'static str,
    pub record: Record,
    pub time: i64,
}

/// The compromised long-term key of `svc-backup` in the staging account.
/// When the intruder's `StopLogging` turns off staging's `management-events` trail (the trails snapshot shows
/// it stopped since then).
pub(super) fn staging_trail_stopped_at(end: i64) -> i64 {
    end - 2 * DAY - 15 * HOUR + 40 * MINUTE
}

/// When an administrator stopped the development account's `dev-trail` (us-east-1) and when they started it
/// again: no log file and no digest is delivered in between, and the first digest after is a starting digest.
pub(super) fn dev_trail_logging_off(end: i64) -> (i64, i64) {
    let stopped = end - 9 * DAY - 4 * HOUR + 12 * MINUTE;
    (stopped, stopped + 3 * HOUR + 25 * MINUTE)
}

/// The intruder's first call with the leaked key (staging, us-east-1), a day before the burst: the record
/// the intruder later deleted from its log file, whose digest had already been signed. Written files hold the
/// edited file; its digest the original's hash.
pub(super) fn deleted_record_at(end: i64) -> i64 {
    end - 3 * DAY - 7 * HOUR + 21 * MINUTE + 9
}

const INTRUDER: Principal = Principal::IamUser { name: "svc-backup" };
const PROD: usize = 0;
pub(super) const STAGING: usize = 1;
pub(super) const DEV: usize = 2;

fn call_named(service: &str, name: &str) -> &'static super::catalog::Call {
    static EXTRA: [super::catalog::Call; 4] = [
        super::catalog::Call {
            service: "cloudtrail",
            name: "StopLogging",
            kind: Kind::Write,
            weight: 0.0,
        },
        super::catalog::Call {
            service: "cloudtrail",
            name: "StartLogging",
            kind: Kind::Write,
            weight: 0.0,
        },
        super::catalog::Call {
            service: "ec2",
            name: "AuthorizeSecurityGroupIngress",
            kind: Kind::Write,
            weight: 0.0,
        },
        super::catalog::Call {
            service: "secretsmanager",
            name: "ListSecrets",
            kind: Kind::Read,
            weight: 0.0,
        },
    ];
    CALLS
        .iter()
        .chain(EXTRA.iter())
        .find(|c| c.service == service && c.name == name)
        .unwrap_or(&EXTRA[3])
}

/// The incidents that fall inside `[start, end)`, relative to `end`.
pub fn plant(start: i64, end: i64, rng: &mut Rng) -> Vec<Planted> {
    let mut planted = Vec::new();
    let mut add = |account: usize, region: &'static str, time: i64, record: Record| {
        if (start..end).contains(&time) {
            planted.push(Planted {
                account,
                region,
                record,
                time,
            });
        }
    };
    // Root signs in to the production console without MFA from an address never seen before.
    let login_at = end - 5 * DAY - 3 * HOUR + 17 * MINUTE;
    let root = Actor {
        principal: Principal::Root,
        origin: Origin::Hostile,
        user_agent: "",
        weight: 0.0,
        sources: &[],
        console: true,
    };
    let record = console_login(
        login_at,
        &ACCOUNTS[PROD],
        &root,
        false,
        true,
        "45.155.205.233".to_owned(),
        rng,
    );
    add(PROD, "us-east-1", login_at, record);

    // Reconnaissance with a leaked key: 80 calls in four minutes, all refused.
    let burst_at = end - 2 * DAY - 15 * HOUR;
    let probes = [
        ("iam", "ListUsers"),
        ("iam", "ListRoles"),
        ("s3", "ListBuckets"),
        ("ec2", "DescribeInstances"),
        ("secretsmanager", "ListSecrets"),
        ("ssm", "GetParameters"),
        ("kms", "Decrypt"),
        ("lambda", "ListFunctions20150331"),
        ("dynamodb", "ListTables"),
    ];
    for i in 0..80 {
        let (service, name) = probes[i % probes.len()];
        let region = if service == "iam" || i % 4 != 3 {
            "us-east-1"
        } else {
            "eu-west-1"
        };
        let time = burst_at + (i as i64 * 3);
        let error = if service == "ec2" {
            "Client.UnauthorizedOperation"
        } else {
            "AccessDenied"
        };
        let spec = CallSpec {
            time,
            account: &ACCOUNTS[STAGING],
            region,
            principal: INTRUDER,
            origin: Origin::Hostile,
            user_agent: HOSTILE_AGENT,
            call: call_named(service, name),
            error: Some(error),
        };
        add(STAGING, region, time, api_call(&spec, rng));
    }

    // The same key then turns off the staging trail.
    let stop_at = staging_trail_stopped_at(end);
    debug_assert_eq!(stop_at, burst_at + 40 * MINUTE);
    let spec = CallSpec {
        time: stop_at,
        account: &ACCOUNTS[STAGING],
        region: "us-east-1",
        principal: INTRUDER,
        origin: Origin::Hostile,
        user_agent: HOSTILE_AGENT,
        call: call_named("cloudtrail", "StopLogging"),
        error: None,
    };
    let mut record = api_call(&spec, rng);
    record.request_parameters =
        json!({ "name": "arn:aws:cloudtrail:us-east-1:210987654321:trail/management-events" });
    add(STAGING, "us-east-1", stop_at, record);

    // SSH opened to 0.0.0.0/0 on a production security group.
    let open_at = end - DAY - 6 * HOUR + 42 * MINUTE;
    let spec = CallSpec {
        time: open_at,
        account: &ACCOUNTS[PROD],
        region: "us-west-2",
        principal: Principal::IamUser { name: "alice" },
        origin: Origin::Office,
        user_agent: "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/ec2.authorize-security-group-ingress",
        call: call_named("ec2", "AuthorizeSecurityGroupIngress"),
        error: None,
    };
    let mut record = api_call(&spec, rng);
    record.request_parameters = json!({
        "groupId": "sg-0f1e2d3c4b5a69788",
        "ipPermissions": { "items": [{ "ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
            "ipRanges": { "items": [{ "cidrIp": "0.0.0.0/0", "description": "temp debug" }] } }] },
    });
    record.response_elements = json!({ "_return": true, "securityGroupRuleSet": { "items": [{ "groupId": "sg-0f1e2d3c4b5a69788", "isEgress": false, "cidrIpv4": "0.0.0.0/0", "fromPort": 22, "toPort": 22 }] } });
    add(PROD, "us-west-2", open_at, record);

    // The intruder's first try of the key (deleted from its log file later, see `deleted_record_at`).
    let tried_at = deleted_record_at(end);
    let spec = CallSpec {
        time: tried_at,
        account: &ACCOUNTS[STAGING],
        region: "us-east-1",
        principal: INTRUDER,
        origin: Origin::Hostile,
        user_agent: HOSTILE_AGENT,
        call: call_named("sts", "GetCallerIdentity"),
        error: None,
    };
    add(STAGING, "us-east-1", tried_at, api_call(&spec, rng));

    // An administrator stops the development trail for a migration and starts it again.
    let admin = Principal::Role {
        role: "AWSReservedSSO_AdministratorAccess_4f1c2a9b7e3d",
        session: "bob@example.com",
    };
    let (stopped, started) = dev_trail_logging_off(end);
    for (time, name) in [(stopped, "StopLogging"), (started, "StartLogging")] {
        let spec = CallSpec {
            time,
            account: &ACCOUNTS[DEV],
            region: "us-east-1",
            principal: admin,
            origin: Origin::Office,
            user_agent: BROWSER,
            call: call_named("cloudtrail", name),
            error: None,
        };
        let mut record = api_call(&spec, rng);
        record.request_parameters =
            json!({ "name": "arn:aws:cloudtrail:us-east-1:444455556666:trail/dev-trail" });
        add(DEV, "us-east-1", time, record);
    }
    planted
}
