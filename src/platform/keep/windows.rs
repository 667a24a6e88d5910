//! Windows: the attributes, the creation time, the security descriptor (owner, group,
//! DACL) and every alternate data stream.
//!
//! `ReplaceFileW` would carry most of this over itself, but it is not atomic (it can
//! fail half-way, leaving the original under a backup name) and gives no way to check
//! the result; so, as on Unix, everything is given to the copy and checked before the
//! one atomic rename ([`crate::platform::replace`]).

use std::ffi::OsString;
use std::fs::{File, Metadata};
use std::io;
use std::os::windows::ffi::OsStringExt;
use std::os::windows::fs::MetadataExt;
use std::os::windows::io::AsRawHandle;
use std::path::{Path, PathBuf};

use windows_sys::Win32::Foundation::{
    ERROR_CALL_NOT_IMPLEMENTED, ERROR_HANDLE_EOF, ERROR_INVALID_FUNCTION, ERROR_INVALID_OWNER, ERROR_INVALID_PARAMETER,
    ERROR_NOT_SUPPORTED, ERROR_PRIVILEGE_NOT_HELD, HANDLE, INVALID_HANDLE_VALUE, LocalFree,
};
use windows_sys::Win32::Security::Authorization::{GetSecurityInfo, SE_FILE_OBJECT, SetSecurityInfo};
use windows_sys::Win32::Security::{
    ACE_HEADER, ACL, DACL_SECURITY_INFORMATION, EqualSid, GROUP_SECURITY_INFORMATION, GetAce,
    GetSecurityDescriptorControl, GetSecurityDescriptorDacl, GetSecurityDescriptorGroup, GetSecurityDescriptorLength,
    GetSecurityDescriptorOwner, INHERITED_ACE, LookupAccountSidW, OWNER_SECURITY_INFORMATION,
    PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID, SE_DACL_PROTECTED, SID_NAME_USE,
    UNPROTECTED_DACL_SECURITY_INFORMATION,
};
use windows_sys::Win32::Storage::FileSystem::{
    FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_NORMAL, FILE_ATTRIBUTE_NOT_CONTENT_INDEXED,
    FILE_ATTRIBUTE_READONLY, FILE_ATTRIBUTE_SYSTEM, FILE_BASIC_INFO, FILE_READ_ATTRIBUTES, FileBasicInfo, FindClose,
    FindFirstStreamW, FindNextStreamW, FindStreamInfoStandard, GetFileInformationByHandleEx,
    GetVolumeInformationByHandleW, READ_CONTROL, SetFileInformationByHandle, WIN32_FIND_STREAM_DATA, WRITE_DAC,
    WRITE_OWNER,
};

use super::{Keep, KeepError, io_error};
use crate::platform::windows::{check, open, wide};

/// The attributes a copy is given: those a person or a program sets on a file. The
/// others say how the file is stored (compressed, encrypted, sparse, a reparse point,
/// offline) or that it is temporary, and are the copy's own.
const KEPT_ATTRIBUTES: u32 = FILE_ATTRIBUTE_READONLY
    | FILE_ATTRIBUTE_HIDDEN
    | FILE_ATTRIBUTE_SYSTEM
    | FILE_ATTRIBUTE_ARCHIVE
    | FILE_ATTRIBUTE_NOT_CONTENT_INDEXED;

/// A volume that keeps security descriptors (`FILE_PERSISTENT_ACLS`).
const FILE_PERSISTENT_ACLS: u32 = 0x8;

/// What the copy must be given to stand in for the original.
#[derive(Debug)]
pub(crate) struct Kept {
    /// The original, whose streams are copied from it.
    original: PathBuf,
    /// Its attributes, of [`KEPT_ATTRIBUTES`].
    attributes: u32,
    /// Its creation time (hundreds of nanoseconds since 1601).
    created: i64,
    /// Its security descriptor, where the volume keeps one.
    security: Option<Security>,
    /// Its alternate data streams.
    streams: Vec<Stream>,
}

/// An alternate data stream: its name as Windows lists it (`:Zone.Identifier:$DATA`)
/// and its length.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stream {
    name: OsString,
    len: u64,
}

