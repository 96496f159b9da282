//! Trailscope: the application compiled by both the server (`ssr`) and the browser (`hydrate`).
#![forbid(unsafe_code)]

// The server's pages and the WASM must render the same hydration markers, so both are built with Leptos'
// `erase_components` (.cargo/config.toml). Cargo drops that file's `build.rustflags` when RUSTFLAGS, or a
// target's rustflags in another config, are set: say so rather than serve pages the WASM cannot hydrate.
#[cfg(not(erase_components))]
compile_error!(
    "build with `--cfg erase_components` (.cargo/config.toml): RUSTFLAGS or a `[target]` rustflags replaced it"
);

pub mod api;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use components::nav::AppNav;
use pages::activity::ActivityPage;
use pages::billing::BillingPage;
use pages::event::{ComparePage, EventDetailPage};
use pages::events::EventsPage;
use pages::findings::FindingsPage;
use pages::integrity::IntegrityPage;
use pages::login::LoginPage;
use pages::planned::NotFound;
use pages::settings::SettingsPage;
use pages::trails::{TrailPage, TrailsPage};

/// The HTML document around the app, rendered by the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::security::protect_page();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: routes, navigation and page shell, the same on the server and in the browser.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/trailscope.css" />
        <Link rel="icon" href="/favicon.svg" />
        <Title formatter=|page: String| if page.is_empty() { "Trailscope".to_owned() } else { format!("{page} · Trailscope") } />
        <Router>
            <div class="layout">
                <AppNav />
                <main class="content">
                    // Data pages render on the server before the first byte, so they are complete without JavaScript.
                    <Routes fallback=NotFound>
                        <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                        <Route path=path!("/") view=ActivityPage ssr=SsrMode::Async />
                        <Route path=path!("/activity") view=ActivityPage ssr=SsrMode::Async />
                        <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                        <Route path=path!("/events") view=EventsPage ssr=SsrMode::Async />
                        <Route path=path!("/events/event") view=EventDetailPage ssr=SsrMode::Async />
                        <Route path=path!("/events/compare") view=ComparePage ssr=SsrMode::Async />
                        <Route path=path!("/trails") view=TrailsPage ssr=SsrMode::Async />
                        <Route path=path!("/trails/trail") view=TrailPage ssr=SsrMode::Async />
                        <Route path=path!("/billing") view=BillingPage ssr=SsrMode::Async />
                        <Route path=path!("/integrity") view=IntegrityPage ssr=SsrMode::Async />
                        <Route path=path!("/findings") view=FindingsPage ssr=SsrMode::Async />
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
