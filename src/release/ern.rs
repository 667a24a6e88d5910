//! A release as a DDEX ERN 4.3 `NewReleaseMessage`, the XML a distributor takes: the
//! `MessageHeader` (sender and recipient by DDEX party id and name), a `PartyList` (the
//! artists and the label), a `ResourceList` with one `SoundRecording` per track (its ISRC
//! in `SoundRecordingEdition/ResourceId`, its (P) line there too, display title with the
//! version as a subtitle, display artist, ISO 8601 duration, date of first publication,
//! parental warning), and a `ReleaseList` with the main release (its ICPN, the UPC/EAN as
//! typed, title, artist, label, lines, genre, date, its tracks in a resource group, one
//! per disc when there are several) and one `TrackRelease` per track. A `DealList` (a
//! worldwide streaming and download deal from the release date) only when asked.
//!
//! Written with quick-xml, element by element in the schema's order, so the message
//! validates against the official schema (`release-notification.xsd` with its
//! `allowed-value-sets.xsd`). The `ddex-builder` crate was weighed and not taken: its
//! 0.4.5 writes ERN 3.8's shape (`ReferenceTitle`, the ISRC straight under
//! `SoundRecording`), which the 4.3 schema refuses, and it pulls in some forty crates
//! (a second quick-xml, chrono, tokio, regex, serde_yaml, toml, a command line of its
//! own) where this needs none.

use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::sheet::Sheet;
use crate::ledger::{ContentType, ParentalWarning};

/// The ERN namespace.
pub const NAMESPACE: &str = "http://ddex.net/xml/ern/43";

/// A party of the message header: its DDEX party id (`PADPIDA...`) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageParty {
    /// The DDEX party id.
    pub dpid: String,
    /// The name.
    pub name: String,
}

/// What the message needs beyond the release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErnOptions {
    /// Who sends it.
    pub sender: MessageParty,
    /// Who it is for.
    pub recipient: MessageParty,
    /// The message's id.
    pub message_id: String,
    /// When it was made, as an `xs:dateTime` (`2026-12-07T13:09:13Z`).
    pub created: String,
    /// The genre of the release and its tracks (the schema requires one).
    pub genre: String,
    /// The language and script of the message's text (`en`).
    pub language: String,
    /// A test message rather than a live one.
    pub test: bool,
    /// Add a `DealList`: worldwide, streaming and permanent download, from the release
    /// date (or the message's date).
    pub deals: bool,
}

/// Why a release cannot become a message.
#[derive(Debug, thiserror::Error)]
pub enum ErnError {
    /// The release lacks what the message must carry.
    #[error("release {upc} cannot be written as an ERN message:\n  {}", .problems.join("\n  "))]
    Incomplete {
        /// The release's UPC/EAN.
        upc: String,
        /// What is missing, one line each.
        problems: Vec<String>,
    },
    /// A party id that is not a DDEX party id.
    #[error("{0:?} is not a DDEX party id (DPID): it is PADPIDA followed by letters and digits")]
    PartyId(String),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Whether `text` is a DDEX party id.
pub fn is_dpid(text: &str) -> bool {
    text.strip_prefix("PADPIDA").is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Milliseconds as an ISO 8601 duration: `PT3M25.120S`, `PT1H2M3S`.
pub fn iso_duration(ms: u64) -> String {
    let (hours, minutes, seconds, millis) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let mut text = String::from("PT");
    if hours > 0 {
        text.push_str(&format!("{hours}H"));
    }
    if hours > 0 || minutes > 0 {
        text.push_str(&format!("{minutes}M"));
    }
    if millis > 0 {
        text.push_str(&format!("{seconds}.{millis:03}S"));
    } else {
        text.push_str(&format!("{seconds}S"));
    }
    text
}

/// The DDEX parental warning of a code (not stated: `NoAdviceAvailable`).
fn warning_word(warning: Option<ParentalWarning>) -> &'static str {
    match warning {
        Some(ParentalWarning::Explicit) => "Explicit",
        Some(ParentalWarning::Clean) => "ExplicitContentEdited",
        Some(ParentalWarning::NotExplicit) => "NotExplicit",
        Some(ParentalWarning::Unknown) => "Unknown",
        None => "NoAdviceAvailable",
    }
}

/// The release's own warning: explicit if a track is, else edited if one is, else not
/// explicit if every track says so, else no advice.
fn release_warning(warnings: &[Option<ParentalWarning>]) -> &'static str {
    let any = |wanted: ParentalWarning| warnings.contains(&Some(wanted));
    if any(ParentalWarning::Explicit) {
        "Explicit"
    } else if any(ParentalWarning::Clean) {
        "ExplicitContentEdited"
    } else if !warnings.is_empty() && warnings.iter().all(|w| *w == Some(ParentalWarning::NotExplicit)) {
        "NotExplicit"
    } else {
        "NoAdviceAvailable"
    }
}

