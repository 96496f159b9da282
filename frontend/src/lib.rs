//! The WASM entry point: hydrate the server-rendered page and nothing else.
#![forbid(unsafe_code)]

/// Called by the generated JavaScript once the WASM loads: installs the panic hook (panics go to the
/// browser console) and hydrates the page the server rendered.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
