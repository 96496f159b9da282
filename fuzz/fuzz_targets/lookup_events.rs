//! `LookupEvents` response handling: what sync does with a page of Event History
//! (`app::ssr::sync::page::page_records`, then `page_file`: each `CloudTrailEvent` string checked, the page
//! wrapped as a log file, parsed, gzipped and encoded).
//!
//! Input: one mode byte, then the rest. Mode bit 0 set: the rest is the HTTP body of a `LookupEvents` answer,
//! served by a canned HTTP client to the real AWS SDK client, whose deserialiser reads it (awsJson1.1) before
//! our code takes the events; clear: the rest is the `CloudTrailEvent` strings themselves, separated by 0xFF
//! (a byte UTF-8 never holds), as the SDK would hand them over.
//!
//! Besides "no panic, no hang, no unbounded memory": a page whose events are JSON objects is always stored (one
//! bad record must not stop a sync), and it counts every record once, stored or rejected.
#![no_main]

use app::ssr::store::dictionary::Dictionary;
use app::ssr::sync::page::{page_file, page_records};
use aws_sdk_cloudtrail::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use libfuzzer_sys::fuzz_target;
use std::sync::{LazyLock, Mutex};

static DICTIONARY: LazyLock<Dictionary> = LazyLock::new(Dictionary::default);

/// The body the canned client answers the next call with.
static BODY: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// An HTTP client that answers every request with `200 OK` and [`BODY`], as CloudTrail's endpoint would.
#[derive(Debug)]
struct Canned;

impl HttpConnector for Canned {
    fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
        let body = BODY.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut response = HttpResponse::new(
            200u16.try_into().expect("a status code"),
            SdkBody::from(body),
        );
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.1");
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for Canned {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(Canned)
    }
}

struct Sdk {
    runtime: tokio::runtime::Runtime,
    client: aws_sdk_cloudtrail::Client,
}

static SDK: LazyLock<Sdk> = LazyLock::new(|| {
    let config = aws_sdk_cloudtrail::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new(
            "AKIAFUZZEXAMPLE",
            "fuzz-secret",
            None,
            None,
            "fuzz",
        ))
        .http_client(Canned)
        .retry_config(aws_sdk_cloudtrail::config::retry::RetryConfig::disabled())
        .build();
    Sdk {
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime"),
        client: aws_sdk_cloudtrail::Client::from_conf(config),
    }
});

fn store_page(records: &[String]) {
    let refs: Vec<&str> = records.iter().map(String::as_str).collect();
    let all_objects = records
        .iter()
        .all(|r| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(r).is_ok());
    match page_file(
        "event-history/fuzz".to_owned(),
        "111122223333",
        "eu-west-1",
        &refs,
        &DICTIONARY,
    ) {
        Ok((file, oldest)) => {
            assert_eq!(
                file.events.len() + file.rejected_records as usize,
                records.len(),
                "every event of the page is stored or rejected, once: {:?}",
                file.problem
            );
            assert_eq!(file.problem.is_some(), file.rejected_records > 0);
            assert_eq!(oldest, file.events.iter().map(|e| e.event_time).min());
        }
        Err(why) => assert!(!all_objects, "a page of JSON objects was not stored: {why}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        *BODY.lock().unwrap_or_else(|e| e.into_inner()) = rest.to_vec();
        let sdk = &*SDK;
        let answer = sdk.runtime.block_on(
            sdk.client
                .lookup_events()
                .start_time(aws_sdk_cloudtrail::primitives::DateTime::from_secs(
                    1_764_460_800,
                ))
                .end_time(aws_sdk_cloudtrail::primitives::DateTime::from_secs(
                    1_764_464_400,
                ))
                .max_results(50)
                .send(),
        );
        if let Ok(page) = answer {
            store_page(&page_records(&page));
        }
    } else {
        let records: Vec<String> = rest
            .split(|&b| b == 0xFF)
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect();
        store_page(&records);
    }
});