/// DDEX's release type by the usual rule: up to 3 tracks under 30 minutes a single, up to
/// 6 under 30 minutes an EP, else an album.
fn release_type(tracks: usize, total_ms: u64) -> &'static str {
    let short = total_ms < 30 * 60 * 1000;
    match tracks {
        1..=3 if short => "Single",
        4..=6 if short => "EP",
        _ => "Album",
    }
}

/// Characters XML 1.0 cannot hold.
fn xml_safe(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The parties: the artists in order of first appearance, then the label.
struct Parties {
    artists: Vec<String>,
    label: String,
}

impl Parties {
    /// The reference of an artist (`P1`, ...) or the label (after the artists).
    fn artist(&self, name: &str) -> String {
        let at = self.artists.iter().position(|a| a == name).unwrap_or(0);
        format!("P{}", at + 1)
    }

    fn label(&self) -> String {
        format!("P{}", self.artists.len() + 1)
    }
}

/// What every track must have, checked before anything is written.
fn check(sheet: &Sheet, options: &ErnOptions) -> Result<(), ErnError> {
    for party in [&options.sender, &options.recipient] {
        if !is_dpid(&party.dpid) {
            return Err(ErnError::PartyId(party.dpid.clone()));
        }
    }
    let release = &sheet.release;
    let mut problems = Vec::new();
    if sheet.tracks.is_empty() {
        problems.push("it has no tracks".to_owned());
    }
    if release.label.is_none() {
        problems.push("it has no label (`release edit UPC --label NAME`)".to_owned());
    }
    if release.artist.is_none() {
        problems.push("it has no display artist (`release edit UPC --artist NAME`)".to_owned());
    }
    for track in &sheet.tracks {
        let code = track.isrc();
        let r = &track.recording;
        if r.title.is_none() {
            problems.push(format!("{code} has no title (`ledger edit {code} --title T`)"));
        }
        if track.artist(release).is_none() {
            problems.push(format!("{code} has no artist (`ledger edit {code} --artist A`)"));
        }
        if track.duration_ms.is_none_or(|ms| ms == 0) {
            problems.push(format!("{code} has no duration: no audio is bound to it (`isrc-stamp assign` its master)"));
        }
        if r.publication.content_type == ContentType::Video {
            problems.push(format!("{code} is a video: this message carries sound recordings only"));
        }
    }
    let texts = [
        Some(&release.title),
        release.artist.as_ref(),
        release.label.as_ref(),
        release.p_line.as_ref(),
        release.c_line.as_ref(),
        Some(&options.sender.name),
        Some(&options.recipient.name),
        Some(&options.genre),
        Some(&options.message_id),
    ];
    let track_texts = sheet
        .tracks
        .iter()
        .flat_map(|t| [t.recording.title.as_ref(), t.recording.artist.as_ref(), t.recording.version_note.as_ref()]);
    if texts.into_iter().chain(track_texts).flatten().any(|text| !xml_safe(text)) {
        problems.push("a text holds a control character, which XML cannot carry".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ErnError::Incomplete { upc: release.upc.as_typed().to_owned(), problems })
    }
}

/// Writes `sheet` as an ERN 4.3 `NewReleaseMessage` to `out`; nothing is written when
/// the release lacks what the message needs (the error lists every gap).
pub fn write_ern(sheet: &Sheet, options: &ErnOptions, out: &mut dyn Write) -> Result<(), ErnError> {
    check(sheet, options)?;
    let release = &sheet.release;
    let release_artist = release.artist.clone().unwrap_or_default();
    let mut artists = vec![release_artist.clone()];
    for track in &sheet.tracks {
        let artist = track.artist(release).unwrap_or_default().to_owned();
        if !artists.contains(&artist) {
            artists.push(artist);
        }
    }
    let parties = Parties { artists, label: release.label.clone().unwrap_or_default() };
    let mut xml = Vec::new();
    {
        let mut w = Writer::new_with_indent(&mut xml, b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("ern:NewReleaseMessage")
            .with_attribute(("xmlns:ern", NAMESPACE))
            .with_attribute(("ReleaseProfileVersionId", "Audio"))
            .with_attribute(("LanguageAndScriptCode", options.language.as_str()))
            .with_attribute(("AvsVersionId", "4"))
            .write_inner_content(|w| {
                header(w, options)?;
                party_list(w, &parties)?;
                resource_list(w, sheet, &parties)?;
                release_list(w, sheet, &parties, options)?;
                if options.deals {
                    deal_list(w, sheet, options)?;
                }
                Ok(())
            })?;
    }
    xml.push(b'\n');
    out.write_all(&xml)?;
    Ok(())
}

type W<'a> = Writer<&'a mut Vec<u8>>;

/// `<name>text</name>`.
fn text(w: &mut W<'_>, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(value))?;
    Ok(())
}

fn header(w: &mut W<'_>, options: &ErnOptions) -> std::io::Result<()> {
    w.create_element("MessageHeader").write_inner_content(|w| {
        text(w, "MessageId", &options.message_id)?;
        for (element, party) in [("MessageSender", &options.sender), ("MessageRecipient", &options.recipient)] {
            w.create_element(element).write_inner_content(|w| {
                text(w, "PartyId", &party.dpid)?;
                w.create_element("PartyName").write_inner_content(|w| text(w, "FullName", &party.name))?;
                Ok(())
            })?;
        }
        text(w, "MessageCreatedDateTime", &options.created)?;
        text(w, "MessageControlType", if options.test { "TestMessage" } else { "LiveMessage" })
    })?;
    Ok(())
}

fn party_list(w: &mut W<'_>, parties: &Parties) -> std::io::Result<()> {
    w.create_element("PartyList").write_inner_content(|w| {
        let names = parties.artists.iter().chain(std::iter::once(&parties.label));
        for (n, name) in names.enumerate() {
            w.create_element("Party").write_inner_content(|w| {
                text(w, "PartyReference", &format!("P{}", n + 1))?;
                w.create_element("PartyName").write_inner_content(|w| text(w, "FullName", name))?;
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A `PLine` (or `CLine`, by `kind`) of text typed as `2026 Owner`.
fn line(w: &mut W<'_>, kind: char, typed: &str) -> std::io::Result<()> {
    let (year, owner) = crate::ledger::parse_p_line(typed).unwrap_or((None, None));
    w.create_element(format!("{kind}Line").as_str()).write_inner_content(|w| {
        if let Some(year) = year {
            text(w, "Year", &year.to_string())?;
        }
        if let Some(owner) = &owner {
            text(w, &format!("{kind}LineCompany"), owner)?;
        }
        text(w, &format!("{kind}LineText"), typed.trim())
    })?;
    Ok(())
}

/// `DisplayTitleText` and `DisplayTitle`, the version as a subtitle.
fn titles(w: &mut W<'_>, title: &str, version: Option<&str>) -> std::io::Result<()> {
    let shown = match version {
        Some(version) => format!("{title} ({version})"),
        None => title.to_owned(),
    };
    text(w, "DisplayTitleText", &shown)?;
    w.create_element("DisplayTitle").write_inner_content(|w| {
        text(w, "TitleText", title)?;
        if let Some(version) = version {
            w.create_element("SubTitle")
                .with_attribute(("SubTitleType", "Version"))
                .write_text_content(BytesText::new(version))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// `DisplayArtistName` and `DisplayArtist` (main artist).
fn artist(w: &mut W<'_>, name: &str, reference: &str) -> std::io::Result<()> {
    text(w, "DisplayArtistName", name)?;
    w.create_element("DisplayArtist").with_attribute(("SequenceNumber", "1")).write_inner_content(|w| {
        text(w, "ArtistPartyReference", reference)?;
        text(w, "DisplayArtistRole", "MainArtist")
    })?;
    Ok(())
}

fn resource_list(w: &mut W<'_>, sheet: &Sheet, parties: &Parties) -> std::io::Result<()> {
    let release = &sheet.release;
    w.create_element("ResourceList").write_inner_content(|w| {
        for (n, track) in sheet.tracks.iter().enumerate() {
            let r = &track.recording;
            w.create_element("SoundRecording").write_inner_content(|w| {
                text(w, "ResourceReference", &format!("A{}", n + 1))?;
                text(w, "Type", "MusicalWorkSoundRecording")?;
                w.create_element("SoundRecordingEdition").write_inner_content(|w| {
                    w.create_element("ResourceId").write_inner_content(|w| text(w, "ISRC", r.isrc.as_str()))?;
                    if let Some(p_line) = track.p_line(release) {
                        line(w, 'P', &p_line)?;
                    }
                    Ok(())
                })?;
                titles(w, r.title.as_deref().unwrap_or_default(), r.version_note.as_deref())?;
                let name = track.artist(release).unwrap_or_default();
                artist(w, name, &parties.artist(name))?;
                text(w, "Duration", &iso_duration(track.duration_ms.unwrap_or(0)))?;
                if let Some(date) = &r.publication.p_date {
                    text(w, "FirstPublicationDate", date)?;
                }
                text(w, "ParentalWarningType", warning_word(r.publication.parental_warning))
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The content items of `tracks` (indexes into the sheet), sequenced from 1.
fn content_items(w: &mut W<'_>, indexes: &[usize]) -> std::io::Result<()> {
    for (sequence, index) in indexes.iter().enumerate() {
        w.create_element("ResourceGroupContentItem").write_inner_content(|w| {
            text(w, "SequenceNumber", &(sequence + 1).to_string())?;
            text(w, "ReleaseResourceReference", &format!("A{}", index + 1))
        })?;
    }
    Ok(())
}

fn genre(w: &mut W<'_>, genre: &str) -> std::io::Result<()> {
    w.create_element("Genre").write_inner_content(|w| text(w, "GenreText", genre))?;
    Ok(())
}

fn release_list(w: &mut W<'_>, sheet: &Sheet, parties: &Parties, options: &ErnOptions) -> std::io::Result<()> {
    let release = &sheet.release;
    let total = sheet.total_ms().unwrap_or(0);
    let warnings: Vec<_> = sheet.tracks.iter().map(|t| t.recording.publication.parental_warning).collect();
    let mut discs: Vec<u32> = sheet.tracks.iter().map(|t| t.disc).collect();
    discs.dedup();
    w.create_element("ReleaseList").write_inner_content(|w| {
        w.create_element("Release").write_inner_content(|w| {
            text(w, "ReleaseReference", "R0")?;
            text(w, "ReleaseType", release_type(sheet.tracks.len(), total))?;
            w.create_element("ReleaseId").write_inner_content(|w| text(w, "ICPN", release.upc.as_typed()))?;
            titles(w, &release.title, None)?;
            let name = release.artist.as_deref().unwrap_or_default();
            artist(w, name, &parties.artist(name))?;
            text(w, "ReleaseLabelReference", &parties.label())?;
            if let Some(p_line) = &release.p_line {
                line(w, 'P', p_line)?;
            }
            if let Some(c_line) = &release.c_line {
                line(w, 'C', c_line)?;
            }
            text(w, "Duration", &iso_duration(total))?;
            genre(w, &options.genre)?;
            if let Some(date) = release.date.as_deref().and_then(crate::ledger::p_date) {
                text(w, "ReleaseDate", &date)?;
            }
            text(w, "ParentalWarningType", release_warning(&warnings))?;
            let mut track_artists: Vec<&str> = sheet.tracks.iter().filter_map(|t| t.artist(release)).collect();
            track_artists.sort_unstable();
            track_artists.dedup();
            if track_artists.len() > 1 {
                text(w, "IsMultiArtistCompilation", "true")?;
            }
            w.create_element("ResourceGroup").write_inner_content(|w| {
                if discs.len() == 1 {
                    return content_items(w, &(0..sheet.tracks.len()).collect::<Vec<_>>());
                }
                for (sequence, disc) in discs.iter().enumerate() {
                    let on: Vec<usize> = (0..sheet.tracks.len()).filter(|&i| sheet.tracks[i].disc == *disc).collect();
                    w.create_element("ResourceGroup")
                        .with_attribute(("ResourceGroupType", "Component"))
                        .write_inner_content(|w| {
                            text(w, "SequenceNumber", &(sequence + 1).to_string())?;
                            content_items(w, &on)
                        })?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
        for (n, track) in sheet.tracks.iter().enumerate() {
            w.create_element("TrackRelease").write_inner_content(|w| {
                text(w, "ReleaseReference", &format!("R{}", n + 1))?;
                w.create_element("ReleaseId").write_inner_content(|w| {
                    w.create_element("ProprietaryId")
                        .with_attribute(("Namespace", options.sender.dpid.as_str()))
                        .write_text_content(BytesText::new(&format!("{}_{}", release.upc.as_typed(), track.isrc())))?;
                    Ok(())
                })?;
                text(w, "ReleaseResourceReference", &format!("A{}", n + 1))?;
                text(w, "ReleaseLabelReference", &parties.label())?;
                genre(w, &options.genre)
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

fn deal_list(w: &mut W<'_>, sheet: &Sheet, options: &ErnOptions) -> std::io::Result<()> {
    let start = sheet
        .release
        .date
        .as_deref()
        .and_then(crate::ledger::p_date)
        .filter(|date| date.len() == 10)
        .unwrap_or_else(|| options.created.chars().take(10).collect());
    w.create_element("DealList").write_inner_content(|w| {
        w.create_element("ReleaseDeal").write_inner_content(|w| {
            text(w, "DealReleaseReference", "R0")?;
            for n in 1..=sheet.tracks.len() {
                text(w, "DealReleaseReference", &format!("R{n}"))?;
            }
            for (model, usage) in [("SubscriptionModel", "OnDemandStream"), ("PayAsYouGoModel", "PermanentDownload")] {
                w.create_element("Deal").write_inner_content(|w| {
                    w.create_element("DealTerms").write_inner_content(|w| {
                        text(w, "TerritoryCode", "Worldwide")?;
                        w.create_element("ValidityPeriod").write_inner_content(|w| text(w, "StartDate", &start))?;
                        text(w, "CommercialModelType", model)?;
                        text(w, "UseType", usage)
                    })?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isrc::{Catalog, Isrc};
    use crate::ledger::{Origin, Publication, Recording, Release, ReleaseTrack, Status};
    use crate::release::sheet::SheetTrack;

    /// A two-disc release of three tracks, one by a guest artist, with a version.
    fn sheet() -> Sheet {
        let track = |disc, number, code: &str, title: &str, artist: Option<&str>, version: Option<&str>| SheetTrack {
            disc,
            number,
            duration_ms: Some(200_500),
            recording: Recording {
                isrc: Isrc::parse(code).unwrap(),
                origin: Origin::Issued,
                status: Status::Active,
                title: Some(title.into()),
                artist: artist.map(str::to_owned),
                version_note: version.map(str::to_owned),
                parent: None,
                relation: None,
                issued_at: Some(0),
                entered_at: 0,
                issued_by: "t".into(),
                void_reason: None,
                declared_ms: None,
                publication: Publication {
                    parental_warning: Some(ParentalWarning::NotExplicit),
                    ..Publication::default()
                },
            },
        };
        let tracks = vec![
            track(1, 1, "QZTST2600001", "One <&> Two", None, None),
            track(1, 2, "QZTST2600002", "Edge", Some("Guest"), Some("Live")),
            track(2, 1, "QZTST2600003", "Third", None, None),
        ];
        Sheet {
            release: Release {
                upc: Catalog::parse("4006381333931").unwrap(),
                title: "Two Discs".into(),
                artist: Some("Lumen".into()),
                label: Some("Harbour".into()),
                date: Some("2026".into()),
                p_line: None,
                c_line: Some("2026 Harbour".into()),
                created_at: 0,
                tracks: tracks
                    .iter()
                    .map(|t| ReleaseTrack { disc: t.disc, number: t.number, isrc: t.recording.isrc })
                    .collect(),
            },
            tracks,
        }
    }

    fn options() -> ErnOptions {
        ErnOptions {
            sender: MessageParty { dpid: "PADPIDA2014021302H".into(), name: "Harbour".into() },
            recipient: MessageParty { dpid: "PADPIDA2024072201A".into(), name: "Shop".into() },
            message_id: "M1".into(),
            created: "2026-12-07T13:00:00Z".into(),
            genre: "Folk".into(),
            language: "en".into(),
            test: false,
            deals: true,
        }
    }

    #[test]
    fn discs_are_resource_groups_and_text_is_escaped() {
        let mut xml = Vec::new();
        write_ern(&sheet(), &options(), &mut xml).unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert!(xml.contains("<TitleText>One &lt;&amp;&gt; Two</TitleText>"), "{xml}");
        assert!(
            xml.contains(
                "<ResourceGroup ResourceGroupType=\"Component\">\n          <SequenceNumber>2</SequenceNumber>"
            ),
            "{xml}"
        );
        assert!(xml.contains("<IsMultiArtistCompilation>true</IsMultiArtistCompilation>"));
        assert!(xml.contains("<ReleaseType>Single</ReleaseType>") && xml.contains("<Duration>PT10M1.500S</Duration>"));
        assert!(xml.contains("<ParentalWarningType>NotExplicit</ParentalWarningType>"));
        assert!(
            xml.contains("<CLineCompany>Harbour</CLineCompany>") && xml.contains("<StartDate>2026-12-07</StartDate>")
        );
        if let Some(schema) = std::env::var_os("ISRC_STAMP_ERN_XSD") {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("two-discs.xml");
            std::fs::write(&file, &xml).unwrap();
            let output = std::process::Command::new("xmllint")
                .args(["--noout", "--schema"])
                .arg(schema)
                .arg(&file)
                .output()
                .expect("xmllint runs");
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        }
    }

    #[test]
    fn what_a_message_needs_is_listed_and_nothing_is_written() {
        let mut incomplete = sheet();
        incomplete.release.label = None;
        incomplete.tracks[2].recording.title = None;
        incomplete.tracks[1].duration_ms = None;
        incomplete.tracks[0].recording.publication.content_type = ContentType::Video;
        let mut out = Vec::new();
        let error = write_ern(&incomplete, &options(), &mut out).unwrap_err().to_string();
        for gap in ["no label", "QZTST2600003 has no title", "QZTST2600002 has no duration", "QZTST2600001 is a video"]
        {
            assert!(error.contains(gap), "{gap}: {error}");
        }
        assert!(out.is_empty());
        let bad = ErnOptions { sender: MessageParty { dpid: "DPID1".into(), name: "x".into() }, ..options() };
        assert!(matches!(write_ern(&sheet(), &bad, &mut out), Err(ErnError::PartyId(_))));
    }

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(iso_duration(205_120), "PT3M25.120S");
        assert_eq!(iso_duration(3_723_000), "PT1H2M3S");
        assert_eq!(iso_duration(4_000), "PT4S");
        assert_eq!(iso_duration(3_600_000), "PT1H0M0S");
    }

    #[test]
    fn party_ids_release_types_and_warnings() {
        assert!(is_dpid("PADPIDA2014021302H"));
        assert!(!is_dpid("PADPIDA") && !is_dpid("DPID123") && !is_dpid("PADPIDA-12"));
        assert_eq!(release_type(1, 200_000), "Single");
        assert_eq!(release_type(5, 20 * 60_000), "EP");
        assert_eq!(release_type(5, 40 * 60_000), "Album");
        assert_eq!(release_type(12, 40 * 60_000), "Album");
        let w = |words: &[Option<ParentalWarning>]| release_warning(words);
        assert_eq!(w(&[Some(ParentalWarning::NotExplicit), Some(ParentalWarning::Explicit)]), "Explicit");
        assert_eq!(w(&[Some(ParentalWarning::NotExplicit), Some(ParentalWarning::Clean)]), "ExplicitContentEdited");
        assert_eq!(w(&[Some(ParentalWarning::NotExplicit)]), "NotExplicit");
        assert_eq!(w(&[Some(ParentalWarning::NotExplicit), None]), "NoAdviceAvailable");
    }
}
