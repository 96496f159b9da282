//! One module per route.
pub mod activity;
pub mod billing;
pub mod event;
pub mod events;
pub mod findings;
pub mod integrity;
pub mod login;
pub mod planned;
pub mod query;
pub mod settings;
pub mod trails;