impl Keep for Kept {
    /// Reads the attributes, creation time, security descriptor and streams.
    fn read(target: &Path, metadata: &Metadata) -> Result<Kept, KeepError> {
        let file = open(target, READ_CONTROL | FILE_READ_ATTRIBUTES)
            .map_err(io_error("cannot open the file to read its security descriptor"))?;
        let security = if keeps_acls(&file) {
            Some(Security::of(&file).map_err(io_error("cannot read the file's security descriptor"))?)
        } else {
            None
        };
        let streams = read_streams(target).map_err(io_error("cannot list the file's alternate data streams"))?;
        Ok(Kept {
            original: target.to_path_buf(),
            attributes: metadata.file_attributes() & KEPT_ATTRIBUTES,
            created: i64::try_from(metadata.creation_time()).unwrap_or(0),
            security,
            streams,
        })
    }

    /// Copies the streams, gives the security descriptor (refusing an owner the caller
    /// cannot give), then the creation time and attributes (read-only last of all),
    /// and checks each.
    fn apply(&self, copy: &File, copy_path: &Path) -> Result<(), KeepError> {
        for stream in &self.streams {
            copy_stream(&self.original, copy_path, stream)?;
        }
        if let Some(security) = &self.security {
            security.give_to(copy_path)?;
        }
        set_basic(copy, self.created, self.attributes)
            .map_err(io_error("cannot give the tagged copy the original's attributes"))?;
        let now = basic_of(copy).map_err(io_error("cannot read the tagged copy's attributes"))?;
        if now.FileAttributes & KEPT_ATTRIBUTES != self.attributes {
            return Err(KeepError::NotAllowed(format!(
                "the tagged copy could not be given the original's attributes ({}, it has {})",
                describe_attributes(self.attributes),
                describe_attributes(now.FileAttributes & KEPT_ATTRIBUTES)
            )));
        }
        Ok(())
    }
}

/// Gives `file`, about to replace the file at `target`, that file's attributes and
/// creation time, or a new file's (`FILE_ATTRIBUTE_NORMAL`: no longer temporary).
pub(crate) fn like_target(file: &File, target: &Path) -> io::Result<()> {
    match std::fs::metadata(target) {
        Ok(m) => set_basic(file, i64::try_from(m.creation_time()).unwrap_or(0), m.file_attributes() & KEPT_ATTRIBUTES),
        Err(_) => as_new_file(file),
    }
}

/// Gives a file made whole by isrc-stamp (a ledger, a backup) a new file's attributes:
/// no longer temporary (`tempfile` makes its files `FILE_ATTRIBUTE_TEMPORARY`, which
/// asks Windows to keep them in memory).
pub(crate) fn as_new_file(file: &File) -> io::Result<()> {
    set_basic(file, 0, 0)
}

/// What a refusal to write the file says of it besides the reason: nothing on Windows,
/// whose reasons (a read-only attribute, another program holding it) are the file's.
pub(crate) fn describe_owner(_metadata: &Metadata) -> String {
    String::new()
}

/// Sets `file`'s creation time (0: unchanged) and attributes (none: normal), leaving its
/// other times.
fn set_basic(file: &File, created: i64, attributes: u32) -> io::Result<()> {
    let info = FILE_BASIC_INFO {
        CreationTime: created,
        LastAccessTime: 0,
        LastWriteTime: 0,
        ChangeTime: 0,
        FileAttributes: if attributes == 0 { FILE_ATTRIBUTE_NORMAL } else { attributes },
    };
    let size = u32::try_from(std::mem::size_of::<FILE_BASIC_INFO>()).unwrap_or(u32::MAX);
    // SAFETY: the handle is open for as long as `file` is borrowed; `info` is a
    // FILE_BASIC_INFO of the size given.
    check(unsafe { SetFileInformationByHandle(file.as_raw_handle(), FileBasicInfo, (&raw const info).cast(), size) })
}

/// `file`'s times and attributes.
fn basic_of(file: &File) -> io::Result<FILE_BASIC_INFO> {
    let mut info = FILE_BASIC_INFO::default();
    let size = u32::try_from(std::mem::size_of::<FILE_BASIC_INFO>()).unwrap_or(u32::MAX);
    // SAFETY: as in `set_basic`; the call writes at most `size` bytes into `info`.
    check(unsafe { GetFileInformationByHandleEx(file.as_raw_handle(), FileBasicInfo, (&raw mut info).cast(), size) })?;
    Ok(info)
}

