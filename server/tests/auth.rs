//! Nobody sees an event without being let in: the gate, login, sessions and same-origin writes, through the
//! real router.
mod common;

use app::ssr::auth::Role;
use app::ssr::auth::gate::{ADMIN_API, LOGIN_ENDPOINT};
use app::ssr::auth::users::{add_user, delete_user};
use app::ssr::store::Store;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{
    PASSWORD, exchange, form_post, get, lenient_auth, log_in, router_with, session_cookie,
};

struct Fixture {
    router: axum::Router,
    store: std::sync::Arc<Store>,
    _data: tempfile::TempDir,
}

/// One router for the whole file, as in production (with a throttle that lets its many logins through).
fn fixture() -> &'static Fixture {
    static FIXTURE: std::sync::LazyLock<Fixture> = std::sync::LazyLock::new(build_fixture);
    &FIXTURE
}

fn build_fixture() -> Fixture {
    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open_in(data.path()).expect("store");
    add_user(&store, "admin", Role::Admin, PASSWORD).expect("admin");
    add_user(&store, "viewer", Role::Viewer, PASSWORD).expect("viewer");
    add_user(&store, "leaver", Role::Viewer, PASSWORD).expect("leaver");
    let (router, store) = router_with(store, lenient_auth());
    Fixture {
        router,
        store,
        _data: data,
    }
}

