//! What is wrong with a plan or an image: the stable ids ([`ProblemId`], declared with
//! [`id_enum!`], which `verify`'s findings use too) and the [`Problem`] list a carrier
//! returns. Values only: no I/O.

use serde::Serialize;

/// Declares a closed set of stable ids, each with the kebab-case word tools and tests
/// match on: [`as_str`](Self::as_str), `FromStr` (the exact word), `Display` and
/// `Serialize` all use that word, and `ALL` lists every id once.
///
/// The last variant may instead carry an id of another such set, `Name(OtherId),` with
/// no word of its own: it stands for every id of that set under the inner id's word
/// (`as_str` asks the inner id), `ALL` lists them after the worded variants in the
/// inner set's order, and `From<OtherId>` wraps one. `verify`'s `FindingId` carries a
/// [`ProblemId`] this way instead of repeating its words. No worded variant may take a
/// word of the inner set (`FromStr` would find the worded one): the unit tests of words
/// of the set that carries another check it.
///
/// The macro reads the variants one at a time (`@split`) to tell the worded from the
/// carrying one, then writes the enum and its impls (`@impl`).
macro_rules! id_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)+ }) => {
        $crate::carrier::id_enum!(@split [$(#[$meta])* $vis enum $name] [] $($body)+);
    };
    (@split $head:tt [$($worded:tt)*] $(#[$vmeta:meta])* $variant:ident = $word:literal, $($rest:tt)*) => {
        $crate::carrier::id_enum!(@split $head [$($worded)* $(#[$vmeta])* $variant = $word,] $($rest)*);
    };
    (@split $head:tt $worded:tt $($(#[$cmeta:meta])* $carrying:ident($inner:ty),)?) => {
        $crate::carrier::id_enum!(@impl $head $worded [$($(#[$cmeta])* $carrying($inner))?]);
    };
    (@impl [$(#[$meta:meta])* $vis:vis enum $name:ident]
        [$($(#[$vmeta:meta])* $variant:ident = $word:literal,)+]
        [$($(#[$cmeta:meta])* $carrying:ident($inner:ty))?]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
            $($(#[$cmeta])* $carrying($inner),)?
        }

        impl $name {
            /// Every id, in declaration order (a carrying variant's ids in its set's
            /// order).
            pub const ALL: &'static [$name] = &{
                const WORDED: &[$name] = &[$($name::$variant),+];
                let mut all = [WORDED[0]; WORDED.len() $(+ <$inner>::ALL.len())?];
                let mut i = 0;
                while i < WORDED.len() {
                    all[i] = WORDED[i];
                    i += 1;
                }
                $(
                    while i < all.len() {
                        all[i] = $name::$carrying(<$inner>::ALL[i - WORDED.len()]);
                        i += 1;
                    }
                )?
                all
            };

            /// The id's stable word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                    $($name::$carrying(inner) => inner.as_str(),)?
                }
            }
        }

        $(
            impl From<$inner> for $name {
                /// The id that carries `id`, with its word.
                fn from(id: $inner) -> $name {
                    $name::$carrying(id)
                }
            }
        )?

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

    id_enum! {
        /// A set with words of its own that carries the problem ids.
        enum Outer {
            /// A word of its own.
            First = "first",
            Last = "last",
            /// A problem, under its word.
            Problem(ProblemId),
        }
    }

    /// A carrying variant stands for every inner id, under the inner id's word, after
    /// the worded variants.
    #[test]
    fn a_carried_set_keeps_its_words() {
        let mut expected = vec![Outer::First, Outer::Last];
        expected.extend(ProblemId::ALL.iter().map(|&id| Outer::Problem(id)));
        assert_eq!(Outer::ALL, expected);
        let words: Vec<&str> = Outer::ALL.iter().map(|id| id.as_str()).collect();
        assert_eq!(words[..3], ["first", "last", "cdtext-charset"]);
        for &id in ProblemId::ALL {
            assert_eq!(Outer::from(id), Outer::Problem(id));
            assert_eq!(id.as_str().parse::<Outer>(), Ok(Outer::Problem(id)));
            assert_eq!(Outer::from(id).to_string(), id.as_str());
            assert_eq!(serde_json::to_string(&Outer::from(id)).unwrap(), format!("\"{id}\""));
        }
        assert_eq!("last".parse::<Outer>(), Ok(Outer::Last));
        assert_eq!("Problem".parse::<Outer>(), Err(UnknownId("Problem".into())));
    }
}
