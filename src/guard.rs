//! Turns a panic inside a third-party decoder or tag parser into an error for that file.
//!
//! A malformed file must never take the batch down. The libraries isrc-stamp builds on
//! are robust but not panic-free (symphonia asserts on some impossible bit widths), so
//! every call into them on user data runs inside [`catch`]. The process-wide panic hook
//! stays quiet for panics caught this way; other panics are reported as usual.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}

/// Runs `work`, returning the panic message as an error if it panics.
pub fn catch<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    install_quiet_hook();
    GUARDED.with(|g| g.set(g.get() + 1));
    let outcome = panic::catch_unwind(AssertUnwindSafe(work));
    GUARDED.with(|g| g.set(g.get() - 1));
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown internal error".to_owned())
    })
}

/// Installs (once) a panic hook that is silent inside [`catch`] and the default elsewhere.
fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDED.with(|g| g.get()) == 0 {
                default(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        assert_eq!(catch(|| 7), Ok(7));
        let err = catch(|| -> u8 { panic!("bit width {}", 33) }).unwrap_err();
        assert_eq!(err, "bit width 33");
    }
}
