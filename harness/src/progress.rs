//! The progress bar shown while cases run: on stderr, and hidden when stderr is not a
//! terminal (CI logs get only the summary).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over a known number of cases, or a spinner-like counter when the total is
/// unknown (test-client mode, where clients decide what runs).
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `total` cases; `None` for an open-ended count.
    pub fn new(total: Option<u64>) -> Self {
        let visible = std::io::stderr().is_terminal();
        Self::with_target(total, visible)
    }

    /// A bar that never draws (tests, `--json`).
    pub fn hidden() -> Self {
        Self::with_target(None, false)
    }

    fn with_target(total: Option<u64>, visible: bool) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let (bar, template) = match total {
            Some(n) => (
                ProgressBar::with_draw_target(Some(n), target),
                "{elapsed_precise} [{bar:40}] {pos}/{len} {msg}",
            ),
            None => (
                ProgressBar::with_draw_target(None, target),
                "{elapsed_precise} {pos} cases {msg}",
            ),
        };
        // The templates are constants; a bad one would only lose the styling.
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        if visible {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        Self { bar }
    }

    /// Shows what is running now.
    pub fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    /// One more case finished.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// Prints a line above the bar (or plainly when hidden).
    pub fn println(&self, line: impl AsRef<str>) {
        if self.bar.is_hidden() {
            eprintln!("{}", line.as_ref());
        } else {
            self.bar.println(line);
        }
    }

    /// Removes the bar before the summary is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Cases finished so far.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_bar_counts() {
        let p = Progress::hidden();
        p.inc();
        p.inc();
        p.set_message("1.1.1");
        assert_eq!(p.position(), 2);
        p.finish();
    }
}
