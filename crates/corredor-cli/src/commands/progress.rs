//! Progress shown only when a person is watching (stderr is a terminal).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over a known number of bytes.
pub fn bytes(total: u64, label: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    bar.set_message(label.to_owned());
    bar
}

/// A spinner that names the step under way.
pub struct Steps(ProgressBar);

impl Steps {
    pub fn new(label: &str) -> Steps {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::new_spinner()
        } else {
            ProgressBar::hidden()
        };
        bar.set_message(label.to_owned());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Steps(bar)
    }

    pub fn step(&self, step: &str) {
        self.0.set_message(step.to_owned());
    }

    pub fn finish(self) {
        self.0.finish_and_clear();
    }
}