/// `read-only, hidden`, or `none`.
fn describe_attributes(attributes: u32) -> String {
    let names = [
        (FILE_ATTRIBUTE_READONLY, "read-only"),
        (FILE_ATTRIBUTE_HIDDEN, "hidden"),
        (FILE_ATTRIBUTE_SYSTEM, "system"),
        (FILE_ATTRIBUTE_ARCHIVE, "archive"),
        (FILE_ATTRIBUTE_NOT_CONTENT_INDEXED, "not indexed"),
    ];
    let set: Vec<&str> = names.iter().filter(|(bit, _)| attributes & bit != 0).map(|(_, name)| *name).collect();
    if set.is_empty() { "none".to_owned() } else { set.join(", ") }
}

/// Whether the volume holding `file` keeps security descriptors (NTFS, ReFS; not FAT
/// or exFAT, where a copy has none to be given).
fn keeps_acls(file: &File) -> bool {
    let mut flags = 0u32;
    // SAFETY: the handle is open for as long as `file` is borrowed; only the flags are
    // asked for, the other out-pointers are null with zero sizes.
    let ok = unsafe {
        GetVolumeInformationByHandleW(
            file.as_raw_handle(),
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut flags,
            std::ptr::null_mut(),
            0,
        )
    };
    // A volume that cannot say is taken to keep them: the copy is then checked.
    ok == 0 || flags & FILE_PERSISTENT_ACLS != 0
}

/// The named streams of the file at `path`. A volume without streams (FAT, exFAT, many
/// network shares) has none.
fn read_streams(path: &Path) -> io::Result<Vec<Stream>> {
    let name = wide(path)?;
    let mut data = WIN32_FIND_STREAM_DATA::default();
    // SAFETY: `name` is NUL-terminated; `data` is a WIN32_FIND_STREAM_DATA, what the
    // standard level writes.
    let handle = unsafe { FindFirstStreamW(name.as_ptr(), FindStreamInfoStandard, (&raw mut data).cast(), 0) };
    if handle == INVALID_HANDLE_VALUE {
        let error = io::Error::last_os_error();
        return if no_streams(&error) { Ok(Vec::new()) } else { Err(error) };
    }
    let mut streams = Vec::new();
    let result = loop {
        if let Some(name) = stream_name(&data.cStreamName) {
            streams.push(Stream { name, len: u64::try_from(data.StreamSize).unwrap_or(0) });
        }
        // SAFETY: `handle` is the open search; `data` as above.
        if unsafe { FindNextStreamW(handle, (&raw mut data).cast()) } == 0 {
            let error = io::Error::last_os_error();
            break if error.raw_os_error() == Some(ERROR_HANDLE_EOF as i32) { Ok(streams) } else { Err(error) };
        }
    };
    // SAFETY: `handle` is the open search, closed once.
    unsafe { FindClose(handle) };
    result
}

/// Whether a failure to list streams means there are none to list.
fn no_streams(error: &io::Error) -> bool {
    let none = [ERROR_HANDLE_EOF, ERROR_INVALID_PARAMETER, ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED];
    let code = error.raw_os_error().and_then(|code| u32::try_from(code).ok());
    code.is_some_and(|code| none.contains(&code) || code == ERROR_CALL_NOT_IMPLEMENTED)
}

/// A stream's name as listed, up to its NUL; `None` for the file's own data (`::$DATA`).
fn stream_name(units: &[u16]) -> Option<OsString> {
    let end = units.iter().position(|&unit| unit == 0).unwrap_or(units.len());
    let name = &units[..end];
    let own: Vec<u16> = "::$DATA".encode_utf16().collect();
    (!name.is_empty() && name != own.as_slice()).then(|| OsString::from_wide(name))
}

/// `path` with a stream name appended (`C:\m\a.wav:Zone.Identifier:$DATA`).
fn stream_path(path: &Path, stream: &Stream) -> PathBuf {
    let mut full = path.as_os_str().to_owned();
    full.push(&stream.name);
    PathBuf::from(full)
}

/// Copies one stream of the original to the copy, and checks its length.
fn copy_stream(original: &Path, copy: &Path, stream: &Stream) -> Result<(), KeepError> {
    let action = "cannot copy an alternate data stream to the tagged copy";
    let named = |cause: io::Error| KeepError::Io {
        action,
        cause: io::Error::new(cause.kind(), format!("{}: {cause}", stream.name.to_string_lossy())),
    };
    let mut from = File::open(stream_path(original, stream)).map_err(named)?;
    let to_path = stream_path(copy, stream);
    let mut to = File::create(&to_path).map_err(named)?;
    let copied = io::copy(&mut from, &mut to).map_err(named)?;
    to.sync_all().map_err(named)?;
    if copied != stream.len {
        return Err(named(io::Error::other(format!("{copied} bytes copied of {}", stream.len))));
    }
    Ok(())
}

