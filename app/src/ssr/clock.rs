//! The server's clock, in the epoch seconds the store and CloudTrail times use. Server-only: `SystemTime`
//! panics in the browser's WebAssembly.

/// Seconds since 1970-01-01 UTC (0 if the system clock is before it).
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
