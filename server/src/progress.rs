//! The progress line an ingest draws on stderr when it is a terminal: `trailscope ingest`, and the demo
//! archive's ingest at the first `trailscope serve`.
use app::ssr::ingest::Progress;
use std::io::{IsTerminal, Write};

/// A progress line on stderr, drawn only when stderr is a terminal.
pub struct ProgressLine {
    terminal: bool,
}

impl ProgressLine {
    /// A line on this process's stderr.
    pub fn on_stderr() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// The progress callback that redraws the line: percent of files, files, events.
    pub fn draw(&self) -> impl FnMut(Progress) + Send + 'static {
        let terminal = self.terminal;
        move |p: Progress| {
            if terminal {
                let percent = (p.files_done * 100)
                    .checked_div(p.files_total)
                    .unwrap_or(100);
                eprint!(
                    "\ringest: {percent:>3}%  {}/{} files  {} events",
                    p.files_done, p.files_total, p.events
                );
                let _ = std::io::stderr().flush();
            }
        }
    }

    /// Ends the line once the ingest is over.
    pub fn end(self) {
        if self.terminal {
            eprintln!();
        }
    }
}
