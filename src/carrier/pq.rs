//! The PQ sheet: the printed page a pressing plant checks a DDP image against. One
//! self-contained HTML document (inline CSS, no scripts, no external files) that prints
//! on one A4 or Letter page for a usual album, and continues with the table header
//! repeated for a long one.
//!
//! It shows the disc (title, performer, UPC/EAN, playing time, lead-out, the MD5 of the
//! image, the date, the registrant) and one row per track: number, INDEX 00 and INDEX 01
//! as absolute times `MM:SS:FF` (75 frames a second, the 2 s pause before track 1
//! counted, as on the disc), length, pre-gap, ISRC in its display form, title,
//! performer. Every text is HTML-escaped (with `html-escape`'s `encode_safe`, which is
//! safe in text and attribute positions alike).
//!
//! [`PqSheet::to_html`] is a pure function of the sheet: the caller supplies the date,
//! so the same sheet always gives the same bytes.

use std::fmt::Write as _;

use html_escape::encode_safe;

use super::ddp::{DdpImage, DiscPlan, Layout, Msf};
use crate::isrc::{Catalog, Isrc};

/// The paper the sheet is laid out for (the `@page` size). The layout fits both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Paper {
    /// ISO A4, 210 x 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 x 11 in.
    Letter,
}

/// One track's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PqSheetTrack {
    /// Track number.
    pub number: u8,
    /// INDEX 00 in sectors from the start of the disc, when the track has a gap.
    pub index0: Option<u64>,
    /// INDEX 01 in sectors from the start of the disc.
    pub index1: u64,
    /// Sectors from INDEX 01 to the next track's first index or the lead-out.
    pub length: u64,
    /// Sectors of gap before INDEX 01.
    pub pregap: u64,
    /// The track's ISRC.
    pub isrc: Option<Isrc>,
    /// Title.
    pub title: Option<String>,
    /// Performer.
    pub performer: Option<String>,
}

/// Everything a PQ sheet shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PqSheet {
    /// Album title.
    pub title: Option<String>,
    /// Album performer.
    pub performer: Option<String>,
    /// The release's UPC/EAN.
    pub catalog: Option<Catalog>,
    /// The tracks, in order.
    pub tracks: Vec<PqSheetTrack>,
    /// The lead-out, in sectors from the start of the disc.
    pub lead_out: u64,
    /// The MD5 of the image's audio file.
    pub image_md5: Option<String>,
    /// The date the sheet is for, as the caller wants it shown (like `2026-05-04`).
    pub date: String,
    /// Who registered the codes, or the label delivering the master.
    pub registrant: Option<String>,
    /// The paper to lay the sheet out for.
    pub paper: Paper,
}

impl PqSheet {
    /// The sheet of a plan laid out as `layout`; the image MD5, date and registrant are
    /// left for the caller to fill in.
    pub fn from_plan(plan: &DiscPlan, layout: &Layout) -> PqSheet {
        let tracks = plan
            .tracks
            .iter()
            .zip(&layout.tracks)
            .map(|(track, placed)| PqSheetTrack {
                number: placed.number,
                index0: placed.index0,
                index1: placed.index1,
                length: placed.length,
                pregap: placed.pregap,
                isrc: track.isrc,
                title: track.title.clone(),
                performer: track.performer.clone(),
            })
            .collect();
        PqSheet {
            title: plan.title.clone(),
            performer: plan.performer.clone(),
            catalog: plan.catalog,
            tracks,
            lead_out: layout.lead_out,
            image_md5: None,
            date: String::new(),
            registrant: None,
            paper: Paper::default(),
        }
    }

    /// The sheet of an image read back, text from its CD-Text; the date and registrant
    /// are left for the caller to fill in.
    pub fn from_image(image: &DdpImage) -> PqSheet {
        let text = |map: fn(&super::ddp::CdText) -> &std::collections::BTreeMap<u8, String>, track: u8| {
            image.cdtext.as_ref().and_then(|t| map(t).get(&track).cloned())
        };
        let tracks = image
            .tracks
            .iter()
            .map(|track| PqSheetTrack {
                number: track.number,
                index0: track.index0,
                index1: track.index1,
                length: track.length(),
                pregap: track.pregap(),
                isrc: track.isrc,
                title: text(|t| &t.titles, track.number),
                performer: text(|t| &t.performers, track.number),
            })
            .collect();
        PqSheet {
            title: text(|t| &t.titles, 0),
            performer: text(|t| &t.performers, 0),
            catalog: image.catalog,
            tracks,
            lead_out: image.lead_out.unwrap_or(0),
            image_md5: image.image_md5.clone(),
            date: String::new(),
            registrant: None,
            paper: Paper::default(),
        }
    }

