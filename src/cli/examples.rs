//! The examples every subcommand's `--help` ends with: real command lines, each
//! parsed by a test (`every_example_in_the_help_parses`), so none goes stale.

/// `check`.
pub(super) const CHECK: &str = "\
Examples:
  isrc-stamp check US-PR3-26-00001
  isrc-stamp check --json usPR32600001 GBAYE0601498";

/// `init`.
pub(super) const INIT: &str = "\
Examples:
  isrc-stamp init --prefix US-PR3
  isrc-stamp init --prefix US-PR3 --range 50000-99999
  isrc-stamp --ledger house.sqlite3 init --prefix GB-XYZ --add";

/// `assign`.
pub(super) const ASSIGN: &str = "\
Examples:
  isrc-stamp assign --dry-run masters/
  isrc-stamp assign masters/ mp3/ cd/
  isrc-stamp assign --accept encodes,edits delivery/
  isrc-stamp assign --same-recording-as US-PR3-26-00001 vinyl-transfer.wav
  isrc-stamp assign --new-version-of US-PR3-26-00001 --as edit radio-edit.wav
  isrc-stamp assign --fix --same-recording-as US-PR3-26-00001 --void-unused wrongly-new.wav";

/// `ledger`.
pub(super) const LEDGER: &str = "\
Examples:
  isrc-stamp ledger list
  isrc-stamp ledger show US-PR3-26-00001
  isrc-stamp ledger export --recordings --output codes.csv
  isrc-stamp ledger export --recordings --release 4006381333931 --output cat-042.csv
  isrc-stamp ledger export --recordings --prefix US-PR3 --since 2026-01-01";

/// `ledger list`.
pub(super) const LEDGER_LIST: &str = "\
Examples:
  isrc-stamp ledger list
  isrc-stamp ledger list --unbound
  isrc-stamp --json ledger list";

/// `ledger show`.
pub(super) const LEDGER_SHOW: &str = "\
Examples:
  isrc-stamp ledger show US-PR3-26-00001
  isrc-stamp --json ledger show USPR32600001";

/// `ledger edit`.
pub(super) const LEDGER_EDIT: &str = "\
Examples:
  isrc-stamp ledger edit US-PR3-26-00001 --title Lullaby --artist Ensemble
  isrc-stamp ledger edit US-PR3-26-00002 --version 2024-Remaster
  isrc-stamp ledger edit US-PR3-26-00001 --p-date 2026-03-20 --p-line-year 2026 --p-line-owner Harbour
  isrc-stamp ledger edit US-PR3-26-00003 --content-type video --parental-warning explicit";

/// `ledger export`.
pub(super) const LEDGER_EXPORT: &str = "\
Examples:
  isrc-stamp ledger export --output ledger.csv
  isrc-stamp ledger export --format json --output ledger.jsonl
  isrc-stamp ledger export --recordings --output codes.csv
  isrc-stamp ledger export --recordings --release 4006381333931 --output cat-042.csv
  isrc-stamp ledger export --recordings --prefix US-PR3 --since 2026-01-01";

/// `ledger import`.
pub(super) const LEDGER_IMPORT: &str = "\
Examples:
  isrc-stamp ledger import --foreign distributor.csv
  isrc-stamp ledger import --foreign --columns Song=title --ignore Royalties sheet.csv
  isrc-stamp ledger import --foreign --update corrected.csv
  isrc-stamp --ledger new.sqlite3 ledger import --foreign ledger.jsonl
  isrc-stamp ledger import client-ddp/
  isrc-stamp ledger import rip/album.cue";

/// `ledger check`.
pub(super) const LEDGER_CHECK: &str = "\
Examples:
  isrc-stamp ledger check
  isrc-stamp --json ledger check
  isrc-stamp ledger check --metadata";

/// `ledger backup`.
pub(super) const LEDGER_BACKUP: &str = "\
Examples:
  isrc-stamp ledger backup /backups/ledger-2026-12-02.sqlite3
  isrc-stamp --ledger postgresql://room@db/ledger ledger backup house.sqlite3";

/// `ledger copy`.
pub(super) const LEDGER_COPY: &str = "\
Examples:
  isrc-stamp ledger copy --to postgresql://room@db.example/ledger
  isrc-stamp --ledger postgresql://room@db/ledger ledger copy --to local.sqlite3";

/// `ledger void`.
pub(super) const LEDGER_VOID: &str = "\
Examples:
  isrc-stamp ledger void US-PR3-26-00007 --reason duplicate-of-00003
  isrc-stamp ledger void US-PR3-26-00008 US-PR3-26-00009 --reason wrong-client
  isrc-stamp ledger void --run 12 --reason wrong-folder";