/// A security descriptor in self-relative form (owner, group, DACL), as
/// `GetSecurityInfo` gives it, in memory of our own.
struct Security {
    /// The descriptor's bytes, in `u64`s for alignment.
    bytes: Vec<u64>,
}

impl std::fmt::Debug for Security {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Security(owner {}, {} explicit entries)", account_name(self.owner()), self.explicit_entries().len())
    }
}

impl Security {
    /// The security descriptor of the open `file` (which needs `READ_CONTROL`).
    fn of(file: &File) -> io::Result<Security> {
        Security::of_handle(file.as_raw_handle())
    }

    fn of_handle(handle: HANDLE) -> io::Result<Security> {
        let what = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        let (no_sid, no_acl) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: `handle` is open; the pointers asked for individually are not wanted
        // (null); the descriptor is allocated by the call and freed below.
        let status =
            unsafe { GetSecurityInfo(handle, SE_FILE_OBJECT, what, no_sid, no_sid, no_acl, no_acl, &mut descriptor) };
        if status != 0 {
            return Err(io::Error::from_raw_os_error(status as i32));
        }
        // SAFETY: the call succeeded, so `descriptor` is a valid self-relative
        // descriptor of the length it reports; it is copied, then freed once.
        let bytes = unsafe {
            let len = GetSecurityDescriptorLength(descriptor) as usize;
            let mut bytes = vec![0u64; len.div_ceil(8)];
            std::ptr::copy_nonoverlapping(descriptor.cast::<u8>(), bytes.as_mut_ptr().cast::<u8>(), len);
            LocalFree(descriptor);
            bytes
        };
        Ok(Security { bytes })
    }

    fn descriptor(&self) -> PSECURITY_DESCRIPTOR {
        self.bytes.as_ptr().cast_mut().cast()
    }

    /// The owner's SID (pointing into the descriptor).
    fn owner(&self) -> PSID {
        let (mut sid, mut defaulted) = (std::ptr::null_mut(), 0);
        // SAFETY: the descriptor is valid and self-relative; the SID points into it.
        unsafe { GetSecurityDescriptorOwner(self.descriptor(), &mut sid, &mut defaulted) };
        sid
    }

    /// The primary group's SID (pointing into the descriptor).
    fn group(&self) -> PSID {
        let (mut sid, mut defaulted) = (std::ptr::null_mut(), 0);
        // SAFETY: as for `owner`.
        unsafe { GetSecurityDescriptorGroup(self.descriptor(), &mut sid, &mut defaulted) };
        sid
    }

    /// The DACL (pointing into the descriptor), null for none (everyone may do all).
    fn dacl(&self) -> *mut ACL {
        let (mut present, mut acl, mut defaulted) = (0, std::ptr::null_mut(), 0);
        // SAFETY: as for `owner`.
        unsafe { GetSecurityDescriptorDacl(self.descriptor(), &mut present, &mut acl, &mut defaulted) };
        if present == 0 { std::ptr::null_mut() } else { acl }
    }

    /// Whether the DACL is protected from the folder's inheritable entries.
    fn protected(&self) -> bool {
        let (mut control, mut revision) = (0u16, 0u32);
        // SAFETY: as for `owner`.
        unsafe { GetSecurityDescriptorControl(self.descriptor(), &mut control, &mut revision) };
        control & SE_DACL_PROTECTED != 0
    }

    /// The DACL's own entries (not inherited from the folder), each as bytes, sorted.
    /// Inherited entries come from the folder, the same for the original and its copy
    /// beside it.
    fn explicit_entries(&self) -> Vec<Vec<u8>> {
        let acl = self.dacl();
        if acl.is_null() {
            return Vec::new();
        }
        // SAFETY: a non-null DACL of a valid descriptor is a valid ACL.
        let count = unsafe { (*acl).AceCount };
        let mut entries = Vec::new();
        for index in 0..u32::from(count) {
            let mut ace = std::ptr::null_mut();
            // SAFETY: `index` is below the ACL's count; the ACE points into the ACL, and
            // its header gives its size.
            unsafe {
                if GetAce(acl, index, &mut ace) == 0 {
                    continue;
                }
                let header = &*ace.cast::<ACE_HEADER>();
                if u32::from(header.AceFlags) & INHERITED_ACE == 0 {
                    entries.push(std::slice::from_raw_parts(ace.cast::<u8>(), usize::from(header.AceSize)).to_vec());
                }
            }
        }
        entries.sort();
        entries
    }

