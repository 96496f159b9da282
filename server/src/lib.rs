//! The `trailscope` process as a library, so integration tests drive the real router and commands.
#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod config;
mod progress;
pub mod serve;
