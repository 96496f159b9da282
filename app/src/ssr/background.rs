//! Bulk work at a lower CPU priority than requests: the findings evaluation, syncs, S3 ingests and integrity
//! validation the server runs, and the bulk commands (`trailscope ingest`, `sync`, `findings`, `validate`,
//! `demo`, `backup`). On two cores a request queues behind whatever else is runnable; at nice
//! [`BACKGROUND_NICE`] a bulk job still gets the CPU nothing else wants (an idle machine runs it as fast), but
//! yields it to pages while users wait (issue 16, item 8: under `bench/load` an ingest and an evaluation of its
//! events at equal priority stretched p99).
//!
//! The server's bulk store work runs on the blocking threads of a pool of its own ([`spawn_blocking`]), each
//! lowered once when it starts: an unprivileged process cannot raise a thread's priority back, so request
//! threads never run bulk work. Linux keeps the nice value per thread
//! (<https://man7.org/linux/man-pages/man2/setpriority.2.html>, "BUGS"), and threads inherit it from the
//! thread that starts them, so threads a bulk job starts run lowered too.
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

/// The nice value bulk work runs at (or the thread's own, if already lower in priority; 19 is the lowest). At
/// 10, Linux's scheduler gives such a thread about a tenth of the CPU share of one at 0 when both are runnable.
pub const BACKGROUND_NICE: i32 = 10;

/// Blocking threads of the bulk pool at most, besides one per core (integrity validation's folder hashing):
/// the S3 log checks (12 at once, each for its download), the findings evaluation, one per account-Region a
/// sync writes at once, S3 ingests. More work waits for a thread.
const BACKGROUND_THREADS_BESIDE_CORES: usize = 20;

/// Lowers the calling thread's CPU priority to [`BACKGROUND_NICE`] (threads it starts after inherit it); a
/// thread already there or lower stays as it is, so calling it twice changes nothing. Called before a bulk
/// command starts its runtime, it lowers the whole process. A failure (a sandbox refusing `setpriority`) is
/// logged as a warning, once per process, and leaves the priority as it is.
pub fn lower_this_thread() {
    use rustix::process::{getpriority_process, setpriority_process};
    let lowered = getpriority_process(None)
        .and_then(|now| setpriority_process(None, now.max(BACKGROUND_NICE)));
    if let Err(error) = lowered {
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| {
            tracing::warn!(%error, "bulk work could not be given a lower CPU priority; it runs at the priority of pages");
        });
    }
}

/// The bulk pool's runtime: started by the first bulk work, taken by [`shutdown`].
static POOL: Mutex<Option<Runtime>> = Mutex::new(None);

fn start() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(
            BACKGROUND_THREADS_BESIDE_CORES
                + std::thread::available_parallelism().map_or(1, usize::from),
        )
        .thread_name("trailscope-bulk")
        .on_thread_start(lower_this_thread)
        .enable_all()
        .build()
        .expect("the bulk work pool could not start its threads")
}

/// Runs bulk `work` on a thread of the bulk pool (at nice [`BACKGROUND_NICE`]), like
/// `tokio::task::spawn_blocking`; the handle can be awaited from any runtime. The first call starts the pool,
/// and the first after [`shutdown`] a new one. Panics only if the pool's threads cannot be started.
pub fn spawn_blocking<T, F>(work: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let handle: Handle = POOL
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(start)
        .handle()
        .clone();
    handle.spawn_blocking(work)
}

/// Waits up to `grace` for the bulk work running (a batch a job handed over commits), then stops the pool, as
/// the server's runtime does at shutdown. Call it outside any async context.
pub fn shutdown(grace: Duration) {
    let taken = POOL.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(runtime) = taken {
        runtime.shutdown_timeout(grace);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::process::getpriority_process;

    fn nice() -> i32 {
        getpriority_process(None).expect("the thread's nice value")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bulk_work_runs_below_requests_and_requests_keep_their_priority() {
        let request = tokio::task::spawn_blocking(nice)
            .await
            .expect("request job");
        let bulk = spawn_blocking(nice).await.expect("bulk job");
        assert_eq!(
            bulk,
            request.max(BACKGROUND_NICE),
            "bulk work runs at nice 10"
        );
        // A thread the bulk job starts (an ingest's decoders) is lowered too.
        let started = spawn_blocking(|| std::thread::spawn(nice).join().expect("thread"))
            .await
            .expect("bulk job");
        assert_eq!(started, bulk);
        // The request pool's threads were never lowered: the same pool answers at its own priority still.
        let again = tokio::task::spawn_blocking(nice)
            .await
            .expect("request job");
        assert_eq!(again, request);
        assert_eq!(
            nice(),
            request,
            "the runtime's own threads keep their priority"
        );
    }
}
