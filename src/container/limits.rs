//! How much of a file's tags isrc-stamp holds in memory: at most [`MAX_TAG_BLOCK`] bytes
//! of one tag block (an ID3v2 tag, a FLAC metadata block, an Ogg comment packet, a RIFF
//! tag chunk, an MP4 `moov`), and at most [`MAX_TAG_MEMORY`] bytes of tag blocks at once
//! across all the files a run reads in parallel ([`lease`]). A file whose block is over
//! the limit is refused with the block's size and the limit, never half-read: a code is
//! not bound to audio whose tags could not be read whole.

use std::sync::{Condvar, Mutex};

use super::TagError;

/// The most bytes of one tag block read into memory.
pub(crate) const MAX_TAG_BLOCK: u64 = 64 << 20;

/// The most bytes of tag blocks held in memory at once, all files of a run together.
pub(crate) const MAX_TAG_MEMORY: u64 = 256 << 20;

/// Bytes of tag blocks held now, and the condition a reader waits on for more.
static HELD: (Mutex<u64>, Condvar) = (Mutex::new(0), Condvar::new());

/// A share of [`MAX_TAG_MEMORY`], given back when dropped.
#[derive(Debug)]
pub(crate) struct Lease(u64);

/// Reserves `bytes` for one tag block named `what` (`"the VORBIS_COMMENT block"`),
/// waiting while other files hold too much; a block over [`MAX_TAG_BLOCK`] is refused.
/// A caller holds one lease at a time, so waiting never deadlocks.
pub(crate) fn lease(bytes: u64, what: &str) -> Result<Lease, TagError> {
    if bytes > MAX_TAG_BLOCK {
        return Err(over_limit(bytes, what));
    }
    let (held, freed) = &HELD;
    let mut now = held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    while *now + bytes > MAX_TAG_MEMORY {
        now = freed.wait(now).unwrap_or_else(|poisoned| poisoned.into_inner());
    }
    *now += bytes;
    Ok(Lease(bytes))
}

/// The refusal of a block over [`MAX_TAG_BLOCK`].
pub(crate) fn over_limit(bytes: u64, what: &str) -> TagError {
    TagError::Refused(format!(
        "{what} is {bytes} bytes, more than the {} MiB isrc-stamp reads of one tag block: the file is not \
         tagged; remove what the tags do not need (large pictures, stray fields) with a tag editor, then run again",
        MAX_TAG_BLOCK >> 20
    ))
}

impl Drop for Lease {
    fn drop(&mut self) {
        let (held, freed) = &HELD;
        let mut now = held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = now.saturating_sub(self.0);
        freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_over_the_limit_is_refused_and_leases_are_given_back() {
        let error = lease(MAX_TAG_BLOCK + 1, "the ID3v2 tag").unwrap_err().to_string();
        assert!(error.starts_with("the ID3v2 tag is 67108865 bytes, more than the 64 MiB"), "{error}");
        // Four blocks at the limit fit at once; a fifth waits until one is given back.
        let leases: Vec<Lease> = (0..4).map(|_| lease(MAX_TAG_BLOCK, "a block").unwrap()).collect();
        let waiting = std::thread::spawn(|| lease(MAX_TAG_BLOCK, "a block").map(drop));
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!waiting.is_finished(), "the fifth block waits");
        drop(leases);
        waiting.join().unwrap().unwrap();
    }
}