/// `ledger runs`.
pub(super) const LEDGER_RUNS: &str = "\
Examples:
  isrc-stamp ledger runs
  isrc-stamp --json ledger runs --last 5";

/// `untag`.
pub(super) const UNTAG: &str = "\
Examples:
  isrc-stamp untag --dry-run wrong-folder/
  isrc-stamp untag wrong-folder/";

/// `ledger unlink`.
pub(super) const LEDGER_UNLINK: &str = "\
Examples:
  isrc-stamp ledger unlink masters/03.wav --reason wrong-take
  isrc-stamp assign --fix masters/03.wav";

/// `ledger prefixes`.
pub(super) const LEDGER_PREFIXES: &str = "\
Examples:
  isrc-stamp ledger prefixes
  isrc-stamp --json ledger prefixes";

/// `ledger prefix`.
pub(super) const LEDGER_PREFIX: &str = "\
Examples:
  isrc-stamp ledger prefix remove GB-XYZ";

/// `verify`.
pub(super) const VERIFY: &str = "\
Examples:
  isrc-stamp verify masters/
  isrc-stamp verify --carrier cd --max-total 74:00 cd/
  isrc-stamp verify image/ --masters cd/";

/// `dupes`.
pub(super) const DUPES: &str = "\
Examples:
  isrc-stamp dupes masters/ mp3/
  isrc-stamp --json dupes archive/";

/// `inspect`.
pub(super) const INSPECT: &str = "\
Examples:
  isrc-stamp inspect masters/01.wav
  isrc-stamp --json inspect mp3/";

/// `cue`.
pub(super) const CUE: &str = "\
Examples:
  isrc-stamp cue cd/ --output cd/album.cue
  isrc-stamp cue cd/ --order cd/order.txt --catalog 0123456789012 --output album.cue
  isrc-stamp cue cd/ --release 4050538793819 --output album.cue
  isrc-stamp cue cd/ --allow-missing --gap 0";

/// `ddp`.
pub(super) const DDP: &str = "\
Examples:
  isrc-stamp ddp write cd/ --output image/
  isrc-stamp ddp write cd/ --release 4050538793819 --output image/
  isrc-stamp ddp write cd/ --order cd/order.txt --catalog 0123456789012 --gap 0 --output image/";

/// `pq`.
pub(super) const PQ: &str = "\
Examples:
  isrc-stamp pq image/ --output pq.html
  isrc-stamp pq cd/ --release 4050538793819 --output pq.html
  isrc-stamp pq cd/ --gaps gaps.txt --output pq.html";

/// `completions`.
pub(super) const COMPLETIONS: &str = "\
Examples:
  isrc-stamp completions bash
  isrc-stamp completions zsh
  isrc-stamp completions fish";

/// `man`.
pub(super) const MAN: &str = "\
Examples:
  isrc-stamp man
  isrc-stamp man --output isrc-stamp.1";

/// `release`.
pub(super) const RELEASE: &str = "\
Examples:
  isrc-stamp release add 4006381333931 --title Harbour --artist Lumen --date 2026-03-20 cd/
  isrc-stamp release list
  isrc-stamp release export 4006381333931 --output cat-042.csv";

/// `release add`.
pub(super) const RELEASE_ADD: &str = "\
Examples:
  isrc-stamp release add 4006381333931 --title Harbour --artist Lumen cd/
  isrc-stamp release add 036000291452 --title Harbour --artist Lumen --label Harbour --date 2026-03-20 cd/
  isrc-stamp release add 5901234123457 --title Best-Of --artist Various --order best-of.txt masters/";

/// `release list`.
pub(super) const RELEASE_LIST: &str = "\
Examples:
  isrc-stamp release list
  isrc-stamp --json release list";

/// `release show`.
pub(super) const RELEASE_SHOW: &str = "\
Examples:
  isrc-stamp release show 4006381333931
  isrc-stamp --json release show 036000291452";

/// `release edit`.
pub(super) const RELEASE_EDIT: &str = "\
Examples:
  isrc-stamp release edit 4006381333931 --label Harbour --date 2026-03-20
  isrc-stamp release edit 4006381333931 --order cd/order.txt cd/";

/// `release remove`.
pub(super) const RELEASE_REMOVE: &str = "\
Examples:
  isrc-stamp release remove 4006381333931";

/// `release export`.
pub(super) const RELEASE_EXPORT: &str = "\
Examples:
  isrc-stamp release export 4006381333931 --output cat-042.csv
  isrc-stamp release export 4006381333931 --format json
  isrc-stamp release export 4006381333931 --format ern --sender PADPIDA2014021302H --sender-name Harbour --recipient PADPIDA2024072201A --recipient-name Distributor --genre Pop --output cat-042.xml";
