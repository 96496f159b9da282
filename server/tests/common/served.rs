//! The demo archive (plus one planted log file) in a store behind the real router, shared by every test of a
//! test binary: building it is the slow part, and the tests only read.
use super::{ingest, small_demo, write_gz};
use app::ssr::state::AppState;
use app::ssr::store::Store;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use leptos::prelude::LeptosOptions;
use serde_json::Value;
use trailscope::serve::{ServerState, router};

/// A log file beside the demo's, with what the demo never writes: a formula in a user agent, a resource
/// named in `resources[]` and a read-only event by a federated user.
pub const PLANTED_KEY: &str = "AWSLogs/999988887777/CloudTrail/eu-central-1/2026/11/19/999988887777_CloudTrail_eu-central-1_20261119T1000Z_plantedplanted01.json.gz";
pub const PLANTED_EVIL_ID: &str = "11111111-2222-4333-8444-555555555555";
pub const PLANTED_LOG: &str = r#"{"Records":[
{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:mallory","arn":"arn:aws:sts::999988887777:assumed-role/Ops/mallory","accountId":"999988887777","accessKeyId":"ASIAPLANTED0000001","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::999988887777:role/Ops","accountId":"999988887777","userName":"Ops"},"attributes":{"creationDate":"2026-11-19T09:50:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-11-19T09:55:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","awsRegion":"eu-central-1","sourceIPAddress":"198.51.100.77","userAgent":"=HYPERLINK(\"http://evil.example\",\"click\")","requestParameters":{"bucketName":"planted-audit-logs"},"responseElements":null,"eventID":"11111111-2222-4333-8444-555555555555","readOnly":false,"resources":[{"accountId":"999988887777","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::planted-audit-logs"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"999988887777","eventCategory":"Management"},
{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:mallory","arn":"arn:aws:sts::999988887777:assumed-role/Ops/mallory","accountId":"999988887777","accessKeyId":"ASIAPLANTED0000001","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::999988887777:role/Ops","accountId":"999988887777","userName":"Ops"}}},"eventTime":"2026-11-19T09:56:00Z","eventSource":"s3.amazonaws.com","eventName":"GetBucketPolicy","awsRegion":"eu-central-1","sourceIPAddress":"198.51.100.77","userAgent":"aws-cli/2.15.0 Python/3.11","requestParameters":{"bucketName":"planted-audit-logs"},"responseElements":null,"eventID":"11111111-2222-4333-8444-555555555556","readOnly":true,"resources":[{"accountId":"999988887777","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::planted-audit-logs"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"999988887777","eventCategory":"Management"}
]}"#;

pub struct Fixture {
    pub router: axum::Router,
    pub store: std::sync::Arc<Store>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

/// One store for every test here: building it is the slow part, and the tests only read.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: std::sync::LazyLock<Fixture> = std::sync::LazyLock::new(build_fixture);
    &FIXTURE
}

fn build_fixture() -> Fixture {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    small_demo(archive.path());
    write_gz(archive.path(), PLANTED_KEY, PLANTED_LOG.as_bytes());
    let store = Store::open_in(data.path()).expect("store");
    ingest(&store, archive.path());
    let trails = std::fs::read(archive.path().join(app::ssr::demo::TRAILS_SNAPSHOT_FILE))
        .expect("the demo writes its trails snapshot");
    app::ssr::store::trail_snapshots::save(
        &store,
        app::ssr::store::trail_snapshots::SnapshotSource::Demo,
        &serde_json::from_slice(&trails).expect("the snapshot parses"),
    )
    .expect("saved");
    let (router, store) = serve_store(store);
    Fixture {
        router,
        store,
        _dirs: (archive, data),
    }
}

/// The real router over `store`, with a `viewer` user (password [`super::PASSWORD`]) for [`get`] to log in as.
pub fn serve_store(store: Store) -> (axum::Router, std::sync::Arc<Store>) {
    app::ssr::auth::users::add_user(
        &store,
        "viewer",
        app::ssr::auth::Role::Viewer,
        super::PASSWORD,
    )
    .expect("user");
    let app = AppState::new(store);
    let store = app.store.clone();
    let leptos_options = LeptosOptions::builder().output_name("trailscope").build();
    let router = router(ServerState {
        leptos_options,
        app,
        secure_cookies: false,
        shutdown: Default::default(),
    });
    (router, store)
}

/// A GET as the logged-in viewer (one login shared by the tests here, over the shared [`fixture`]).
pub async fn get(router: &axum::Router, uri: &str) -> (StatusCode, String) {
    static COOKIE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let cookie = match COOKIE.get() {
        Some(cookie) => cookie.clone(),
        None => {
            let cookie = viewer_cookie(router).await;
            COOKIE.get_or_init(|| cookie).clone()
        }
    };
    get_as(router, &cookie, uri).await
}

/// The session cookie of the `viewer` user [`serve_store`] adds.
pub async fn viewer_cookie(router: &axum::Router) -> String {
    super::log_in(router, "viewer", super::PASSWORD, None)
        .await
        .expect("logged in")
}

/// A GET with the session `cookie`.
pub async fn get_as(router: &axum::Router, cookie: &str, uri: &str) -> (StatusCode, String) {
    let request = Request::get(uri)
        .header("cookie", cookie)
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = super::exchange(router, request).await;
    (status, body)
}

pub async fn get_json(router: &axum::Router, uri: &str) -> Value {
    json_of(uri, get(router, uri).await)
}

/// The JSON body of a 200 answer to `uri`; anything else fails the test, naming `uri`.
pub fn json_of(uri: &str, (status, body): (StatusCode, String)) -> Value {
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}"))
}