    /// Gives the file at `copy_path` this owner, group and DACL (with its protection),
    /// then checks them. An owner the caller cannot give (only an administrator, with
    /// the restore privilege, can give a file away) refuses the file.
    fn give_to(&self, copy_path: &Path) -> Result<(), KeepError> {
        let current = open(copy_path, READ_CONTROL)
            .and_then(|file| Security::of(&file))
            .map_err(io_error("cannot read the tagged copy's security descriptor"))?;
        let give_owner = !same_sid(current.owner(), self.owner()) || !same_sid(current.group(), self.group());
        let refuse = || {
            KeepError::NotAllowed(format!(
                "it is owned by {}, and only an administrator can give the tagged copy that owner; \
                 run isrc-stamp as its owner or as an administrator",
                account_name(self.owner())
            ))
        };
        if give_owner {
            // Only takes effect for a process that holds the privilege (an elevated
            // administrator); without it the owner is refused below.
            enable_restore_privilege();
        }
        let mut access = READ_CONTROL | WRITE_DAC;
        let protection =
            if self.protected() { PROTECTED_DACL_SECURITY_INFORMATION } else { UNPROTECTED_DACL_SECURITY_INFORMATION };
        let mut what = DACL_SECURITY_INFORMATION | protection;
        let (mut owner, mut group) = (std::ptr::null_mut(), std::ptr::null_mut());
        if give_owner {
            access |= WRITE_OWNER;
            what |= OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION;
            (owner, group) = (self.owner(), self.group());
        }
        let file = open(copy_path, access).map_err(|cause| {
            if give_owner {
                refuse()
            } else {
                io_error("cannot open the tagged copy to give it a security descriptor")(cause)
            }
        })?;
        // SAFETY: the handle is open with the access the call needs; the SIDs and the
        // DACL point into `self`, alive for the call.
        let status = unsafe {
            SetSecurityInfo(file.as_raw_handle(), SE_FILE_OBJECT, what, owner, group, self.dacl(), std::ptr::null())
        };
        match status {
            0 => {}
            ERROR_INVALID_OWNER | ERROR_PRIVILEGE_NOT_HELD if give_owner => return Err(refuse()),
            status => {
                return Err(KeepError::Io {
                    action: "cannot give the tagged copy the original's security descriptor",
                    cause: io::Error::from_raw_os_error(status as i32),
                });
            }
        }
        let now = Security::of(&file).map_err(io_error("cannot read the tagged copy's security descriptor"))?;
        if !same_sid(now.owner(), self.owner())
            || now.protected() != self.protected()
            || now.explicit_entries() != self.explicit_entries()
        {
            return Err(KeepError::NotAllowed(format!(
                "the tagged copy could not be given the original's security descriptor ({self:?}; it has {now:?})"
            )));
        }
        Ok(())
    }
}

/// Whether two SIDs (either possibly null) are the same.
fn same_sid(a: PSID, b: PSID) -> bool {
    // SAFETY: both point to valid SIDs when not null.
    a.is_null() && b.is_null() || (!a.is_null() && !b.is_null() && unsafe { EqualSid(a, b) } != 0)
}

/// `DOMAIN\name` of a SID, or `an unknown account` when it names none.
fn account_name(sid: PSID) -> String {
    if sid.is_null() {
        return "no one".to_owned();
    }
    let mut name = vec![0u16; 256];
    let mut domain = vec![0u16; 256];
    let (mut name_len, mut domain_len) = (256u32, 256u32);
    let mut kind: SID_NAME_USE = 0;
    // SAFETY: the buffers are ours, of the lengths given; the SID is valid.
    let ok = unsafe {
        LookupAccountSidW(
            std::ptr::null(),
            sid,
            name.as_mut_ptr(),
            &mut name_len,
            domain.as_mut_ptr(),
            &mut domain_len,
            &mut kind,
        )
    };
    if ok == 0 {
        return "an unknown account".to_owned();
    }
    let text = |units: &[u16], len: u32| String::from_utf16_lossy(&units[..len as usize]);
    match text(&domain, domain_len) {
        domain if domain.is_empty() => text(&name, name_len),
        domain => format!("{domain}\\{}", text(&name, name_len)),
    }
}

