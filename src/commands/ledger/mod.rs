//! `isrc-stamp ledger list | show ISRC | edit ISRC | export | import FILE | copy --to
//! LOCATION | check | backup FILE | void ISRC | unlink | prefixes`: what the ledger holds,
//! its text corrected, moving it in and out as CSV or JSON Lines or whole into another
//! ledger, the code list for a label, its health, and withdrawing a code.
//!
//! What writes the ledger (an edit, a void, an unlink, an import, each one transaction
//! with its events) is the ledger's own ([`crate::ledger::ops`]); these files turn the
//! options into those calls and print what was done. The exchange format (columns,
//! formula neutralisation, what import checks) is documented in [`crate::ledger::exchange`].
//!
//! Its files, each one concern:
//! - `mod.rs`: the options ([`LedgerOptions`]) and the dispatch ([`run`]);
//! - `export.rs`: `ledger export`, its formats, lists and filter, paged;
//! - `import.rs`: `ledger import` of a list, its summary and its bad rows;
//! - `show.rs`: what the ledger holds, read: `list`, `show`, `runs`, `prefixes`;
//! - `maintain.rs`: the ledger kept sound and safe: `check`, `backup`, `copy`;
//! - `change.rs`: what changes it: `edit`, `void`, `unlink`, `prefix remove`.

use std::io::Write;

use crate::isrc::{Isrc, Prefix};
use crate::ledger::ops::Voiding;
use crate::ledger::{Ledger, Location, MetadataEdit};
use crate::output::Exit;

mod change;
mod export;
mod import;
mod maintain;
mod show;

pub(crate) use export::{ExportFilter, ExportFormat, List};
pub(crate) use import::ImportRequest;

/// A `ledger` subcommand as asked: its ledger opened (for reading only where it only
/// reads) and its options, built once from the command line.
pub(crate) enum LedgerOptions {
    /// `ledger list`.
    List {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// Only the active codes with no audio.
        unbound: bool,
        /// JSON Lines.
        json: bool,
    },
    /// `ledger show ISRC`.
    Show {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// The code.
        isrc: Isrc,
        /// JSON.
        json: bool,
    },
    /// `ledger check`.
    Check {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// JSON Lines.
        json: bool,
    },
    /// `ledger check --metadata`.
    CheckMetadata {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// JSON Lines.
        json: bool,
        /// No summary on stderr.
        quiet: bool,
    },
    /// `ledger backup FILE`.
    Backup {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// The copy to write.
        file: std::path::PathBuf,
        /// Nothing said.
        quiet: bool,
    },
    /// `ledger edit ISRC`.
    Edit {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// The code.
        isrc: Isrc,
        /// What changes.
        edit: MetadataEdit,
        /// Who the event names.
        user: String,
        /// JSON.
        json: bool,
    },
    /// `ledger export`.
    Export {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// CSV or JSON Lines.
        format: ExportFormat,
        /// The full list or the code list.
        list: List,
        /// The codes it is limited to.
        filter: ExportFilter,
        /// Where (stdout when absent).
        output: Option<std::path::PathBuf>,
        /// Nothing said.
        quiet: bool,
    },
    /// `ledger import FILE` of a list.
    Import {
        /// The ledger's location (created by an import that succeeds).
        location: Location,
        /// The file and how it is read.
        request: ImportRequest,
        /// JSON Lines.
        json: bool,
        /// No notes.
        quiet: bool,
    },
    /// `ledger import DDPDIR|FILE.cue`: a carrier made elsewhere.
    ImportCarrier {
        /// The ledger's location.
        location: Location,
        /// The image's folder or the CUE sheet.
        file: std::path::PathBuf,
        /// Who adopts, when, and whether the ledger's text is corrected.
        adopter: crate::carrier::adopt::Adopter,
        /// JSON Lines.
        json: bool,
        /// No notes.
        quiet: bool,
    },
    /// `ledger copy --to LOCATION`.
    Copy {
        /// The ledger in use.
        ledger: Box<dyn Ledger>,
        /// Its location.
        from: Location,
        /// The target's.
        to: Location,
        /// JSON.
        json: bool,
    },
    /// `ledger void`.
    Void {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// The codes.
        which: Voiding,
        /// Why.
        reason: String,
        /// Who the events name.
        user: String,
        /// JSON Lines.
        json: bool,
    },
    /// `ledger runs`.
    Runs {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// How many of the last runs.
        last: usize,
        /// JSON Lines.
        json: bool,
    },
    /// `ledger unlink PATH|AUDIO_ID`.
    Unlink {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// The file or the audio id.
        target: std::path::PathBuf,
        /// Why.
        reason: String,
        /// Who the event names.
        user: String,
        /// ` --ledger LOCATION` as the user gave it, for the commands suggested.
        ledger_arg: String,
        /// JSON.
        json: bool,
    },
    /// `ledger prefixes`.
    Prefixes {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// JSON Lines.
        json: bool,
    },
    /// `ledger prefix remove CC-XXX`.
    RemovePrefix {
        /// The ledger.
        ledger: Box<dyn Ledger>,
        /// The prefix.
        prefix: Prefix,
    },
}

/// Runs a `ledger` subcommand as asked.
pub(crate) fn run(options: LedgerOptions, out: &mut dyn Write) -> anyhow::Result<Exit> {
    use LedgerOptions as O;
    match options {
        O::List { mut ledger, unbound, json } => show::list(ledger.as_mut(), unbound, json, out),
        O::Show { mut ledger, isrc, json } => show::show(ledger.as_mut(), isrc, json, out),
        O::Check { mut ledger, json } => maintain::check(ledger.as_mut(), json, out),
        O::CheckMetadata { mut ledger, json, quiet } => maintain::check_metadata(ledger.as_mut(), json, quiet, out),
        O::Backup { mut ledger, file, quiet } => maintain::backup(ledger.as_mut(), &file, quiet, out),
        O::Edit { mut ledger, isrc, edit: asked, user, json } => {
            change::edit(ledger.as_mut(), isrc, &asked, &user, json, out)
        }
        O::Export { mut ledger, format, list, filter, output, quiet } => {
            export::export(ledger.as_mut(), format, list, &filter, output.as_deref(), quiet, out)
        }
        O::Import { location, request, json, quiet } => import::import(&location, &request, json, quiet, out),
        O::ImportCarrier { location, file, adopter, json, quiet } => {
            super::ddp::import(&location, &file, &adopter, json, quiet, out)
        }
        O::Copy { mut ledger, from, to, json } => maintain::copy(ledger.as_mut(), &from, &to, json, out),
        O::Void { mut ledger, which, reason, user, json } => {
            change::void(ledger.as_mut(), &which, &reason, &user, json, out)
        }
        O::Runs { mut ledger, last, json } => show::runs(ledger.as_mut(), last, json, out),
        O::Unlink { mut ledger, target, reason, user, ledger_arg, json } => {
            change::unlink(ledger.as_mut(), &target, &reason, &user, &ledger_arg, json, out)
        }
        O::Prefixes { mut ledger, json } => show::prefixes(ledger.as_mut(), json, out),
        O::RemovePrefix { mut ledger, prefix } => change::remove_prefix(ledger.as_mut(), prefix, out),
    }
}
