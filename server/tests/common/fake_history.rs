//! A local HTTP server that speaks CloudTrail's JSON protocol for `LookupEvents` like AWS: newest first, 50 per
//! page with `NextToken`, `StartTime`/`EndTime` inclusive, 2 calls a second per account and Region (above that:
//! `ThrottlingException`), one lookup attribute honoured, and 5xx answers injected on every `fail_every`-th call.
//! It also answers STS's `AssumeRole` and `GetCallerIdentity` (query protocol) for [`ACCOUNT`], counting them,
//! so that a test can point every service of the SDK at it and see how often credentials are fetched.
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ACCOUNT: &str = "123456789012";
/// The access key ID of the credentials `AssumeRole` hands out.
pub const ROLE_KEY: &str = "ASIAROLEEXAMPLE00001";

#[derive(Default)]
pub struct History {
    /// (event time, event ID), any order.
    pub events: Mutex<Vec<(i64, String)>>,
    pub calls: Mutex<Vec<Instant>>,
    pub served: AtomicU64,
    /// Calls answered with ThrottlingException: calls beyond 2 in one second.
    pub throttled: AtomicU64,
    pub failed: AtomicU64,
    pub fail_every: u64,
    /// Answer every call with AccessDeniedException (not worth retrying).
    pub deny: bool,
    /// Answer every call as an opt-in Region the account has not enabled does.
    pub opted_out: bool,
    /// The `LookupAttributes` of the last call, as (key, value).
    pub last_attributes: Mutex<Vec<(String, String)>>,
    /// STS `AssumeRole` calls answered.
    pub assume_role_calls: AtomicU64,
    /// STS `GetCallerIdentity` calls answered.
    pub caller_identity_calls: AtomicU64,
    /// The access key IDs that signed `LookupEvents` calls.
    pub signed_by: Mutex<BTreeSet<String>>,
    /// Event IDs whose `CloudTrailEvent` is served cut in half (not JSON), as a damaged answer would be.
    pub damaged: Mutex<BTreeSet<String>>,
}

impl History {
    pub fn add(&self, times: impl IntoIterator<Item = i64>) {
        let mut events = self.events.lock().expect("events");
        for time in times {
            let id = format!("{:08x}-0000-4000-8000-{:012x}", events.len(), time);
            events.push((time, id));
        }
    }
}

fn record(time: i64, id: &str) -> String {
    json!({
        "eventVersion": "1.08",
        "userIdentity": { "type": "IAMUser", "arn": format!("arn:aws:iam::{ACCOUNT}:user/alice"),
                          "accountId": ACCOUNT, "userName": "alice", "accessKeyId": "AKIAEXAMPLE" },
        "eventTime": app::model::time::format_rfc3339(time),
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.15.0",
        "eventID": id,
        "readOnly": true,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management"
    })
    .to_string()
}

/// Whether an event of this server (all `DescribeInstances` by `alice`, read-only) has the attribute.
fn matches_attribute(key: &str, value: &str, id: &str) -> bool {
    match key {
        "EventId" => value == id,
        "EventName" => value == "DescribeInstances",
        "Username" => value == "alice",
        "ReadOnly" => value == "true",
        "EventSource" => value == "ec2.amazonaws.com",
        "AccessKeyId" => value == "AKIAEXAMPLE",
        _ => false,
    }
}

fn aws_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        [("content-type", "application/x-amz-json-1.1")],
        json!({ "__type": kind, "message": message }).to_string(),
    )
        .into_response()
}