    /// Playing time: from track 1's INDEX 01 to the lead-out, in sectors.
    pub fn playing_time(&self) -> u64 {
        self.lead_out.saturating_sub(self.tracks.first().map_or(0, |t| t.index1))
    }

    /// The sheet as one self-contained HTML document.
    pub fn to_html(&self) -> String {
        let mut html = String::with_capacity(8 * 1024);
        let title = self.title.as_deref().unwrap_or("Untitled disc");
        let page = match self.paper {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        };
        html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        let _ = writeln!(html, "<title>PQ sheet: {}</title>", encode_safe(title));
        let _ = writeln!(html, "<style>\n@page {{ size: {page}; margin: 14mm 12mm; }}\n{STYLE}</style>");
        html.push_str("</head>\n<body>\n");
        let _ = writeln!(html, "<h1>PQ sheet: {}</h1>", encode_safe(title));

        html.push_str("<dl class=\"disc\">\n");
        let time = |sectors: u64| Msf::from_sectors(sectors).to_string();
        let facts: [(&str, Option<String>, bool); 9] = [
            ("Title", Some(title.to_owned()), false),
            ("Performer", self.performer.clone(), false),
            ("UPC/EAN", self.catalog.map(|c| c.to_string()), true),
            ("Tracks", Some(self.tracks.len().to_string()), false),
            ("Playing time", Some(time(self.playing_time())), true),
            ("Lead-out", Some(time(self.lead_out)), true),
            ("Image MD5", self.image_md5.clone(), true),
            ("Date", Some(self.date.clone()).filter(|d| !d.is_empty()), false),
            ("Registrant", self.registrant.clone(), false),
        ];
        for (label, value, code) in facts {
            let class = if code { " class=\"code\"" } else { "" };
            let value = value.filter(|v| !v.trim().is_empty()).unwrap_or_else(|| "\u{2014}".into());
            let _ = writeln!(html, "<dt>{label}</dt><dd{class}>{}</dd>", encode_safe(&value));
        }
        html.push_str("</dl>\n");

        html.push_str(
            "<table>\n<thead><tr><th class=\"num\">Track</th><th>Index 00</th><th>Index 01</th><th>Length</th>\
             <th>Pre-gap</th><th>ISRC</th><th>Title</th><th>Performer</th></tr></thead>\n<tbody>\n",
        );
        for track in &self.tracks {
            let text = |value: &Option<String>| encode_safe(value.as_deref().unwrap_or("")).into_owned();
            let _ = writeln!(
                html,
                "<tr><td class=\"num\">{:02}</td><td class=\"time\">{}</td><td class=\"time\">{}</td>\
                 <td class=\"time\">{}</td><td class=\"time\">{}</td><td class=\"code\">{}</td><td>{}</td><td>{}</td></tr>",
                track.number,
                track.index0.map_or_else(|| "\u{2014}".into(), time),
                time(track.index1),
                time(track.length),
                time(track.pregap),
                encode_safe(&track.isrc.map(|code| code.display_form()).unwrap_or_default()),
                text(&track.title),
                text(&track.performer),
            );
        }
        let _ = writeln!(
            html,
            "<tr class=\"lead-out\"><td class=\"num\">AA</td><td></td><td class=\"time\">{}</td>\
             <td colspan=\"5\">Lead-out</td></tr>",
            time(self.lead_out)
        );
        html.push_str("</tbody>\n</table>\n");
        html.push_str(
            "<footer>Times are absolute disc positions in minutes, seconds and frames (MM:SS:FF, 75 frames \
             a second), counting the 2-second pause before track 1 as the disc does. Length runs from a \
             track's INDEX 01 to the next track's first index or the lead-out.</footer>\n</body>\n</html>\n",
        );
        html
    }
}

/// The sheet's style sheet, after its `@page` rule: sized for the narrower page (A4) and
/// the shorter one (Letter) alike.
const STYLE: &str = "\
* { box-sizing: border-box; }
body { font: 9.5pt/1.35 \"Helvetica Neue\", Arial, \"Liberation Sans\", sans-serif; color: #000; background: #fff;
  margin: 0 auto; max-width: 186mm; padding: 4mm 0; }
