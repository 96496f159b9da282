//! The site's files (`/pkg/…`: the WASM, its JavaScript, the CSS) as a browser gets them from the real router:
//! gzip-encoded when it accepts gzip and the site holds a `.gz` beside the file, and revalidated by their bytes,
//! never by their times, so a page is never hydrated with the WASM of another version.
mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use common::exchange;
use std::path::Path;

/// Writes `pkg/trailscope.wasm` (`wasm`) and its precompressed twin, as the container ships them, into `site`.
fn write_wasm(site: &Path, wasm: &[u8]) {
    use std::io::Write;
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    std::fs::write(pkg.join("trailscope.wasm"), wasm).expect("wasm");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(wasm).expect("gzip");
    std::fs::write(pkg.join("trailscope.wasm.gz"), gz.finish().expect("gzip")).expect("wasm.gz");
}

/// The real router serving `site` (a server started now), over the store in `data`.
fn router_over(site: &Path, data: &Path) -> axum::Router {
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

/// A new site holding `wasm` and a new data folder (kept alive by the caller), and the router serving them.
fn serving(wasm: &[u8]) -> ((tempfile::TempDir, tempfile::TempDir), axum::Router) {
    let (site, data) = (
        tempfile::tempdir().expect("site"),
        tempfile::tempdir().expect("data"),
    );
    write_wasm(site.path(), wasm);
    let router = router_over(site.path(), data.path());
    ((site, data), router)
}

/// A GET of the WASM with these request headers, not logged in (the login page needs it too).
async fn get_wasm(
    router: &axum::Router,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::get("/pkg/trailscope.wasm");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    exchange(router, request.body(Body::empty()).expect("request")).await
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
}

#[tokio::test]
async fn the_wasm_is_revalidated_by_its_bytes_and_varies_by_encoding() {
    let wasm = b"\0asm\x01\0\0\0 the module's bytes".repeat(64);
    let (_dirs, router) = serving(&wasm);

    let (status, gzipped, _) = get_wasm(&router, &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&gzipped, "content-encoding"), "gzip");
    assert_eq!(header(&gzipped, "cache-control"), "no-cache");
    assert!(
        gzipped.get_all("vary").iter().any(|v| v
            .to_str()
            .unwrap_or("")
            .eq_ignore_ascii_case("accept-encoding")),
        "{gzipped:?}"
    );

    // Without gzip: the whole file, the same tag and caching rule.
    let (status, plain, body) = get_wasm(&router, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(plain.get("content-encoding").is_none(), "{plain:?}");
    assert_eq!(body.as_bytes(), wasm.as_slice());
    let tag = header(&plain, "etag").to_owned();
    assert_eq!(header(&gzipped, "etag"), tag);

    // A browser revalidating what it holds, with both validators as browsers send them: 304, no body.
    let modified = header(&plain, "last-modified").to_owned();
    for encodings in ["identity", "gzip, br"] {
        let asks = [
            ("accept-encoding", encodings),
            ("if-none-match", tag.as_str()),
            ("if-modified-since", modified.as_str()),
        ];
        let (status, headers, body) = get_wasm(&router, &asks).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{encodings}");
        assert!(body.is_empty());
        assert_eq!(header(&headers, "cache-control"), "no-cache");
        assert_eq!(header(&headers, "etag"), tag);
    }

    // Pages keep their own rules.
    let login = Request::get("/login").body(Body::empty()).expect("request");
    let (_, headers, _) = exchange(&router, login).await;
    assert!(headers.get("etag").is_none(), "{headers:?}");
    assert!(
        headers.get("cache-control").is_none_or(|v| v != "no-cache"),
        "{headers:?}"
    );
}

#[tokio::test]
async fn after_a_rollback_to_older_files_the_browser_gets_them_whole() {
    let newer = b"\0asm\x01\0\0\0 version 2".repeat(64);
    let ((site, data), router) = serving(&newer);
    let (_, held, _) = get_wasm(&router, &[("accept-encoding", "gzip")]).await;
    let (tag, modified) = (
        header(&held, "etag").to_owned(),
        header(&held, "last-modified").to_owned(),
    );

    // The older image: other bytes, of the same length, written an hour before.
    let older = b"\0asm\x01\0\0\0 version 1".repeat(64);
    write_wasm(site.path(), &older);
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for name in ["trailscope.wasm", "trailscope.wasm.gz"] {
        let file = std::fs::File::options()
            .write(true)
            .open(site.path().join("pkg").join(name))
            .expect("open");
        file.set_modified(an_hour_ago).expect("set time");
    }
    let restarted = router_over(site.path(), data.path());
    let asks = [
        ("if-none-match", tag.as_str()),
        ("if-modified-since", modified.as_str()),
    ];
    let (status, headers, body) = get_wasm(&restarted, &asks).await;
    assert_eq!(status, StatusCode::OK, "the time alone would have said 304");
    assert_eq!(body.as_bytes(), older.as_slice());
    assert_ne!(header(&headers, "etag"), tag);
}
