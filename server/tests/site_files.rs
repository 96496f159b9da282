//! The site's files (`/pkg/…`: the WASM, its JavaScript, the CSS) as a browser gets them from the real router:
//! gzip-encoded when it accepts gzip and the site holds a `.gz` beside the file, revalidated rather than reused
//! after an upgrade, and never a page's headers.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::exchange;

/// A site root holding `pkg/trailscope.wasm` (`wasm`) and its precompressed twin, as the container ships it.
fn site_with_wasm(wasm: &[u8]) -> tempfile::TempDir {
    use std::io::Write;
    let site = tempfile::tempdir().expect("site dir");
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    std::fs::write(pkg.join("trailscope.wasm"), wasm).expect("wasm");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(wasm).expect("gzip");
    std::fs::write(pkg.join("trailscope.wasm.gz"), gz.finish().expect("gzip")).expect("wasm.gz");
    site
}

/// The real router serving `site`, over an empty store in `data`.
fn router_over(site: &std::path::Path, data: &std::path::Path) -> axum::Router {
    let store = app::ssr::store::Store::open_in(data).expect("store");
    let leptos_options = leptos::prelude::LeptosOptions::builder()
        .output_name("trailscope")
        .site_root(site.to_string_lossy().into_owned())
        .build();
    trailscope::serve::router(trailscope::serve::ServerState {
        leptos_options,
        app: app::ssr::state::AppState::new(store),
        secure_cookies: false,
        shutdown: Default::default(),
    })
}

fn wasm_request(accept_encoding: Option<&str>, if_modified_since: Option<&str>) -> Request<Body> {
    let mut request = Request::get("/pkg/trailscope.wasm");
    if let Some(encodings) = accept_encoding {
        request = request.header("accept-encoding", encodings);
    }
    if let Some(since) = if_modified_since {
        request = request.header("if-modified-since", since);
    }
    request.body(Body::empty()).expect("request")
}

#[tokio::test]
async fn the_wasm_is_revalidated_not_reused_and_varies_by_encoding() {
    let wasm = b"\0asm\x01\0\0\0 the module's bytes".repeat(64);
    let site = site_with_wasm(&wasm);
    let data = tempfile::tempdir().expect("data dir");
    let router = router_over(site.path(), data.path());

    // Before logging in (the login page hydrates with it too).
    let (status, headers, _) = exchange(&router, wasm_request(Some("gzip, br"), None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["cache-control"], "no-cache");
    let gzip_modified = headers["last-modified"].to_str().expect("ascii").to_owned();
    let vary: Vec<_> = headers.get_all("vary").iter().collect();
    assert!(
        vary.iter().any(|v| v
            .to_str()
            .unwrap_or("")
            .eq_ignore_ascii_case("accept-encoding")),
        "{vary:?}"
    );

    // Without gzip: the whole file, with the same caching rule.
    let (status, headers, body) = exchange(&router, wasm_request(None, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-encoding").is_none(), "{headers:?}");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(body.as_bytes(), wasm.as_slice());

    // Revalidating an unchanged file, as a browser does with what it was sent, costs no body.
    let modified = headers["last-modified"].to_str().expect("ascii").to_owned();
    for (encodings, since) in [(None, &modified), (Some("gzip, br"), &gzip_modified)] {
        let (status, headers, body) = exchange(&router, wasm_request(encodings, Some(since))).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{encodings:?}");
        assert!(body.is_empty());
        assert_eq!(headers["cache-control"], "no-cache");
    }

    // Pages and the API keep their own rules: no site-file headers on them.
    let (_, headers, _) = exchange(
        &router,
        Request::get("/login").body(Body::empty()).expect("request"),
    )
    .await;
    assert!(
        headers.get("cache-control").is_none_or(|v| v != "no-cache"),
        "{headers:?}"
    );
}