h1 { font-size: 15pt; margin: 0 0 4mm; }
dl.disc { display: grid; grid-template-columns: max-content 1fr; gap: 0.8mm 6mm; margin: 0 0 5mm; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.25mm solid #555; padding: 0.8mm 1.4mm; text-align: left; vertical-align: top; }
th { background: #e8e8e8; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
td { overflow-wrap: anywhere; }
.time, .code { font-family: \"DejaVu Sans Mono\", Menlo, Consolas, monospace; font-size: 0.9em; white-space: nowrap; }
.num { text-align: right; }
tr.lead-out td { font-style: italic; }
footer { margin-top: 5mm; font-size: 8pt; color: #333; }
@media print { body { max-width: none; padding: 0; } }
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carrier::ddp::{TrackPlan, TrackStream};

    fn plan() -> DiscPlan {
        let track = |seconds: u64, isrc: &str, title: &str| TrackPlan {
            isrc: Some(Isrc::parse(isrc).unwrap()),
            title: Some(title.into()),
            performer: Some("Fixture Ensemble".into()),
            ..TrackPlan::new(TrackStream::cd(seconds * 44_100))
        };
        let mut second = track(200, "USPR37300013", "Harbour <Wall> & \"Pier\"");
        second.pregap = Some(75);
        DiscPlan {
            catalog: Some(Catalog::parse("4006381333931").unwrap()),
            title: Some("Fixture Harbour".into()),
            performer: Some("Fixture Ensemble".into()),
            master_id: None,
            tracks: vec![track(180, "USPR37300012", "First Light"), second],
        }
    }

    fn sheet() -> PqSheet {
        let plan = plan();
        let mut sheet = PqSheet::from_plan(&plan, &plan.layout());
        sheet.image_md5 = Some("0123456789abcdef0123456789abcdef".into());
        sheet.date = "2026-05-04".into();
        sheet.registrant = Some("Fixture Records".into());
        sheet
    }

    #[test]
    fn the_sheet_shows_the_disc_and_every_track() {
        let html = sheet().to_html();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("@page { size: A4;"), "A4 by default");
        for expected in [
            "<dd>Fixture Harbour</dd>",
            "<dd class=\"code\">4006381333931</dd>",
            "<dt>Playing time</dt><dd class=\"code\">06:21:00</dd>",
            "<dd class=\"code\">0123456789abcdef0123456789abcdef</dd>",
            "<dd>2026-05-04</dd>",
            "<dd>Fixture Records</dd>",
            // Track 1: INDEX 00 at the start, INDEX 01 after the 2 s pause, 3 minutes.
            "<td class=\"num\">01</td><td class=\"time\">00:00:00</td><td class=\"time\">00:02:00</td>\
             <td class=\"time\">03:00:00</td><td class=\"time\">00:02:00</td>\
             <td class=\"code\">ISRC US-PR3-73-00012</td><td>First Light</td><td>Fixture Ensemble</td>",
            // Track 2: a 1 s gap after track 1's end at 03:02:00.
            "<td class=\"num\">02</td><td class=\"time\">03:02:00</td><td class=\"time\">03:03:00</td>\
             <td class=\"time\">03:20:00</td><td class=\"time\">00:01:00</td>\
             <td class=\"code\">ISRC US-PR3-73-00013</td>",
            "<td class=\"num\">AA</td><td></td><td class=\"time\">06:23:00</td>",
        ] {
            assert!(html.contains(expected), "missing {expected:?} in\n{html}");
        }
    }

    #[test]
    fn all_text_is_escaped() {
        let mut sheet = sheet();
        sheet.title = Some("</title><script>alert('x')</script>".into());
        sheet.registrant = Some("A & B".into());
        let html = sheet.to_html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;&#x2F;title&gt;&lt;script&gt;alert(&#x27;x&#x27;)"), "{html}");
        assert!(html.contains("Harbour &lt;Wall&gt; &amp; &quot;Pier&quot;"));
        assert!(html.contains("<dd>A &amp; B</dd>"));
        assert_eq!(html.matches("<title>").count(), 1);
    }

    #[test]
    fn letter_paper_and_missing_values() {
        let mut sheet = sheet();
        sheet.paper = Paper::Letter;
        sheet.catalog = None;
        sheet.image_md5 = None;
        sheet.date = String::new();
        sheet.tracks[1].index0 = None;
        sheet.tracks[1].isrc = None;
        let html = sheet.to_html();
        assert!(html.contains("@page { size: letter;"));
        assert!(html.contains("<dt>UPC/EAN</dt><dd class=\"code\">\u{2014}</dd>"));
        assert!(html.contains("<dt>Date</dt><dd>\u{2014}</dd>"));
        assert!(html.contains("<td class=\"num\">02</td><td class=\"time\">\u{2014}</td>"));
        assert!(html.contains("<td class=\"code\"></td><td>Harbour"));
    }

    #[test]
    fn the_same_sheet_gives_the_same_bytes() {
        assert_eq!(sheet().to_html(), sheet().to_html());
    }
}
