//! Delivering the queue: one task per webhook POSTs its due notifications in order, over the hyper/rustls stack
//! the AWS SDK already brings (system CA certificates), each POST bounded by the policy's timeout.
use super::queue::{self, Delivery, Next};
use super::{Webhook, Webhooks};
use crate::ssr::store::Store;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;

/// The HTTP(S) client webhooks are POSTed with.
pub type HttpClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// How long a task with nothing due sleeps before looking again (another process may have queued).
const IDLE_POLL: Duration = Duration::from_secs(60);

/// A client for `http` and `https` URLs trusting the system's CA certificates. Without any (a bare container),
/// `https` deliveries fail with a certificate error, shown in the status; `http` still works.
///
/// Errors: the TLS settings are refused by rustls (not expected with its aws-lc-rs provider).
pub fn client() -> Result<HttpClient, rustls::Error> {
    let provider = || Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = match hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider())
    {
        Ok(builder) => builder,
        Err(error) => {
            tracing::warn!(%error, "no CA certificates found: https findings webhooks will fail");
            let config = rustls::ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()?
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
        }
    };
    let connector = builder.https_or_http().enable_http1().build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

/// POSTs `webhook`'s body for `delivery` once, within `timeout`.
///
/// Errors: why it failed, for the status and the log: the HTTP status, the connection error, or the timeout;
/// never the URL.
pub async fn post(
    client: &HttpClient,
    webhook: &Webhook,
    delivery: &Delivery,
    timeout: Duration,
) -> Result<(), String> {
    let body = delivery.notification.body(webhook.kind).to_string();
    let mut request = hyper::Request::post(webhook.url.clone())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(
            hyper::header::USER_AGENT,
            concat!("trailscope/", env!("CARGO_PKG_VERSION")),
        );
    for (name, value) in &webhook.headers {
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("request not built: {e}"))?;
    match tokio::time::timeout(timeout, client.request(request)).await {
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs_f64())),
        Ok(Err(error)) => Err(chain(&error)),
        Ok(Ok(response)) if response.status().is_success() => Ok(()),
        Ok(Ok(response)) => Err(format!("HTTP {}", response.status())),
    }
}

/// An error and its causes, `: `-separated (hyper's top error alone says only "client error (Connect)").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Delivers every webhook's queue until the task is dropped: one task per webhook, so a slow one never holds up
/// another.
pub async fn deliver(store: Arc<Store>, webhooks: Arc<Webhooks>) {
    let client = match client() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "findings webhooks are not delivered: no HTTPS client");
            return;
        }
    };
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..webhooks.hooks().len() {
        tasks.spawn(deliver_one(
            store.clone(),
            webhooks.clone(),
            client.clone(),
            index,
        ));
    }
    while tasks.join_next().await.is_some() {}
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The `index`-th webhook's queue, in order: each due delivery is POSTed, then recorded as delivered or
/// failed (retried after the policy's backoff, or given up after its last attempt).
async fn deliver_one(store: Arc<Store>, webhooks: Arc<Webhooks>, client: HttpClient, index: usize) {
    let Some(webhook) = webhooks.hooks().get(index).cloned() else {
        return;
    };
    let policy = *webhooks.policy();
    let name = webhook.name.clone();
    loop {
        let next = {
            let name = name.clone();
            crate::ssr::store::off_runtime(&store, move |s| queue::next(s, &name, now_ms())).await
        };
        let delivery = match next {
            Ok(Ok(Next::Send(delivery))) => delivery,
            Ok(Ok(Next::WaitUntil(due_ms))) => {
                let wait = Duration::from_millis((due_ms - now_ms()).max(1) as u64);
                let _ = tokio::time::timeout(wait.min(IDLE_POLL), webhooks.woken(index)).await;
                continue;
            }
            Ok(Ok(Next::Idle)) => {
                let _ = tokio::time::timeout(IDLE_POLL, webhooks.woken(index)).await;
                continue;
            }
            Ok(Err(error)) => {
                tracing::warn!(webhook = %name, %error, "findings webhook queue unreadable");
                tokio::time::sleep(IDLE_POLL).await;
                continue;
            }
            Err(_) => return,
        };
        let result = post(
            &client,
            &webhook,
            &delivery,
            Duration::from_millis(policy.timeout_ms),
        )
        .await;
        let (hook, target) = (name.clone(), webhook.target());
        let recorded = crate::ssr::store::off_runtime(&store, move |s| match result {
            Ok(()) => {
                tracing::info!(webhook = %hook, rule = %delivery.notification.rule_id, "findings webhook delivered");
                queue::delivered(s, &hook, &delivery, now_ms() / 1000)
            }
            Err(reason) => {
                let attempt = delivery.attempts + 1;
                let retry_in_ms = (attempt < policy.max_attempts).then(|| policy.backoff_ms(attempt));
                match retry_in_ms {
                    Some(wait_ms) => tracing::warn!(
                        webhook = %hook, %target, %reason, attempt, retry_in_ms = wait_ms,
                        "findings webhook delivery failed; it will be retried"
                    ),
                    None => tracing::warn!(
                        webhook = %hook, %target, %reason, attempt,
                        "findings webhook delivery failed for the last time; given up"
                    ),
                }
                queue::failed(s, &hook, &delivery, &reason, retry_in_ms, now_ms())
            }
        })
        .await;
        match recorded {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::warn!(webhook = %name, %error, "findings webhook outcome not recorded");
                tokio::time::sleep(IDLE_POLL).await;
            }
            Err(_) => return,
        }
    }
}
