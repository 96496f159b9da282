//! The process allocator and its one tuning. mimalloc v2 instead of glibc's malloc: evaluating findings over 10M
//! events spent a fifth of its CPU in glibc's malloc and free, and under concurrent requests glibc's per-thread
//! arenas grew the server's RSS (BENCHMARKS.md, "Under load"). Its `override` feature makes it the C `malloc`
//! too, so SQLite's page caches and sorters share it instead of keeping a glibc arena of 30–45 MB per request
//! thread. The only crate of the workspace with `unsafe` code (the others forbid it): one call to
//! `mi_option_set` in [`tune`] (and, in its test, one to `mi_option_get`).
//!
//! Use: `#[global_allocator] static A: trailscope_alloc::MiMalloc = trailscope_alloc::MiMalloc;`, then call
//! [`tune`] first thing in `main`.

pub use mimalloc::MiMalloc;

/// How long mimalloc keeps memory a thread freed before returning it to the OS, in milliseconds (its default is
/// 10). The delay is checked only when that thread next calls the allocator, so a pool thread that goes idle
/// keeps what it freed. Under `bench/load` (64 clients on a 10M-event store, an ingest and a sync beside them)
/// the server's peak RSS was 273–316 MiB with 10 and 276–283 MiB with 2, at the same throughput; 0 (at once)
/// gave 235 MiB but a quarter fewer requests answered (BENCHMARKS.md, "Under load after the Activity filters").
/// `bench/ingest` runs as fast with either.
pub const PURGE_DELAY_MS: std::ffi::c_long = 2;

/// The environment variable with which mimalloc reads its purge delay at start; when set, it wins over
/// [`PURGE_DELAY_MS`].
pub const PURGE_DELAY_ENV: &str = "MIMALLOC_PURGE_DELAY";

/// `mi_option_purge_delay` of mimalloc v2's `mimalloc.h`: the enum value after `mi_option_eager_commit_delay`,
/// which `libmimalloc-sys` names (it does not name this one). mimalloc keeps the enum's numbering across
/// versions (retired options keep their slots as `deprecated_…`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t =
    libmimalloc_sys::mi_option_eager_commit_delay + 1;

/// Sets mimalloc's purge delay to [`PURGE_DELAY_MS`] unless [`PURGE_DELAY_ENV`] is set. Call it once, first in
/// `main`, before the process starts any thread; it never fails.
#[allow(unsafe_code)]
pub fn tune() {
    if std::env::var_os(PURGE_DELAY_ENV).is_none() {
        // SAFETY: `mi_option_set` takes two plain integers and stores the value in a plain (non-atomic) global that
        // other threads read when they schedule a purge: called first in `main`, before any other thread exists,
        // nothing reads it meanwhile.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The purge delay mimalloc uses now, in milliseconds.
    #[allow(unsafe_code)]
    fn purge_delay_ms() -> std::ffi::c_long {
        // SAFETY: `mi_option_get` takes a plain integer and reads the option's value; the test runs alone.
        unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
    }

    /// The option number is mimalloc's purge delay: 10 ms by default (as `mimalloc.h` documents it), then what
    /// [`tune`] sets.
    #[test]
    fn tune_sets_the_purge_delay() {
        if std::env::var_os(PURGE_DELAY_ENV).is_some() {
            return;
        }
        assert_eq!(purge_delay_ms(), 10);
        tune();
        assert_eq!(purge_delay_ms(), PURGE_DELAY_MS);
    }
}
