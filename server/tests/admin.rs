//! API tokens, the failed-login throttle, proxy sign-on and the audit log through the real router; and no
//! secret in any log line or in the answers that list users, tokens and the audit log.
mod common;

use app::ssr::auth::proxy::ProxySettings;
use app::ssr::auth::users::add_user;
use app::ssr::auth::{AuthSettings, Role};
use app::ssr::store::Store;
use axum::http::{Request, StatusCode};
use common::{
    PASSWORD, exchange, form_post, from_peer, get, lenient_auth, log_in, router_with,
    session_cookie,
};
use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};

/// Every log line the tests in this file produce, at every level and from every crate.
static LOG: LazyLock<Arc<Mutex<Vec<u8>>>> = LazyLock::new(|| {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = buffer.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || LogSink(sink.clone()))
        .init();
    buffer
});

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Site {
    router: axum::Router,
    store: Arc<Store>,
    _data: tempfile::TempDir,
}

/// A fresh store with `admin` and `viewer`, served with `auth`.
fn site(auth: AuthSettings) -> Site {
    LazyLock::force(&LOG);
    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open_in(data.path()).expect("store");
    add_user(&store, "admin", Role::Admin, PASSWORD).expect("admin");
    add_user(&store, "viewer", Role::Viewer, PASSWORD).expect("viewer");
    let (router, store) = router_with(store, auth);
    Site {
        router,
        store,
        _data: data,
    }
}

