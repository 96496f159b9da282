//! A local Cost Explorer for the real SDK: it speaks Cost Explorer's wire protocol (awsJson1.1,
//! `X-Amz-Target: AWSInsightsIndexService.GetCostAndUsage`), records the requests it was sent, and answers each
//! with the test's pages (shaped like AWS's documented `GetCostAndUsage` response) or refuses with
//! `AccessDeniedException` and the test's message.
#![allow(dead_code)]

use app::ssr::aws::AwsAccount;
use app::ssr::aws::clients::AwsClients;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// The operation's `X-Amz-Target`.
pub const TARGET: &str = "AWSInsightsIndexService.GetCostAndUsage";

/// The local Cost Explorer: the requests it was sent (target header, JSON body), and how it answers.
pub struct CostExplorer {
    requests: Mutex<Vec<(String, Value)>>,
    /// The answer to a request (its JSON body).
    pages: fn(&Value) -> Value,
    /// `Some(message)`: every request is refused with `AccessDeniedException`.
    deny: Option<String>,
}

impl CostExplorer {
    /// Answers each request with `pages(request)`.
    pub fn answering(pages: fn(&Value) -> Value) -> Self {
        Self {
            requests: Mutex::default(),
            pages,
            deny: None,
        }
    }

    /// Refuses every request with `AccessDeniedException` and `message`.
    pub fn denying(message: &str) -> Self {
        Self {
            deny: Some(message.to_owned()),
            ..Self::answering(|_| Value::Null)
        }
    }

    /// The requests so far: (target, body).
    pub fn requests(&self) -> Vec<(String, Value)> {
        self.requests.lock().expect("requests").clone()
    }
}

/// `YYYY-MM-01` of the `offset`-th month after the `YYYY-MM-DD` date `start`.
pub fn month_after(start: &str, offset: u32) -> String {
    let year: u32 = start[..4].parse().expect("year");
    let month: u32 = start[5..7].parse().expect("month");
    let index = year * 12 + (month - 1) + offset;
    format!("{:04}-{:02}-01", index / 12, index % 12 + 1)
}

/// One group: keys (linked account, usage type) and both metrics.
pub fn group(account: &str, usage_type: &str, cost: &str, quantity: &str, unit: &str) -> Value {
    json!({
        "Keys": [account, usage_type],
        "Metrics": {
            "UnblendedCost": { "Amount": cost, "Unit": "USD" },
            "UsageQuantity": { "Amount": quantity, "Unit": unit }
        }
    })
}

/// One month of the answer.
pub fn period(start: &str, end: &str, estimated: bool, groups: Vec<Value>) -> Value {
    json!({
        "TimePeriod": { "Start": start, "End": end },
        "Total": {},
        "Groups": groups,
        "Estimated": estimated
    })
}

async fn answer(
    state: axum::extract::State<Arc<CostExplorer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state
        .requests
        .lock()
        .expect("requests")
        .push((target.clone(), request.clone()));
    let json = [("content-type", "application/x-amz-json-1.1")];
    if let Some(message) = &state.deny {
        let error = json!({ "__type": "AccessDeniedException", "Message": message });
        return (StatusCode::BAD_REQUEST, json, error.to_string()).into_response();
    }
    if target != TARGET {
        let error = json!({ "__type": "UnknownOperationException" });
        return (StatusCode::BAD_REQUEST, json, error.to_string()).into_response();
    }
    (StatusCode::OK, json, (state.pages)(&request).to_string()).into_response()
}

/// Serves `cost_explorer` on 127.0.0.1; the endpoint URL.
pub async fn serve(cost_explorer: Arc<CostExplorer>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new()
        .route("/", axum::routing::post(answer))
        .with_state(cost_explorer);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// The clients of `accounts`, every service of the SDK pointed at `endpoint` with fixed credentials.
pub fn clients(endpoint: &str, accounts: Vec<AwsAccount>) -> AwsClients {
    let endpoint = endpoint.to_owned();
    AwsClients::with_loader(
        accounts,
        Arc::new(move || {
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .endpoint_url(endpoint.clone())
                .credentials_provider(aws_sdk_cloudtrail::config::Credentials::new(
                    "testing", "testing", None, None, "tests",
                ))
        }),
    )
}

/// A configured account named `name` in us-east-1, asking Cost Explorer when `cost_explorer`.
pub fn account(name: &str, cost_explorer: bool) -> AwsAccount {
    AwsAccount {
        name: Some(name.into()),
        regions: vec!["us-east-1".into()],
        cost_explorer,
        ..AwsAccount::default()
    }
}
