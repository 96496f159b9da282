//! What a user is offered works for them: viewers are not shown admin-only controls (and the server refuses
//! them the action), and live mode is offered only where an AWS account is configured. Rendered pages and
//! server functions through the real router.
mod common;

use app::ssr::auth::Role;
use app::ssr::auth::users::add_user;
use app::ssr::aws::AwsAccount;
use app::ssr::state::AppState;
use app::ssr::store::Store;
use axum::http::StatusCode;
use common::{PASSWORD, exchange, form_post, get, lenient_auth, log_in};

/// A site with `admin` and `viewer` users and these AWS accounts (none: the demo), with both logged in.
struct Site {
    router: axum::Router,
    admin: String,
    viewer: String,
    _data: tempfile::TempDir,
}

async fn site(accounts: Vec<AwsAccount>) -> Site {
    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open_in(data.path()).expect("store");
    add_user(&store, "admin", Role::Admin, PASSWORD).expect("admin");
    add_user(&store, "viewer", Role::Viewer, PASSWORD).expect("viewer");
    let app = AppState::with_auth(store, lenient_auth()).with_accounts(accounts);
    let leptos_options = leptos::prelude::LeptosOptions::builder()
        .output_name("trailscope")
        .build();
    let router = trailscope::serve::router(trailscope::serve::ServerState {
        leptos_options,
        app,
        secure_cookies: false,
        shutdown: Default::default(),
    });
    let log_in_as = |name| log_in(&router, name, PASSWORD, None);
    let admin = log_in_as("admin").await.expect("admin logged in");
    let viewer = log_in_as("viewer").await.expect("viewer logged in");
    Site {
        router,
        admin,
        viewer,
        _data: data,
    }
}

async fn page(site: &Site, uri: &str, cookie: &str) -> String {
    let (status, _, html) = exchange(&site.router, get(uri, Some(cookie))).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {html}");
    html
}

#[tokio::test]
async fn only_admins_are_offered_a_trail_refresh_and_only_admins_may_do_one() {
    let s = site(Vec::new()).await;
    let refresh_button = "Refresh now";
    assert!(
        !page(&s, "/trails", &s.viewer)
            .await
            .contains(refresh_button),
        "a viewer sees no button that would be refused"
    );
    assert!(page(&s, "/trails", &s.admin).await.contains(refresh_button));

    let refresh = |cookie: &str| form_post("/api/trails/refresh", "", Some(cookie));
    let (status, _, body) = exchange(&s.router, refresh(&s.viewer)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::FORBIDDEN, "\"Forbidden\"")
    );
    let (status, _, body) = exchange(&s.router, refresh(&s.admin)).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "an admin may refresh; without an account there is nothing to read: {body}"
    );
}

#[tokio::test]
async fn live_mode_is_offered_only_where_an_aws_account_is_configured() {
    let ask_live = "Ask Event History live";
    let demo = site(Vec::new()).await;
    let html = page(&demo, "/events?range=all", &demo.viewer).await;
    assert!(
        html.contains("data-testid=\"event-total\""),
        "the results rendered: {html}"
    );
    assert!(
        !html.contains(ask_live),
        "the demo has no Event History to ask"
    );
    let (_, _, available) = exchange(
        &demo.router,
        get("/api/events/live/available", Some(&demo.viewer)),
    )
    .await;
    assert_eq!(available, "false");

    let configured = site(vec![AwsAccount::default()]).await;
    let html = page(&configured, "/events?range=all", &configured.viewer).await;
    assert!(html.contains(ask_live), "{html}");
}

#[tokio::test]
async fn admins_see_the_stores_schema_versions_and_viewers_do_not() {
    let s = site(Vec::new()).await;
    let (status, _, body) = exchange(&s.router, get("/api/admin/store", Some(&s.admin))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let info: app::model::admin::StoreInfo = serde_json::from_str(&body).expect("store info");
    let names: Vec<&str> = info.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["trailscope.db", "trailscope-auth.db"]);
    for file in &info.files {
        assert!(file.schema_version > 0, "{file:?}");
        assert_eq!(
            file.schema_version, file.known_schema_version,
            "a fresh store is migrated: {file:?}"
        );
        assert!(file.bytes > 0, "{file:?}");
    }
    let settings = page(&s, "/settings", &s.admin).await;
    assert!(
        settings.contains("Schema version"),
        "Settings shows the store"
    );
    let (status, _, _) = exchange(&s.router, get("/api/admin/store", Some(&s.viewer))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
