//! The name of the account the process runs as, for the ledger's history when the
//! environment does not say (`USER`, `USERNAME`).

/// The name of the account the process runs as, from the password database.
#[cfg(unix)]
pub(crate) fn account_name() -> Option<String> {
    let mut entry = std::mem::MaybeUninit::<libc::passwd>::uninit();
    let mut buffer = vec![0 as libc::c_char; 4096];
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes the entry into `entry` and its strings into `buffer`,
    // both ours and of the sizes given; `found` is set to `entry` on success, null
    // otherwise, and only then is the entry read, while `buffer` is still alive.
    let status =
        unsafe { libc::getpwuid_r(libc::geteuid(), entry.as_mut_ptr(), buffer.as_mut_ptr(), buffer.len(), &mut found) };
    if status != 0 || found.is_null() {
        return None;
    }
    // SAFETY: on success `pw_name` points to a NUL-terminated string inside `buffer`.
    let name = unsafe { std::ffi::CStr::from_ptr((*found).pw_name) };
    name.to_str().ok().filter(|n| !n.is_empty()).map(str::to_owned)
}

/// The name of the account the process runs as (`GetUserNameW`).
#[cfg(windows)]
pub(crate) fn account_name() -> Option<String> {
    use windows_sys::Win32::System::WindowsProgramming::GetUserNameW;
    let mut buffer = vec![0u16; 257];
    let mut len = u32::try_from(buffer.len()).unwrap_or(0);
    // SAFETY: the buffer is ours, of the length given in characters.
    if unsafe { GetUserNameW(buffer.as_mut_ptr(), &mut len) } == 0 {
        return None;
    }
    // The length counts the terminating NUL.
    let name = String::from_utf16(&buffer[..len.saturating_sub(1) as usize]).ok()?;
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_process_runs_as_a_named_account() {
        let name = super::account_name().expect("an account name");
        assert!(!name.is_empty() && !name.contains('\0'));
    }
}