#[tokio::test]
async fn without_a_session_pages_go_to_login_and_the_api_answers_401() {
    let f = fixture();
    let (status, headers, _) = exchange(&f.router, get("/?range=7d", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/login?next=%2F%3Frange%3D7d");
    let (status, _, body) =
        exchange(&f.router, get("/api/activity/timeline?range=all", None)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, "\"Unauthorized\"")
    );
    for public in ["/healthz", "/login"] {
        assert_eq!(
            exchange(&f.router, get(public, None)).await.0,
            StatusCode::OK,
            "{public}"
        );
    }
}

/// Sends `path` the way its server function is called: GET with no arguments, or an empty same-origin form POST.
async fn call(
    f: &Fixture,
    path: &str,
    method: &Method,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let request = if method == Method::GET {
        get(path, cookie)
    } else {
        form_post(path, "", cookie)
    };
    let (status, _, body) = exchange(&f.router, request).await;
    (status, body)
}

/// Admin-only server functions that live with their domain rather than under [`ADMIN_API`].
const ADMIN_ACTIONS_ELSEWHERE: [&str; 3] = [
    "/api/trails/refresh",
    "/api/integrity/validate",
    "/api/findings/triage",
];

#[tokio::test]
async fn every_server_function_needs_a_session_and_admin_ones_the_admin_role() {
    let f = fixture();
    let paths: Vec<(&str, Method)> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(
        paths
            .iter()
            .filter(|(p, _)| p.starts_with(ADMIN_API))
            .count()
            >= 8,
        "{paths:?}"
    );
    let session = |name| async move {
        log_in(&f.router, name, PASSWORD, None)
            .await
            .expect("logged in")
    };
    let (viewer, admin) = (session("viewer").await, session("admin").await);
    let not_denied = |s: StatusCode| s != StatusCode::UNAUTHORIZED && s != StatusCode::FORBIDDEN;
    for (path, method) in paths {
        let (status, body) = call(f, path, &method, None).await;
        if path == LOGIN_ENDPOINT {
            assert_ne!(status, StatusCode::OK, "an empty login must fail: {body}");
            continue;
        }
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a session: {body}"
        );
        // Logging out ends the session it is called with: give it sessions of its own.
        let (viewer, admin) = if path == "/api/auth/logout" {
            (session("viewer").await, session("admin").await)
        } else {
            (viewer.clone(), admin.clone())
        };
        let (status, body) = call(f, path, &method, Some(&viewer)).await;
        if path.starts_with(ADMIN_API) || ADMIN_ACTIONS_ELSEWHERE.contains(&path) {
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{method} {path} as a viewer: {body}"
            );
        } else {
            assert!(
                not_denied(status),
                "{method} {path} as a viewer: {status} {body}"
            );
        }
        let (status, body) = call(f, path, &method, Some(&admin)).await;
        assert!(
            not_denied(status),
            "{method} {path} as an admin: {status} {body}"
        );
    }
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_with_a_new_session_id() {
    let f = fixture();
    let (status, headers, body) = exchange(
        &f.router,
        form_post(
            "/api/auth/login",
            "username=viewer&password=wrong+password+123",
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("wrong user name or password"), "{body}");
    assert!(
        session_cookie(&headers).is_none(),
        "no session for a failed login"
    );
    let (_, _, unknown) = exchange(
        &f.router,
        form_post(
            "/api/auth/login",
            "username=nobody&password=wrong+password+123",
            None,
        ),
    )
    .await;
    assert_eq!(
        unknown, body,
        "an unknown name and a wrong password read the same"
    );

    let form = format!("username=viewer&password={}", PASSWORD.replace(' ', "+"));
    let (_, headers, _) = exchange(&f.router, form_post("/api/auth/login", &form, None)).await;
    let set_cookie = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("trailscope_session="))
        .expect("cookie")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} missing: {set_cookie}"
        );
    }
    let cookie = session_cookie(&headers).expect("cookie");
    let (status, _, me) = exchange(&f.router, get("/api/auth/me", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me, r#"{"name":"viewer","role":"viewer"}"#);

    // Session fixation: logging in again over an existing session gives a new ID; the old one is dead.
    let again = log_in(&f.router, "admin", PASSWORD, Some(&cookie))
        .await
        .expect("cookie");
    assert_ne!(again, cookie);
    assert_eq!(
        exchange(&f.router, get("/api/auth/me", Some(&cookie)))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (_, _, me) = exchange(&f.router, get("/api/auth/me", Some(&again))).await;
    assert_eq!(me, r#"{"name":"admin","role":"admin"}"#);
}

#[tokio::test]
async fn logout_and_user_deletion_end_the_session_server_side() {
    let f = fixture();
    let cookie = log_in(&f.router, "viewer", PASSWORD, None)
        .await
        .expect("logged in");
    assert_eq!(
        exchange(&f.router, get("/api/auth/me", Some(&cookie)))
            .await
            .0,
        StatusCode::OK
    );
    exchange(&f.router, form_post("/api/auth/logout", "", Some(&cookie))).await;
    assert_eq!(
        exchange(&f.router, get("/api/auth/me", Some(&cookie)))
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "the old cookie is dead"
    );

    let cookie = log_in(&f.router, "leaver", PASSWORD, None)
        .await
        .expect("logged in");
    delete_user(&f.store, "leaver").expect("deleted");
    assert_eq!(
        exchange(&f.router, get("/api/auth/me", Some(&cookie)))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn cross_origin_posts_are_refused() {
    let f = fixture();
    let cookie = log_in(&f.router, "viewer", PASSWORD, None)
        .await
        .expect("logged in");
    for origin in [Some("http://evil.example"), None] {
        let mut request = Request::post("/api/auth/logout")
            .header("host", "localhost")
            .header("cookie", &cookie);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let (status, _, _) =
            exchange(&f.router, request.body(Body::empty()).expect("request")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "origin {origin:?}");
    }
    assert_eq!(
        exchange(&f.router, get("/api/auth/me", Some(&cookie)))
            .await
            .0,
        StatusCode::OK,
        "the session survived"
    );
}

#[tokio::test]
async fn every_response_carries_security_headers_and_pages_a_nonce_policy() {
    let f = fixture();
    let (_, headers, html) = exchange(&f.router, get("/login", None)).await;
    let csp = headers["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{csp}");
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("'wasm-unsafe-eval'")
            && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the policy's nonce"
    );
    let (_, again, _) = exchange(&f.router, get("/login", None)).await;
    assert_ne!(
        again["content-security-policy"], headers["content-security-policy"],
        "a new nonce per response"
    );

    for uri in ["/healthz", "/api/activity/choices"] {
        let (_, headers, _) = exchange(&f.router, get(uri, None)).await;
        assert_eq!(headers["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{uri}");
        assert_eq!(
            headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
            "{uri}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_users_keep_their_own_sessions() {
    let f = fixture();
    let user = |name: &'static str| async move {
        let mut lost = 0;
        for _ in 0..15 {
            let cookie = log_in(&f.router, name, PASSWORD, None)
                .await
                .expect("logged in");
            for _ in 0..3 {
                if exchange(&f.router, get("/api/auth/me", Some(&cookie)))
                    .await
                    .0
                    != StatusCode::OK
                {
                    lost += 1;
                }
            }
            exchange(&f.router, form_post("/api/auth/logout", "", Some(&cookie))).await;
        }
        lost
    };
    let (a, b, c) = tokio::join!(
        tokio::spawn(user("admin")),
        tokio::spawn(user("viewer")),
        tokio::spawn(user("admin"))
    );
    assert_eq!(
        (a.expect("task"), b.expect("task"), c.expect("task")),
        (0, 0, 0),
        "a session was lost"
    );
}

/// Item 11 of issue 11: `/login?next=/\evil.example/x` sent the browser off-site after logging in.
#[tokio::test]
async fn login_goes_only_to_a_path_on_this_site() {
    use app::model::filter::encode_component;
    let f = fixture();
    let form = |next: &str| {
        format!(
            "username=viewer&password={}&next={}",
            PASSWORD.replace(' ', "+"),
            encode_component(next)
        )
    };
    for hostile in [
        "/\\evil.example/x",
        "//evil.example/x",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/%252F%252Fevil.example",
        "/\t/evil.example",
        "/%09/evil.example",
        "/%0a/evil.example",
        "\\/evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        "/.//evil.example",
    ] {
        let (_, headers, _) =
            exchange(&f.router, form_post(LOGIN_ENDPOINT, &form(hostile), None)).await;
        assert!(session_cookie(&headers).is_some(), "logged in: {hostile:?}");
        assert_eq!(headers["location"], "/", "next={hostile:?}");
        // The login page does not carry it into its form either.
        let page = format!("/login?next={}", encode_component(hostile));
        let (status, _, body) = exchange(&f.router, get(&page, None)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains("evil.example"), "{page}: {body}");
    }
    for good in [
        "/events?user=alice&range=7d",
        "/trails/trail?arn=arn%3Aaws%3Acloudtrail%3Aus-east-1%3A111122223333%3Atrail%2Fmain",
    ] {
        let (_, headers, _) =
            exchange(&f.router, form_post(LOGIN_ENDPOINT, &form(good), None)).await;
        assert_eq!(headers["location"], good);
    }
    // A request for `//evil.example/x` asked of this host is sent to log in without that target.
    let (status, headers, _) = exchange(&f.router, get("/%2F/evil.example/x", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/login");
}
