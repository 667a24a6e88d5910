//! What a disc is to hold ([`DiscPlan`]), where everything lands on it ([`Layout`]), and
//! the Red Book rules a plan must keep before an image is written ([`DiscPlan::check`]).
//!
//! All of it is arithmetic on the plan, with no files, so it is tested on its own and
//! the PQ sheet can be printed before any audio is read.

use super::cdtext::{CdText, encode_cdtext};
use super::{DEFAULT_PREGAP, MAX_TRACKS, MSF_LIMIT, Msf, SAMPLES_PER_SECTOR, SECTORS_PER_SECOND};
use crate::carrier::{Problem, ProblemId};
use crate::isrc::{Catalog, Isrc};

/// The Red Book's sample rate.
const CD_SAMPLE_RATE: u32 = 44_100;
/// The shortest track the Red Book allows, in seconds.
const MIN_TRACK_SECONDS: u64 = 4;

/// Facts about one track's audio stream, as its decoder reports them: what the Red Book
/// check looks at. The writer is then given the samples themselves, as 16-bit
/// little-endian stereo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackStream {
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// Bits per sample.
    pub bits_per_sample: u16,
    /// Channels.
    pub channels: u16,
    /// Samples per channel (a stereo pair counts once).
    pub sample_frames: u64,
}

impl TrackStream {
    /// A CD-ready stream (44.1 kHz, 16-bit, stereo) of `sample_frames` samples per channel.
    pub fn cd(sample_frames: u64) -> TrackStream {
        TrackStream { sample_rate: CD_SAMPLE_RATE, bits_per_sample: 16, channels: 2, sample_frames }
    }

    /// Bytes of 16-bit stereo PCM the writer reads for this track (saturating).
    pub fn pcm_bytes(&self) -> u64 {
        self.sample_frames.saturating_mul(4)
    }

    /// Whole sectors the audio fills, the last one padded with silence.
    pub fn sectors(&self) -> u64 {
        self.sample_frames.div_ceil(SAMPLES_PER_SECTOR)
    }
}

/// One track of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackPlan {
    /// The track's audio stream.
    pub audio: TrackStream,
    /// The track's ISRC, written to its first PQ entry.
    pub isrc: Option<Isrc>,
    /// CD-Text title.
    pub title: Option<String>,
    /// CD-Text performer.
    pub performer: Option<String>,
    /// Sectors of silence before the track's INDEX 01, INDEX 00 at their start; `None`
    /// for the default 2 s ([`DEFAULT_PREGAP`]). For track 1 this is the pause at the
    /// start of the disc, at least 2 s; for a later track 0 means no gap and no INDEX 00.
    pub pregap: Option<u64>,
}

impl TrackPlan {
    /// A track of this audio, without codes or text, with the default gap.
    pub fn new(audio: TrackStream) -> TrackPlan {
        TrackPlan { audio, isrc: None, title: None, performer: None, pregap: None }
    }

    /// The gap before this track, in sectors.
    pub fn pregap_sectors(&self) -> u64 {
        self.pregap.unwrap_or(DEFAULT_PREGAP)
    }
}

/// A disc: its codes and text, and its tracks in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscPlan {
    /// The release's UPC/EAN, written to `DDPID` and the PQ lead-in entry.
    pub catalog: Option<Catalog>,
    /// CD-Text album title.
    pub title: Option<String>,
    /// CD-Text album performer.
    pub performer: Option<String>,
    /// Master id for `DDPID`: printable ASCII, at most 48 characters; blank if `None`.
    pub master_id: Option<String>,
    /// The tracks, numbered from 1 in this order.
    pub tracks: Vec<TrackPlan>,
}

/// Limits a plan is checked against beyond the fixed Red Book rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The latest lead-out allowed, in sectors from the start of the disc (the 2 s pause
    /// and all gaps included). By default 79:57:00, what a standard 80-minute blank and
    /// most plants take; never more than 99:59:74, the last time the PQ data can state.
    pub max_lead_out: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_lead_out: (79 * 60 + 57) * SECTORS_PER_SECOND }
    }
}

