//! Reusable views.
pub mod activity_filters;
pub mod error_list;
pub mod nav;
pub mod timeline_chart;
pub mod top_table;