async fn lookup_events(
    axum::extract::State(history): axum::extract::State<Arc<History>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !target.ends_with(".LookupEvents") {
        return aws_error(StatusCode::BAD_REQUEST, "UnknownOperationException", target);
    }
    let signer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("Credential=").nth(1))
        .and_then(|v| v.split('/').next());
    if let Some(key) = signer {
        history
            .signed_by
            .lock()
            .expect("signers")
            .insert(key.to_owned());
    }
    let now = Instant::now();
    let number = {
        let mut calls = history.calls.lock().expect("calls");
        calls.retain(|at| now.duration_since(*at) < Duration::from_secs(1));
        if calls.len() >= 2 {
            history.throttled.fetch_add(1, Ordering::Relaxed);
            return aws_error(
                StatusCode::BAD_REQUEST,
                "ThrottlingException",
                "Rate exceeded",
            );
        }
        calls.push(now);
        history.served.fetch_add(1, Ordering::Relaxed) + 1
    };
    if history.opted_out {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
    }
    if history.deny {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "AccessDeniedException",
            "User is not authorized to perform: cloudtrail:LookupEvents",
        );
    }
    if history.fail_every > 0 && number % history.fail_every == 0 {
        history.failed.fetch_add(1, Ordering::Relaxed);
        return aws_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalFailure",
            "injected",
        );
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let bound = |key: &str, default: i64| request[key].as_f64().map_or(default, |t| t as i64);
    let (start, end) = (bound("StartTime", i64::MIN), bound("EndTime", i64::MAX));
    let attributes: Vec<(String, String)> = request["LookupAttributes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let text = |key: &str| a[key].as_str().unwrap_or_default().to_owned();
            (text("AttributeKey"), text("AttributeValue"))
        })
        .collect();
    *history.last_attributes.lock().expect("attributes") = attributes.clone();
    let per_page = request["MaxResults"].as_u64().unwrap_or(50).min(50) as usize;
    let offset: usize = request["NextToken"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let mut matching: Vec<(i64, String)> = history
        .events
        .lock()
        .expect("events")
        .iter()
        .filter(|(t, _)| (start..=end).contains(t))
        .filter(|(_, id)| attributes.iter().all(|(k, v)| matches_attribute(k, v, id)))
        .cloned()
        .collect();
    matching.sort_by(|a, b| b.cmp(a));
    let damaged = history.damaged.lock().expect("damaged").clone();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(per_page)
        .map(|(time, id)| {
            let mut record = record(*time, id);
            if damaged.contains(id) {
                record.truncate(record.len() / 2);
            }
            json!({ "EventId": id, "EventName": "DescribeInstances", "ReadOnly": "true",
                    "EventTime": *time as f64, "EventSource": "ec2.amazonaws.com", "Username": "alice",
                    "CloudTrailEvent": record })
        })
        .collect();
    let mut answer = json!({ "Events": page });
    if offset + per_page < matching.len() {
        answer["NextToken"] = json!((offset + per_page).to_string());
    }
    (
        StatusCode::OK,
        [("content-type", "application/x-amz-json-1.1")],
        answer.to_string(),
    )
        .into_response()
}

/// STS's answer to `AssumeRole` (credentials valid for an hour) or `GetCallerIdentity`, counted.
fn sts(history: &History, body: &[u8]) -> Response {
    let body = String::from_utf8_lossy(body);
    let action = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .unwrap_or_default()
        .to_owned();
    let arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/Reader/trailscope");
    let result = match action.as_str() {
        "AssumeRole" => {
            history.assume_role_calls.fetch_add(1, Ordering::Relaxed);
            let expiration = app::model::time::format_rfc3339(app::ssr::clock::now_secs() + 3600);
            format!(
                "<Credentials><AccessKeyId>{ROLE_KEY}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>\
                 <SessionToken>token</SessionToken><Expiration>{expiration}</Expiration></Credentials>\
                 <AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:trailscope</AssumedRoleId><Arn>{arn}</Arn>\
                 </AssumedRoleUser>"
            )
        }
        "GetCallerIdentity" => {
            history
                .caller_identity_calls
                .fetch_add(1, Ordering::Relaxed);
            format!(
                "<Arn>{arn}</Arn><UserId>AROAEXAMPLE:trailscope</UserId><Account>{ACCOUNT}</Account>"
            )
        }
        _ => return aws_error(StatusCode::BAD_REQUEST, "InvalidAction", &action),
    };
    let xml = format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>{result}\
         </{action}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></{action}Response>"
    );
    (StatusCode::OK, [("content-type", "text/xml")], xml).into_response()
}

/// CloudTrail (JSON, by `X-Amz-Target`) or STS (a form body).
async fn answer(
    state: axum::extract::State<Arc<History>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form {
        return sts(&state.0, &body);
    }
    lookup_events(state, headers, body).await
}

/// Serves `history` on 127.0.0.1; the endpoint URL.
pub async fn serve(history: Arc<History>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new()
        .route("/", axum::routing::post(answer))
        .with_state(history);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// The real CloudTrail client, pointed at `endpoint`.
pub fn client(endpoint: &str) -> aws_sdk_cloudtrail::Client {
    let config = aws_sdk_cloudtrail::Config::builder()
        .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudtrail::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_cloudtrail::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .build();
    aws_sdk_cloudtrail::Client::from_conf(config)
}