/// Where one track lands on the disc, in sectors from the start of the disc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackLayout {
    /// Track number, from 1.
    pub number: u8,
    /// INDEX 00, the start of the gap; `None` when the track has no gap.
    pub index0: Option<u64>,
    /// INDEX 01, the start of the track's audio.
    pub index1: u64,
    /// Sectors of audio from INDEX 01, the last one padded with silence.
    pub length: u64,
    /// Sectors of gap before INDEX 01.
    pub pregap: u64,
}

impl TrackLayout {
    /// The first sector after the track's audio: the next track's INDEX 00 or INDEX 01,
    /// or the lead-out.
    pub fn end(&self) -> u64 {
        self.index1.saturating_add(self.length)
    }
}

/// Where everything of a plan lands on the disc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The tracks, in order.
    pub tracks: Vec<TrackLayout>,
    /// The lead-out, which is also the number of sectors in `IMAGE.DAT` (it starts at
    /// sector 0, the start of the pause).
    pub lead_out: u64,
}

impl Layout {
    /// Playing time: from track 1's INDEX 01 to the lead-out, in sectors.
    pub fn playing_time(&self) -> u64 {
        self.lead_out.saturating_sub(self.tracks.first().map_or(0, |t| t.index1))
    }
}

impl DiscPlan {
    /// Where every track lands. Pure arithmetic, saturating on absurd input (which
    /// [`DiscPlan::check`] refuses).
    pub fn layout(&self) -> Layout {
        let mut position = 0u64;
        let mut tracks = Vec::with_capacity(self.tracks.len());
        for (i, track) in self.tracks.iter().enumerate() {
            let pregap = track.pregap_sectors();
            let index0 = (pregap > 0).then_some(position);
            position = position.saturating_add(pregap);
            let length = track.audio.sectors();
            let number = u8::try_from(i + 1).unwrap_or(u8::MAX);
            tracks.push(TrackLayout { number, index0, index1: position, length, pregap });
            position = position.saturating_add(length);
        }
        Layout { tracks, lead_out: position }
    }

    /// The plan's CD-Text: album text as track 0, blank values left out; with the
    /// UPC/EAN (as track 0) and each track's ISRC in pack type 0x8E when there is any
    /// title or performer. Without a title or performer it is empty, and no CD-Text is
    /// written: a player would show nothing. The codes are in the PQ data in any case,
    /// so when they do not fit in one block beside the names, they are left out of the
    /// CD-Text ([`DiscPlan::cdtext_codes_left_out`]) rather than the names.
    pub fn cdtext(&self) -> CdText {
        let names = self.cdtext_names();
        if names.has_no_names() {
            return names;
        }
        let mut text = names.clone();
        if let Some(catalog) = self.catalog {
            text.codes.insert(0, catalog.as_str().to_owned());
        }
        for (i, track) in self.tracks.iter().enumerate() {
            if let (Ok(number), Some(isrc)) = (u8::try_from(i + 1), track.isrc) {
                text.codes.insert(number, isrc.as_str().to_owned());
            }
        }
        let last_track = u8::try_from(self.tracks.len()).unwrap_or(u8::MAX);
        let too_large = |text: &CdText| {
            encode_cdtext(text, last_track)
                .is_err_and(|problems| problems.iter().any(|p| p.id == ProblemId::CdtextSize))
        };
        if !text.codes.is_empty() && too_large(&text) && !too_large(&names) { names } else { text }
    }

    /// Whether the UPC/EAN and ISRCs were left out of the CD-Text for lack of room.
    pub fn cdtext_codes_left_out(&self) -> bool {
        let has_codes = self.catalog.is_some() || self.tracks.iter().any(|t| t.isrc.is_some());
        let text = self.cdtext();
        has_codes && !text.has_no_names() && text.codes.is_empty()
    }

    /// The titles and performers of the CD-Text, blank values left out.
    fn cdtext_names(&self) -> CdText {
        let mut text = CdText::default();
        let mut add = |track: usize, title: &Option<String>, performer: &Option<String>| {
            let Ok(track) = u8::try_from(track) else { return };
            if let Some(title) = title.as_deref().filter(|t| !t.trim().is_empty()) {
                text.titles.insert(track, title.to_owned());
            }
            if let Some(performer) = performer.as_deref().filter(|p| !p.trim().is_empty()) {
                text.performers.insert(track, performer.to_owned());
            }
        };
        add(0, &self.title, &self.performer);
        for (i, track) in self.tracks.iter().enumerate() {
            add(i + 1, &track.title, &track.performer);
        }
        text
    }

