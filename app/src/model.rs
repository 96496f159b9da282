//! Pure types and logic shared by the server and the browser.
pub mod activity;
pub mod admin;
pub mod auth;
pub mod billing;
pub mod cost_explorer;
pub mod event_detail;
pub mod events;
pub mod filter;
pub mod findings;
pub mod format;
pub mod integrity;
pub mod redirect;
pub mod selectors;
pub mod sync;
pub mod time;
pub mod trails;
