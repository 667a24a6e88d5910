//! Asking a run to stop from outside: Ctrl-C, or the system ending the process.
//!
//! The first interrupt only asks (`asked` turns true, `signal` says which); the second
//! exits at once, with 128 + the signal's number (130, 143), as shells expect.
//! - Unix: SIGINT and SIGTERM (`signal-hook`).
//! - Windows: the console's control events (`SetConsoleCtrlHandler`): Ctrl-C and
//!   Ctrl-Break count as SIGINT; closing the console, logging off and shutting down as
//!   SIGTERM (Windows ends the process a few seconds after those, whatever it does).

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// The number of an interrupt (SIGINT: Ctrl-C).
pub(crate) const INTERRUPT: u8 = 2;
/// The number of a request to end (SIGTERM).
pub(crate) const TERMINATE: u8 = 15;

/// Sets `asked`, and `signal` to the interrupt's number, on the first interrupt of the
/// process; exits at once on the second.
#[cfg(unix)]
pub(crate) fn on_interrupt(asked: &Arc<AtomicBool>, signal: &Arc<AtomicUsize>) -> io::Result<()> {
    for number in [INTERRUPT, TERMINATE] {
        let number = i32::from(number);
        // Registered first, so it sees the flag as the previous signal left it.
        signal_hook::flag::register_conditional_shutdown(number, 128 + number, Arc::clone(asked))?;
        signal_hook::flag::register(number, Arc::clone(asked))?;
        signal_hook::flag::register_usize(number, Arc::clone(signal), usize::try_from(number).unwrap_or(0))?;
    }
    Ok(())
}

/// Sets `asked`, and `signal` to the interrupt's number, on the first interrupt of the
/// process; exits at once on the second.
#[cfg(windows)]
pub(crate) fn on_interrupt(asked: &Arc<AtomicBool>, signal: &Arc<AtomicUsize>) -> io::Result<()> {
    use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
    let mut flags = FLAGS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if flags.is_empty() {
        // SAFETY: `console_event` is a handler of the right signature for the life of
        // the process.
        super::windows::check(unsafe { SetConsoleCtrlHandler(Some(console_event), 1) })?;
    }
    flags.push((Arc::clone(asked), Arc::clone(signal)));
    Ok(())
}

/// The flags the console's events set.
#[cfg(windows)]
static FLAGS: std::sync::Mutex<Vec<(Arc<AtomicBool>, Arc<AtomicUsize>)>> = std::sync::Mutex::new(Vec::new());

/// Called by Windows on its own thread for each console event: asks, or exits on the
/// second, and says the event was handled.
#[cfg(windows)]
unsafe extern "system" fn console_event(event: u32) -> windows_sys::core::BOOL {
    use std::sync::atomic::Ordering;
    use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, CTRL_C_EVENT};
    let number = if event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT { INTERRUPT } else { TERMINATE };
    let flags = FLAGS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if flags.iter().any(|(asked, _)| asked.load(Ordering::SeqCst)) {
        std::process::exit(128 + i32::from(number));
    }
    for (asked, signal) in flags.iter() {
        signal.store(usize::from(number), Ordering::SeqCst);
        asked.store(true, Ordering::SeqCst);
    }
    1
}

#[cfg(test)]
mod tests {
    /// Ctrl-C asks, and says it was Ctrl-C. Under CI (`CI` set) the event must come
    /// through a console (`.ci/windows` runs the tests under Wine in a pseudo-terminal);
    /// elsewhere, without a console to send it through, the handler is called as the
    /// console would.
    #[cfg(windows)]
    #[test]
    fn ctrl_c_asks_for_a_stop() {
        use std::sync::atomic::Ordering;
        use windows_sys::Win32::System::Console::{CTRL_C_EVENT, GenerateConsoleCtrlEvent};
        let (asked, signal) = (super::Arc::default(), super::Arc::default());
        super::on_interrupt(&asked, &signal).unwrap();
        // SAFETY: sends Ctrl-C to this process's console group.
        if unsafe { GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0) } == 0 {
            let error = std::io::Error::last_os_error();
            assert!(std::env::var_os("CI").is_none(), "no console to send Ctrl-C through: {error}");
            eprintln!("no console ({error}): the handler is called directly");
            // SAFETY: the handler as Windows calls it.
            unsafe { super::console_event(CTRL_C_EVENT) };
        }
        let started = std::time::Instant::now();
        while !asked.load(Ordering::SeqCst) && started.elapsed() < std::time::Duration::from_secs(5) {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(asked.load(Ordering::SeqCst), "Ctrl-C asked for a stop");
        assert_eq!(signal.load(Ordering::SeqCst), usize::from(super::INTERRUPT));
    }
}