    /// Every Red Book rule and DDP field limit the plan breaks; empty if it can be
    /// written. Nothing is resampled or converted: a stream that is not 44.1 kHz,
    /// 16-bit stereo is refused, to be fixed in mastering.
    pub fn check(&self, limits: &Limits) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.tracks.is_empty() {
            problems.push(Problem::new(ProblemId::RedbookTrackCount, "the disc has no tracks"));
        }
        if self.tracks.len() > MAX_TRACKS {
            problems.push(Problem::new(
                ProblemId::RedbookTrackCount,
                format!("the disc has {} tracks; a CD holds at most {MAX_TRACKS}", self.tracks.len()),
            ));
        }
        for (i, track) in self.tracks.iter().enumerate() {
            check_track(i + 1, track, &mut problems);
        }
        if let Some(first) = self.tracks.first()
            && first.pregap_sectors() < DEFAULT_PREGAP
        {
            problems.push(Problem::new(
                ProblemId::RedbookPregap,
                format!(
                    "the pause before track 1 is {}; the Red Book asks for at least 00:02:00",
                    Msf::from_sectors(first.pregap_sectors())
                ),
            ));
        }
        let layout = self.layout();
        let max = limits.max_lead_out.min(MSF_LIMIT - 1);
        if layout.lead_out > max {
            problems.push(Problem::new(
                ProblemId::RedbookTotalLength,
                format!(
                    "the disc runs to {} (lead-out, the 2 s pause and gaps included), past the limit of {}; \
                     shorten the programme or give a larger limit (at most 99:59:74)",
                    Msf::from_sectors(layout.lead_out),
                    Msf::from_sectors(max)
                ),
            ));
        }
        if let Some(master_id) = &self.master_id
            && (master_id.chars().count() > 48 || !master_id.chars().all(|c| c.is_ascii_graphic() || c == ' '))
        {
            problems.push(Problem::new(
                ProblemId::DdpMasterId,
                format!("the master id {master_id:?} is not at most 48 printable ASCII characters"),
            ));
        }
        let last_track = u8::try_from(self.tracks.len()).unwrap_or(u8::MAX);
        if let Err(text_problems) = encode_cdtext(&self.cdtext(), last_track) {
            problems.extend(text_problems);
        }
        problems
    }
}