fn bearer(uri: &str, token: &str, cookie: Option<&str>) -> Request<axum::body::Body> {
    let mut request = get(uri, cookie);
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    request
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// Creates a token through the admin API and returns its secret.
async fn create_token(s: &Site, admin: &str, name: &str, role: &str) -> String {
    let form = format!("name={name}&role={role}&expires_in_days=30");
    let (status, _, body) = exchange(
        &s.router,
        form_post("/api/admin/tokens/add", &form, Some(admin)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    json(&body)["secret"].as_str().expect("a secret").to_owned()
}

#[tokio::test]
async fn api_tokens_read_the_api_until_revoked_and_do_nothing_else() {
    let s = site(lenient_auth());
    let admin = log_in(&s.router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    let token = create_token(&s, &admin, "ci", "viewer").await;
    assert!(token.starts_with("tsk_"), "{token}");

    let (status, _, body) =
        exchange(&s.router, bearer("/api/activity/choices", &token, None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, me) = exchange(&s.router, bearer("/api/auth/me", &token, None)).await;
    assert_eq!(me, r#"{"name":"token ci","role":"viewer"}"#);
    let (status, _, _) = exchange(&s.router, bearer("/api/admin/tokens", &token, None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a viewer token is no admin");
    let (status, headers, _) = exchange(&s.router, bearer("/", &token, None)).await;
    assert_eq!(
        (status, headers["location"].to_str().ok()),
        (StatusCode::SEE_OTHER, Some("/login?next=%2F")),
        "tokens open the API, not pages"
    );
    let mut post = form_post("/api/auth/logout", "", None);
    post.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    assert_eq!(
        exchange(&s.router, post).await.0,
        StatusCode::UNAUTHORIZED,
        "tokens cannot change anything"
    );
    let forged = format!("{}0000", &token[..token.len() - 4]);
    let (status, _, _) = exchange(
        &s.router,
        bearer("/api/activity/choices", &forged, Some(&admin)),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a bad token is refused even beside a good session"
    );

    let admin_token = create_token(&s, &admin, "auditor", "admin").await;
    let (status, _, listed) =
        exchange(&s.router, bearer("/api/admin/tokens", &admin_token, None)).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let listed = json(&listed);
    let ci = &listed.as_array().expect("list")[1];
    assert_eq!(ci["name"], "ci");
    assert_eq!(ci["hint"].as_str(), Some(&token[..8]));
    assert!(ci["last_used_at"].is_i64(), "use is shown: {ci}");
    assert!(ci["expires_at"].is_i64(), "{ci}");

    let (status, _, body) = exchange(
        &s.router,
        form_post("/api/admin/tokens/revoke", "name=ci", Some(&admin)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, _) = exchange(&s.router, bearer("/api/activity/choices", &token, None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked at once");
}

#[tokio::test]
async fn failed_logins_are_throttled_per_name_and_per_address() {
    let s = site(AuthSettings::default());
    let attempt = |name: &str, password: &str, ip: &str| {
        let form = format!("username={name}&password={}", password.replace(' ', "+"));
        from_peer(form_post("/api/auth/login", &form, None), ip)
    };
    // Guesses at one name from many addresses: the name's budget (10) runs out.
    for i in 0..10 {
        let (status, _, body) = exchange(
            &s.router,
            attempt("viewer", "not the password", &format!("203.0.113.{i}")),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "guess {i}: {body}");
    }
    let (status, headers, body) =
        exchange(&s.router, attempt("viewer", PASSWORD, "203.0.113.99")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("TooManyAttempts"), "{body}");
    assert!(
        session_cookie(&headers).is_none(),
        "not even the right password"
    );
    let (status, _, body) = exchange(&s.router, attempt("admin", PASSWORD, "198.51.100.1")).await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "other names: {body}");

    // Guesses at many names from one address: the address's budget (20) runs out.
    for i in 0..20 {
        exchange(
            &s.router,
            attempt(&format!("user{i}"), "not the password", "192.0.2.50"),
        )
        .await;
    }
    let (status, _, body) = exchange(&s.router, attempt("admin", PASSWORD, "192.0.2.50")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");

    let admin = log_in(&s.router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    let (_, _, audit) = exchange(&s.router, get("/api/admin/audit", Some(&admin))).await;
    let audit = json(&audit);
    let throttled: Vec<(&str, &str)> = audit
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["outcome"] == "throttled")
        .map(|e| {
            (
                e["actor"].as_str().unwrap_or_default(),
                e["client_ip"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        throttled,
        [("admin", "192.0.2.50"), ("viewer", "203.0.113.99")],
        "newest first"
    );
}

fn proxy(default_role: Option<Role>) -> AuthSettings {
    AuthSettings {
        proxy: ProxySettings {
            trusted: vec!["10.0.0.0/8".parse().expect("net")],
            user_header: Some(axum::http::HeaderName::from_static("x-forwarded-user")),
            default_role,
        },
        ..lenient_auth()
    }
}

fn signed_in_as(name: &str, peer: &str) -> Request<axum::body::Body> {
    let mut request = from_peer(get("/api/auth/me", None), peer);
    request
        .headers_mut()
        .insert("x-forwarded-user", name.parse().expect("header"));
    request
}

#[tokio::test]
async fn a_trusted_proxy_signs_users_in_and_nobody_else_can() {
    let s = site(proxy(None));
    let (status, _, me) = exchange(&s.router, signed_in_as("admin", "10.1.2.3")).await;
    assert_eq!(
        (status, me.as_str()),
        (StatusCode::OK, r#"{"name":"admin","role":"admin"}"#)
    );
    let (status, _, _) = exchange(&s.router, signed_in_as("admin", "203.0.113.9")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the header from anyone else is ignored"
    );
    let (status, _, _) = exchange(&s.router, signed_in_as("stranger", "10.1.2.3")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "not a Trailscope user, no default role"
    );

    let open = site(proxy(Some(Role::Viewer)));
    let (_, _, me) = exchange(&open.router, signed_in_as("stranger", "10.1.2.3")).await;
    assert_eq!(me, r#"{"name":"stranger","role":"viewer"}"#);

    // Behind the proxy, the audit log names the client, not the proxy.
    let mut login = from_peer(
        form_post(
            "/api/auth/login",
            &format!("username=viewer&password={}", PASSWORD.replace(' ', "+")),
            None,
        ),
        "10.0.0.2",
    );
    login.headers_mut().insert(
        "x-forwarded-for",
        "6.6.6.6, 198.51.100.77".parse().expect("header"),
    );
    assert!(session_cookie(&exchange(&s.router, login).await.1).is_some());
    let last = app::ssr::audit::recent(&s.store, 1, None).expect("audit");
    assert_eq!(
        (last[0].actor.as_str(), last[0].client_ip.as_deref()),
        ("viewer", Some("198.51.100.77"))
    );
}

#[tokio::test]
async fn admins_manage_users_and_every_change_is_audited() {
    let s = site(lenient_auth());
    let admin = log_in(&s.router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    let (status, _, body) = exchange(
        &s.router,
        form_post(
            "/api/admin/users/add",
            "name=carol&role=viewer",
            Some(&admin),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let password = json(&body)["secret"].as_str().expect("password").to_owned();
    let carol = log_in(&s.router, "carol", &password, None)
        .await
        .expect("the generated password works");
    let (status, _, body) = exchange(
        &s.router,
        form_post("/api/admin/users/delete", "name=admin", Some(&admin)),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the last admin stays: {body}"
    );
    exchange(
        &s.router,
        form_post("/api/admin/users/password", "name=carol", Some(&admin)),
    )
    .await;
    assert_eq!(
        exchange(&s.router, get("/api/auth/me", Some(&carol)))
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "a reset ends the user's sessions"
    );
    exchange(
        &s.router,
        form_post("/api/admin/users/delete", "name=carol", Some(&admin)),
    )
    .await;
    let (_, _, users) = exchange(&s.router, get("/api/admin/users", Some(&admin))).await;
    let names: Vec<String> = json(&users)
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["admin", "viewer"]);

    let (_, _, audit) = exchange(&s.router, get("/api/admin/audit", Some(&admin))).await;
    let entries: Vec<String> = json(&audit)
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {}",
                e["actor"].as_str().unwrap_or_default(),
                e["action"].as_str().unwrap_or_default(),
                e["target"].as_str().unwrap_or("-"),
                e["outcome"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            "admin user.delete carol succeeded",
            "admin user.password carol succeeded",
            "carol login - succeeded",
            "admin user.add carol succeeded",
            "admin login - succeeded",
        ]
    );
}

#[tokio::test]
async fn no_secret_reaches_a_log_line_or_a_listing() {
    let s = site(lenient_auth());
    let wrong_password = "wrong but plausible passphrase";
    let form = format!(
        "username=admin&password={}",
        wrong_password.replace(' ', "+")
    );
    exchange(&s.router, form_post("/api/auth/login", &form, None)).await;
    let admin = log_in(&s.router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    let token = create_token(&s, &admin, "nightly", "admin").await;
    exchange(&s.router, bearer("/api/activity/choices", &token, None)).await;
    let (_, _, added) = exchange(
        &s.router,
        form_post(
            "/api/admin/users/add",
            "name=dave&role=viewer",
            Some(&admin),
        ),
    )
    .await;
    let generated = json(&added)["secret"]
        .as_str()
        .expect("password")
        .to_owned();
    let dave = log_in(&s.router, "dave", &generated, None)
        .await
        .expect("dave");

    let conn = rusqlite::Connection::open(s.store.auth().path()).expect("open");
    let mut secrets: Vec<String> = conn
        .prepare("SELECT password_hash FROM users")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .expect("hashes");
    let token_sha: Vec<u8> = conn
        .query_row("SELECT token_sha256 FROM api_tokens", [], |r| r.get(0))
        .expect("token hash");
    secrets.push(token_sha.iter().map(|b| format!("{b:02x}")).collect());
    for cookie in [&admin, &dave] {
        secrets.push(cookie.split_once('=').expect("name=value").1.to_owned());
    }
    secrets.extend([
        PASSWORD.to_owned(),
        wrong_password.to_owned(),
        token.clone(),
        generated,
    ]);

    let mut listings = String::new();
    for uri in [
        "/api/admin/users",
        "/api/admin/tokens",
        "/api/admin/audit",
        "/api/auth/me",
        "/settings",
    ] {
        let (status, _, body) = exchange(&s.router, bearer(uri, &token, None)).await;
        let body = if status == StatusCode::OK {
            body
        } else {
            exchange(&s.router, get(uri, Some(&admin))).await.2
        };
        listings.push_str(&body);
    }
    assert!(
        listings.contains("nightly") && listings.contains("dave"),
        "the listings were read"
    );
    let log = String::from_utf8_lossy(&LOG.lock().expect("log")).into_owned();
    assert!(
        log.contains("failed login") && log.contains("login"),
        "the log was captured"
    );
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "a secret is in the log");
        assert!(
            !listings.contains(secret.as_str()),
            "a secret is in a listing"
        );
    }
}
