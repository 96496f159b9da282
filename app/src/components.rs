//! Reusable views.
pub mod activity_filters;
pub mod error_list;
pub mod event_filters;
pub mod json_tree;
pub mod nav;
pub mod timeline_chart;
pub mod top_table;
