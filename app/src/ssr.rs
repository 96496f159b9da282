//! Server-only code (the `ssr` feature): state, store, log parsing, ingest, the demo archive, activity
//! queries, the audit log, and the one place where requests are authorised. Never imports pages or components.
pub mod activity;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod aws;
pub mod background;
pub mod billing;
pub mod clock;
pub mod cost_explorer;
pub mod demo;
pub mod events;
pub mod fault_point;
pub mod findings;
pub mod identity_center;
pub mod ingest;
pub mod integrity;
pub mod logs;
pub mod security;
pub mod state;
pub mod store;
pub mod sync;
pub mod trails;
