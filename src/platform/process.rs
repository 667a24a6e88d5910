//! Whether a process still runs: a temporary file named for a process that is gone was
//! left by a killed run, and may be removed.

/// Whether the process `pid` still runs; `None` where that cannot be told (then nothing
/// of it is removed).
#[cfg(unix)]
pub(crate) fn alive(pid: u32) -> Option<bool> {
    // 0 and ids beyond the range of pids name process groups to `kill`, never a process.
    let Ok(pid) = libc::pid_t::try_from(pid) else { return Some(false) };
    if pid <= 0 {
        return Some(false);
    }
    // SAFETY: signal 0 sends nothing; it only checks that the process exists.
    if unsafe { libc::kill(pid, 0) } == 0 {
        return Some(true);
    }
    match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::ESRCH) => Some(false),
        Some(libc::EPERM) => Some(true), // someone else's process
        _ => None,
    }
}

/// Whether the process `pid` still runs; `None` where that cannot be told (then nothing
/// of it is removed).
#[cfg(windows)]
pub(crate) fn alive(pid: u32) -> Option<bool> {
    use windows_sys::Win32::Foundation::{CloseHandle, ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER, STILL_ACTIVE};
    use windows_sys::Win32::System::Threading::{GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION};
    // SAFETY: asks for a handle to the process, closed below.
    let handle = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if handle.is_null() {
        let code = std::io::Error::last_os_error().raw_os_error().and_then(|code| u32::try_from(code).ok());
        return match code {
            Some(ERROR_INVALID_PARAMETER) => Some(false), // no such process
            Some(ERROR_ACCESS_DENIED) => Some(true),      // someone else's process
            _ => None,
        };
    }
    let mut code = 0u32;
    // SAFETY: `handle` is open with the access the call needs; closed once.
    unsafe {
        let asked = GetExitCodeProcess(handle, &mut code);
        CloseHandle(handle);
        (asked != 0).then_some(code == STILL_ACTIVE as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_runs_and_a_finished_one_does_not() {
        assert_eq!(alive(std::process::id()), Some(true));
        assert_eq!(alive(u32::MAX - 1), Some(false));
        assert_eq!(alive(0), Some(false));
        let exe = std::env::current_exe().unwrap();
        let mut child = std::process::Command::new(exe)
            .arg("--list")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert_eq!(alive(pid), Some(false), "a process waited for is gone");
    }
}
