//! Security headers. Pages get a Content-Security-Policy that admits only this origin's scripts and the
//! per-response nonce Leptos puts on its inline scripts; every response gets the rest.
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use leptos::nonce::{provide_nonce, use_nonce};

/// For responses that set no policy of their own (JSON, files): nothing may be loaded or framed.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy of a rendered page with this nonce.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Call while rendering a page on the server: makes the nonce and sets the page's policy with it.
pub fn protect_page() {
    provide_nonce();
    let (Some(nonce), Some(response)) = (
        use_nonce(),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_csp(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Adds the headers every response carries (keeping a page's own policy).
pub fn add_security_headers(headers: &mut HeaderMap) {
    let fixed: [(HeaderName, &str); 4] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, DEFAULT_CSP),
    ];
    for (name, value) in fixed {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
}
