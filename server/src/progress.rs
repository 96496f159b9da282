//! The progress line a long terminal job draws on stderr — `trailscope ingest`, `sync`, `validate`, `demo`, and
//! the demo archive's write and ingest at the first `trailscope serve` — with done/total, rate and ETA, drawn by
//! `indicatif` only when stderr is a terminal (piped or logged output stays quiet: indicatif hides a target that
//! is not a terminal).
use app::ssr::ingest::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::{Duration, Instant};

/// How often a line redraws at most (per second), and how often a spinner or a poller ticks.
const REDRAWS_PER_SEC: u8 = 8;
const TICK: Duration = Duration::from_millis(125);

/// One progress line on stderr: a bar over a job's work units, or a spinner for a job without a known total.
pub struct ProgressLine {
    bar: ProgressBar,
    started: Instant,
}

impl ProgressLine {
    /// A bar for `job` (e.g. `"ingest"`) over `unit`s (e.g. `"files"`), its total set by [`Self::set`].
    pub fn on_stderr(job: &'static str, unit: &'static str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), target());
        let template = format!(
            "{{prefix}}: {{bar:30}} {{pos}}/{{len}} {unit}  {{msg}}  {{elapsed}} elapsed, ETA {{eta}}"
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(job);
        Self {
            bar,
            started: Instant::now(),
        }
    }

    /// A spinner for `job` saying `what` it does, ticking until [`Self::end`].
    pub fn spinner(job: &'static str, what: String) -> Self {
        let bar = ProgressBar::with_draw_target(None, target());
        if let Ok(style) = ProgressStyle::with_template("{prefix}: {spinner} {msg}  {elapsed}") {
            bar.set_style(style);
        }
        bar.set_prefix(job);
        bar.set_message(what);
        bar.enable_steady_tick(TICK);
        Self {
            bar,
            started: Instant::now(),
        }
    }

    /// Shows `done` of `total` units, and `count` `things` (e.g. events) with their rate since the start.
    pub fn set(&self, done: u64, total: u64, count: u64, things: &str) {
        self.bar.set_length(total.max(done));
        self.bar.set_position(done);
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            (count as f64 / secs).round() as u64
        } else {
            0
        };
        self.bar.set_message(format!("{count} {things} ({rate}/s)"));
    }

    /// The ingest callback that redraws the line: files done of found, events stored and events/s.
    pub fn draw(&self) -> impl FnMut(Progress) + Send + 'static {
        let line = Self {
            bar: self.bar.clone(),
            started: self.started,
        };
        move |p: Progress| line.set(p.files_done, p.files_total, p.events, "events")
    }

    /// Redraws the line every tick from `read` (done, total, count) while `running` is being awaited.
    pub async fn poll_while<T>(
        &self,
        things: &str,
        read: impl Fn() -> (u64, u64, u64),
        running: impl std::future::Future<Output = T>,
    ) -> T {
        tokio::pin!(running);
        loop {
            let (done, total, count) = read();
            self.set(done, total, count, things);
            tokio::select! {
                result = &mut running => return result,
                () = tokio::time::sleep(TICK) => {}
            }
        }
    }

    /// Ends the line once the job is over (the final state stays on the terminal).
    pub fn end(self) {
        self.bar.finish();
    }
}

/// Stderr, hidden by indicatif when it is not a terminal.
fn target() -> ProgressDrawTarget {
    ProgressDrawTarget::stderr_with_hz(REDRAWS_PER_SEC)
}
