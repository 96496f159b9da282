//! One module per route.
pub mod activity;
pub mod login;
pub mod planned;
pub mod settings;
pub mod trails;
