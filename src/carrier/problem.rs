//! What is wrong with a plan or an image: the stable ids ([`ProblemId`], declared with
//! [`id_enum!`], which `verify`'s findings use too) and the [`Problem`] list a carrier
//! returns. Values only: no I/O.

use serde::Serialize;

/// Declares a closed set of stable ids, each with the kebab-case word tools and tests
/// match on: [`as_str`](Self::as_str), `FromStr` (the exact word), `Display` and
/// `Serialize` all use that word.
macro_rules! id_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every id, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The id's stable word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::carrier::UnknownId;

            /// Parses the exact word.
            fn from_str(word: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|id| id.as_str() == word)
                    .ok_or_else(|| $crate::carrier::UnknownId(word.to_owned()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}
pub(crate) use id_enum;

/// A word that is no id of the set it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown id {0:?}")]
pub struct UnknownId(pub String);

id_enum! {
    /// The stable id of a [`Problem`]: the rule a plan or an image breaks.
    pub enum ProblemId {
        /// CD-Text holds a character its encoding cannot carry.
        CdtextCharset = "cdtext-charset",
        /// The CD-Text does not fit in its packs.
        CdtextSize = "cdtext-size",
        /// The UPC/EAN's check digit is wrong.
        DdpCatalogInvalid = "ddp-catalog-invalid",
        /// `DDPID` and the PQ data give different UPC/EANs.
        DdpCatalogMismatch = "ddp-catalog-mismatch",
        /// The CD-Text packs cannot be read (a CRC or a pack out of order).
        DdpCdtext = "ddp-cdtext",
        /// A line of `CHECKSUM.MD5` does not match its file.
        DdpChecksum = "ddp-checksum",
        /// The image has no checksum file (a warning).
        DdpChecksumMissing = "ddp-checksum-missing",
        /// The checksum file cannot be read (a warning).
        DdpChecksumUnread = "ddp-checksum-unread",
        /// Two tracks carry the same ISRC.
        DdpIsrcDuplicate = "ddp-isrc-duplicate",
        /// A track's ISRC is not a valid code.
        DdpIsrcInvalid = "ddp-isrc-invalid",
        /// The master id is not at most 48 printable ASCII characters.
        DdpMasterId = "ddp-master-id",
        /// The image's files or their layout are not what `DDPMS` says.
        DdpStructure = "ddp-structure",
        /// The audio is not 16-bit.
        RedbookBitDepth = "redbook-bit-depth",
        /// The audio is not stereo.
        RedbookChannels = "redbook-channels",
        /// A pregap breaks the Red Book's rules.
        RedbookPregap = "redbook-pregap",
        /// The audio is not 44.1 kHz.
        RedbookSampleRate = "redbook-sample-rate",
        /// The disc is longer than the limit.
        RedbookTotalLength = "redbook-total-length",
        /// More tracks than a CD holds (99).
        RedbookTrackCount = "redbook-track-count",
        /// A track is shorter than 4 seconds.
        RedbookTrackLength = "redbook-track-length",
    }
}

/// One thing wrong with a plan or an image: a stable id (like `ddp-checksum`) for tools
/// and tests, and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable identifier of the rule broken, like `redbook-sample-rate` or `ddp-structure`.
    pub id: ProblemId,
    /// The track it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<u8>,
    /// What is wrong, where, and what to do about it.
    pub message: String,
}

impl Problem {
    /// A problem with the given id and message.
    pub fn new(id: ProblemId, message: impl Into<String>) -> Problem {
        Problem { id, track: None, message: message.into() }
    }

    /// A problem about one track.
    pub fn for_track(id: ProblemId, track: u8, message: impl Into<String>) -> Problem {
        Problem { id, track: Some(track), message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.id, self.message)
    }
}

#[cfg(test)]
mod id_tests {
    use super::{ProblemId, UnknownId};

    /// Every problem id keeps the word tools and tests match on, and reads back.
    #[test]
    fn problem_ids_keep_their_words() {
        let words: Vec<&str> = ProblemId::ALL.iter().map(|id| id.as_str()).collect();
        assert_eq!(
            words,
            [
                "cdtext-charset",
                "cdtext-size",
                "ddp-catalog-invalid",
                "ddp-catalog-mismatch",
                "ddp-cdtext",
                "ddp-checksum",
                "ddp-checksum-missing",
                "ddp-checksum-unread",
                "ddp-isrc-duplicate",
                "ddp-isrc-invalid",
                "ddp-master-id",
                "ddp-structure",
                "redbook-bit-depth",
                "redbook-channels",
                "redbook-pregap",
                "redbook-sample-rate",
                "redbook-total-length",
                "redbook-track-count",
                "redbook-track-length",
            ]
        );
        for &id in ProblemId::ALL {
            assert_eq!(id.as_str().parse::<ProblemId>(), Ok(id));
            assert_eq!(id.to_string(), id.as_str());
            assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{}\"", id.as_str()));
        }
        assert_eq!("DDP-STRUCTURE".parse::<ProblemId>(), Err(UnknownId("DDP-STRUCTURE".into())));
        assert_eq!(format!("{:<16}|", ProblemId::DdpChecksum), "ddp-checksum    |");
    }
}
