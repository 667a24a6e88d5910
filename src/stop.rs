//! Stopping cleanly on Ctrl-C (SIGINT) or SIGTERM (on Windows: the console's Ctrl-C and
//! Ctrl-Break, or its closing: [`crate::platform::signals`]).
//!
//! The first signal only asks: [`Stop::requested`] turns true, and the work checks it
//! between files, so no new file is started, the file in flight is finished (or, if it
//! was still being decoded, not written), prepared copies are dropped (their temporary
//! files removed) and the per-file report is printed before the process exits with
//! 128 + the signal's number (130, 143), as shells expect. A second signal stops the
//! process at once, with the same code: whoever sends it wants out now, and the next
//! run removes what it left.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::platform::signals::{self, INTERRUPT};

/// Whether a stop was asked for, and by which signal. Cloned handles share one flag.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stop {
    /// The number of the first signal received, 0 for none.
    signal: Arc<AtomicUsize>,
    /// Set with the first signal, so that a second one exits at once.
    asked: Arc<AtomicBool>,
}

impl Stop {
    /// A flag that nothing sets: for work that is not interrupted this way.
    pub(crate) fn never() -> Stop {
        Stop::default()
    }

    /// A flag set by the first SIGINT or SIGTERM of the process; the second exits at once.
    pub(crate) fn on_signals() -> std::io::Result<Stop> {
        let stop = Stop::default();
        signals::on_interrupt(&stop.asked, &stop.signal)?;
        Ok(stop)
    }

    /// Whether a stop was asked for.
    pub(crate) fn requested(&self) -> bool {
        self.asked.load(Ordering::SeqCst)
    }

    /// The signal that asked for the stop, if any.
    pub(crate) fn signal(&self) -> Option<u8> {
        match self.signal.load(Ordering::SeqCst) {
            0 => self.requested().then_some(INTERRUPT),
            n => u8::try_from(n).ok(),
        }
    }

    /// Asks for a stop, as a signal would (for tests).
    #[cfg(test)]
    pub(crate) fn ask(&self, signal: i32) {
        self.signal.store(usize::try_from(signal).unwrap_or(0), Ordering::SeqCst);
        self.asked.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_is_seen_by_every_clone_with_its_signal() {
        let stop = Stop::never();
        let clone = stop.clone();
        assert!(!clone.requested() && clone.signal().is_none());
        stop.ask(i32::from(signals::TERMINATE));
        assert!(clone.requested());
        assert_eq!(clone.signal(), Some(15));
    }
}