/// The Red Book rules for one track's stream.
fn check_track(number: usize, track: &TrackPlan, problems: &mut Vec<Problem>) {
    let audio = track.audio;
    let n = u8::try_from(number).unwrap_or(u8::MAX);
    if audio.sample_rate != CD_SAMPLE_RATE {
        problems.push(Problem::for_track(
            ProblemId::RedbookSampleRate,
            n,
            format!(
                "track {number} is {} Hz; a CD is 44100 Hz. Resample it in mastering: isrc-stamp never resamples",
                audio.sample_rate
            ),
        ));
    }
    if audio.bits_per_sample != 16 {
        problems.push(Problem::for_track(
            ProblemId::RedbookBitDepth,
            n,
            format!(
                "track {number} is {}-bit; a CD is 16-bit. Dither it down in mastering: isrc-stamp never converts",
                audio.bits_per_sample
            ),
        ));
    }
    if audio.channels != 2 {
        problems.push(Problem::for_track(
            ProblemId::RedbookChannels,
            n,
            format!("track {number} has {} channel(s); a CD is stereo (2)", audio.channels),
        ));
    }
    let rate = u64::from(audio.sample_rate);
    if rate > 0 && audio.sample_frames < MIN_TRACK_SECONDS * rate {
        problems.push(Problem::for_track(
            ProblemId::RedbookTrackLength,
            n,
            format!(
                "track {number} lasts {:.2} s; a CD track lasts at least {MIN_TRACK_SECONDS} s",
                audio.sample_frames as f64 / rate as f64
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CD-ready track of `seconds` seconds and `extra` samples.
    fn track(seconds: u64, extra: u64) -> TrackPlan {
        TrackPlan::new(TrackStream::cd(seconds * 44_100 + extra))
    }

    fn ids(problems: &[Problem]) -> Vec<ProblemId> {
        problems.iter().map(|p| p.id).collect()
    }

    #[test]
    fn the_first_track_starts_after_the_2_second_pause() {
        let plan = DiscPlan { tracks: vec![track(10, 0)], ..DiscPlan::default() };
        let layout = plan.layout();
        let first = layout.tracks[0];
        assert_eq!((first.number, first.index0, first.index1, first.pregap), (1, Some(0), 150, 150));
        assert_eq!(first.length, 750);
        assert_eq!(layout.lead_out, 900);
        assert_eq!(Msf::from_sectors(layout.lead_out).to_string(), "00:12:00");
        assert_eq!(layout.playing_time(), 750);
    }

    #[test]
    fn later_tracks_get_their_gaps_and_every_track_is_padded_to_a_sector() {
        let mut second = track(5, 1); // one sample into a new sector
        second.pregap = Some(0);
        let mut third = track(4, 587);
        third.pregap = Some(75);
        let plan = DiscPlan { tracks: vec![track(4, 588), second, third, track(6, 0)], ..DiscPlan::default() };
        let layout = plan.layout();
        let starts: Vec<_> = layout.tracks.iter().map(|t| (t.index0, t.index1, t.length)).collect();
        assert_eq!(
            starts,
            [
                (Some(0), 150, 301),     // 4 s and one whole sector more
                (None, 451, 376),        // no gap: starts where track 1 ends
                (Some(827), 902, 301),   // 1 s gap; 4 s and 587 samples: 301 sectors
                (Some(1203), 1353, 450), // the default 2 s gap
            ]
        );
        assert_eq!(layout.lead_out, 1803);
        assert_eq!(layout.tracks[1].end(), layout.tracks[2].index0.unwrap());
        assert!(plan.check(&Limits::default()).is_empty(), "{:?}", plan.check(&Limits::default()));
    }

    #[test]
    fn streams_that_are_not_red_book_are_refused_with_every_reason() {
        let hi_res = TrackPlan::new(TrackStream {
            sample_rate: 96_000,
            bits_per_sample: 24,
            channels: 2,
            sample_frames: 96_000 * 60,
        });
        let mono = TrackPlan::new(TrackStream { channels: 1, ..TrackStream::cd(44_100 * 60) });
        let short = track(3, 0);
        let plan = DiscPlan { tracks: vec![hi_res, mono, short, track(4, 0)], ..DiscPlan::default() };
        let problems = plan.check(&Limits::default());
        assert_eq!(
            ids(&problems),
            [
                ProblemId::RedbookSampleRate,
                ProblemId::RedbookBitDepth,
                ProblemId::RedbookChannels,
                ProblemId::RedbookTrackLength
            ],
            "{problems:?}"
        );
        assert!(problems[0].message.contains("track 1 is 96000 Hz") && problems[0].message.contains("never resamples"));
        assert!(problems[1].message.contains("24-bit"));
        assert!(problems[2].message.contains("track 2 has 1 channel"));
        assert!(problems[3].message.contains("track 3 lasts 3.00 s"), "{}", problems[3].message);
        let just_short = DiscPlan { tracks: vec![track(3, 44_099)], ..DiscPlan::default() };
        assert_eq!(ids(&just_short.check(&Limits::default())), [ProblemId::RedbookTrackLength]);
    }

    #[test]
    fn track_count_total_length_and_pause_are_limited() {
        assert_eq!(ids(&DiscPlan::default().check(&Limits::default())), [ProblemId::RedbookTrackCount]);
        let many = DiscPlan { tracks: vec![track(4, 0); 100], ..DiscPlan::default() };
        assert_eq!(ids(&many.check(&Limits::default())), [ProblemId::RedbookTrackCount]);
        let full = DiscPlan { tracks: vec![track(4, 0); 99], ..DiscPlan::default() };
        assert!(full.check(&Limits::default()).is_empty());

        // 79:55 of audio plus the 2 s pause ends exactly at 79:57:00.
        let exact = DiscPlan { tracks: vec![track(79 * 60 + 55, 0)], ..DiscPlan::default() };
        assert_eq!(exact.layout().lead_out, Limits::default().max_lead_out);
        assert!(exact.check(&Limits::default()).is_empty());
        let over = DiscPlan { tracks: vec![track(79 * 60 + 55, 1)], ..DiscPlan::default() };
        let problems = over.check(&Limits::default());
        assert_eq!(ids(&problems), [ProblemId::RedbookTotalLength]);
        assert!(problems[0].message.contains("79:57:01") && problems[0].message.contains("79:57:00"), "{problems:?}");
        assert!(over.check(&Limits { max_lead_out: 90 * 60 * 75 }).is_empty(), "a larger limit");
        let huge = DiscPlan { tracks: vec![track(100 * 60, 0)], ..DiscPlan::default() };
        let problems = huge.check(&Limits { max_lead_out: u64::MAX });
        assert!(problems[0].message.contains("99:59:74"), "the PQ time limit holds: {problems:?}");

        let mut no_pause = track(10, 0);
        no_pause.pregap = Some(149);
        let plan = DiscPlan { tracks: vec![no_pause], ..DiscPlan::default() };
        assert_eq!(ids(&plan.check(&Limits::default())), [ProblemId::RedbookPregap]);
    }

    #[test]
    fn absurd_plans_saturate_instead_of_overflowing() {
        let mut absurd = TrackPlan::new(TrackStream::cd(u64::MAX));
        absurd.pregap = Some(u64::MAX);
        let plan = DiscPlan { tracks: vec![absurd.clone(), absurd], ..DiscPlan::default() };
        assert_eq!(plan.layout().lead_out, u64::MAX);
        assert!(ids(&plan.check(&Limits::default())).contains(&ProblemId::RedbookTotalLength));
        let zero_rate = TrackPlan::new(TrackStream { sample_rate: 0, ..TrackStream::cd(0) });
        let plan = DiscPlan { tracks: vec![zero_rate], ..DiscPlan::default() };
        assert_eq!(ids(&plan.check(&Limits::default())), [ProblemId::RedbookSampleRate]);
    }

    #[test]
    fn master_ids_and_cdtext_are_checked() {
        let mut plan = DiscPlan { tracks: vec![track(10, 0)], master_id: Some("x".repeat(49)), ..DiscPlan::default() };
        assert_eq!(ids(&plan.check(&Limits::default())), [ProblemId::DdpMasterId]);
        plan.master_id = Some("x".repeat(48));
        assert!(plan.check(&Limits::default()).is_empty());
        plan.tracks[0].title = Some("\u{65e5}\u{672c}".into());
        assert_eq!(ids(&plan.check(&Limits::default())), [ProblemId::CdtextCharset]);
    }

    #[test]
    fn the_cdtext_carries_the_codes_beside_the_names_and_nothing_without_names() {
        let mut one = track(10, 0);
        one.isrc = Some(Isrc::parse("QZTST2600001").unwrap());
        let mut plan = DiscPlan {
            catalog: Some(Catalog::parse("4006381333931").unwrap()),
            tracks: vec![one, track(10, 0)],
            ..DiscPlan::default()
        };
        assert!(plan.cdtext().is_empty(), "no title or performer: no CD-Text at all");
        assert!(!plan.cdtext_codes_left_out());
        plan.title = Some("Castle Nights".into());
        let text = plan.cdtext();
        assert_eq!(
            text.codes.into_iter().collect::<Vec<_>>(),
            [(0, "4006381333931".into()), (1, "QZTST2600001".into())]
        );
        // 99 long titles and 99 codes do not fit one block: the codes give way.
        let mut long = DiscPlan { catalog: plan.catalog, ..DiscPlan::default() };
        for n in 1..=99u32 {
            let mut t = track(4, 0);
            t.title = Some(format!("Track {n:02} of the disc"));
            t.isrc = Some(Isrc::parse(&format!("QZTST26{n:05}")).unwrap());
            long.tracks.push(t);
        }
        assert!(long.cdtext().codes.is_empty() && long.cdtext_codes_left_out());
        assert!(long.check(&Limits::default()).is_empty(), "{:?}", long.check(&Limits::default()));
    }

    #[test]
    fn the_plans_cdtext_leaves_blank_values_out() {
        let mut one = track(10, 0);
        one.title = Some("First Light".into());
        one.performer = Some("  ".into());
        let plan =
            DiscPlan { title: Some("Fixture Harbour".into()), tracks: vec![one, track(10, 0)], ..DiscPlan::default() };
        let text = plan.cdtext();
        assert_eq!(
            text.titles.into_iter().collect::<Vec<_>>(),
            [(0, "Fixture Harbour".into()), (1, "First Light".into())]
        );
        assert!(text.performers.is_empty());
    }
}