/// Enables the restore privilege (`SeRestorePrivilege`: set any owner) in this
/// process's token, where the token holds it; does nothing otherwise.
fn enable_restore_privilege() {
    use windows_sys::Win32::Foundation::{CloseHandle, LUID};
    use windows_sys::Win32::Security::{
        AdjustTokenPrivileges, LUID_AND_ATTRIBUTES, LookupPrivilegeValueW, SE_PRIVILEGE_ENABLED, SE_RESTORE_NAME,
        TOKEN_ADJUST_PRIVILEGES, TOKEN_PRIVILEGES,
    };
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
    let mut token = std::ptr::null_mut();
    // SAFETY: the pseudo-handle of this process; the token handle is closed below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES, &mut token) } == 0 {
        return;
    }
    let mut luid = LUID::default();
    // SAFETY: SE_RESTORE_NAME is a NUL-terminated constant; `luid` is ours.
    if unsafe { LookupPrivilegeValueW(std::ptr::null(), SE_RESTORE_NAME, &mut luid) } != 0 {
        let wanted = TOKEN_PRIVILEGES {
            PrivilegeCount: 1,
            Privileges: [LUID_AND_ATTRIBUTES { Luid: luid, Attributes: SE_PRIVILEGE_ENABLED }],
        };
        // SAFETY: `token` is open for adjusting; no previous state is asked for.
        unsafe { AdjustTokenPrivileges(token, 0, &wanted, 0, std::ptr::null_mut(), std::ptr::null_mut()) };
    }
    // SAFETY: closed once.
    unsafe { CloseHandle(token) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::windows::set_attributes;

    fn units(s: &str) -> Vec<u16> {
        let mut units: Vec<u16> = s.encode_utf16().collect();
        units.resize(296, 0);
        units
    }

    #[test]
    fn streams_are_named_as_listed_and_the_files_own_data_is_not_a_stream() {
        assert_eq!(stream_name(&units("::$DATA")), None);
        assert_eq!(stream_name(&units(":Zone.Identifier:$DATA")), Some(OsString::from(":Zone.Identifier:$DATA")));
        assert_eq!(stream_name(&units(":AFP_Resource:$DATA")), Some(OsString::from(":AFP_Resource:$DATA")));
        assert_eq!(stream_name(&units("")), None);
        let stream = Stream { name: OsString::from(":Zone.Identifier:$DATA"), len: 26 };
        assert_eq!(stream_path(Path::new(r"C:\m\a.wav"), &stream), Path::new(r"C:\m\a.wav:Zone.Identifier:$DATA"));
        let eof = io::Error::from_raw_os_error(ERROR_HANDLE_EOF as i32);
        assert!(no_streams(&eof));
        assert!(!no_streams(&io::Error::from_raw_os_error(5)), "access denied is an error");
    }

    #[test]
    fn the_copy_gets_the_hidden_and_system_attributes_and_is_no_longer_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let original = dir.path().join("master.wav");
        std::fs::write(&original, b"x").unwrap();
        set_attributes(&original, FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE).unwrap();
        let kept = Kept::read(&original, &std::fs::metadata(&original).unwrap()).unwrap();
        assert_eq!(kept.attributes, FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE);
        let copy = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        kept.apply(copy.as_file(), copy.path()).unwrap();
        let attributes = std::fs::metadata(copy.path()).unwrap().file_attributes();
        assert_eq!(attributes & KEPT_ATTRIBUTES, kept.attributes, "{attributes:#x}");
        assert_eq!(attributes & windows_sys::Win32::Storage::FileSystem::FILE_ATTRIBUTE_TEMPORARY, 0);
    }

    /// Wine keeps no NTFS security descriptors; what it reports must still come back
    /// whole on the copy: the same owner, the same explicit entries.
    #[test]
    fn the_copy_gets_the_originals_owner_and_dacl() {
        let dir = tempfile::tempdir().unwrap();
        let original = dir.path().join("master.wav");
        std::fs::write(&original, b"x").unwrap();
        let file = open(&original, READ_CONTROL).unwrap();
        let security = Security::of(&file).unwrap();
        assert!(!security.owner().is_null(), "a file has an owner");
        let copy = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        security.give_to(copy.path()).unwrap();
        let given = Security::of(&open(copy.path(), READ_CONTROL).unwrap()).unwrap();
        assert!(same_sid(given.owner(), security.owner()));
        assert_eq!(given.explicit_entries(), security.explicit_entries());
        assert!(!account_name(security.owner()).is_empty());
    }
}
