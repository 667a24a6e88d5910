//! The ISRC in a broadcast WAV's `axml` chunk: EBU Tech 3352 "Identifiers in BWF",
//! an EBUCore identifier in `ebuCoreMain/coreMetadata`, the form BWF MetaEdit writes:
//!
//! ```xml
//! <ebucore:identifier typeLabel="GUID" typeDefinition="Globally Unique Identifier"
//!     formatLabel="ISRC" formatDefinition="International Standard Recording Code">
//!   <dc:identifier>ISRC:CCXXXYYNNNNN</dc:identifier>
//! </ebucore:identifier>
//! ```
//!
//! quick-xml does the parsing. Elements are matched by local name (any prefix), so a
//! document keeps whatever prefixes it declared. Reading streams the chunk, so an ADM
//! document of any size is read in bounded memory. Writing splices the new identifier
//! into the document's own bytes at positions the parser gave: every other byte of the
//! document stays as it was. ADM documents (`audioFormatExtended`) are never written.

use std::io::{self, BufRead};
use std::ops::Range;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// The Dublin Core namespace `dc:identifier` is in.
const DUBLIN_CORE: &str = "http://purl.org/dc/elements/1.1/";

/// The EBUCore namespace of a new document.
const EBUCORE: &str = "urn:ebu:metadata-schema:ebucore";

/// The children of `coreMetadata` that EBUCore's schema puts before `identifier`: a
/// new identifier goes after them, so the sequence stays in schema order.
const BEFORE_IDENTIFIER: &[&str] = &[
    "title",
    "alternativeTitle",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
];

/// What an aXML document says, and where a new identifier would go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Document {
    /// Every ISRC its `coreMetadata` identifiers hold, the `ISRC:` prefix removed.
    pub isrcs: Vec<String>,
    /// Whether it describes ADM (an `audioFormatExtended` element): never written.
    pub adm: bool,
    /// Whether its root is EBUCore's `ebuCoreMain`, the only document isrc-stamp writes.
    pub ebucore: bool,
    /// Byte spans of the ISRC identifier elements (removed when writing).
    identifiers: Vec<Range<usize>>,
    /// Where a new identifier goes.
    insert: Option<Insert>,
}

impl Document {
    /// Whether isrc-stamp writes its identifier into this document.
    pub fn is_writable(&self) -> bool {
        self.ebucore && !self.adm
    }
}

/// Where a new identifier goes in an existing document.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Insert {
    /// The span replaced (empty to insert at its start).
    span: Range<usize>,
    /// The prefix of the EBUCore elements there (`ebucore:`, or empty).
    prefix: String,
    /// The prefix the document binds to Dublin Core there, if any.
    dc_prefix: Option<String>,
    /// What the identifier must be wrapped in.
    wrap: Wrap,
}

/// What a new identifier is wrapped in at its insertion point.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wrap {
    /// Nothing: it goes inside an open `coreMetadata`.
    Nothing,
    /// A new `coreMetadata` element.
    CoreMetadata,
    /// An empty `<coreMetadata/>` opened: its start tag's text.
    OpenedCoreMetadata(String),
    /// An empty root element opened, with a new `coreMetadata`: its start tag's text.
    OpenedRoot(String),
}

/// One open element while parsing.
#[derive(Debug, Clone)]
struct Open {
    /// Its local name.
    local: String,
    /// Its prefix with the colon (`ebucore:`), or empty.
    prefix: String,
    /// The prefix its start tag binds to Dublin Core, if any.
    dc_prefix: Option<String>,
}

impl Open {
    /// The element a start tag opens; its attributes must be well-formed.
    fn of(start: &BytesStart<'_>) -> Result<Open, String> {
        let name = start.name();
        let local = start.local_name().as_ref().to_owned();
        let prefix = name.0.strip_suffix(local.as_str()).unwrap_or_default().to_owned();
        let mut dc_prefix = None;
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| format!("<{local}>: {e}"))?;
            if let Some(prefix) = attribute.key.0.strip_prefix("xmlns:")
                && attribute.value.as_ref() == DUBLIN_CORE
            {
                dc_prefix = Some(prefix.to_owned());
            }
        }
        Ok(Open { local, prefix, dc_prefix })
    }
}

/// Reads an aXML document (the chunk's body) for its ISRCs, whether it is ADM, and
/// where a new identifier would go.
pub(super) fn read(body: impl BufRead) -> io::Result<Document> {
    let mut parser =
        Parser { document: Document::default(), stack: Vec::new(), identifier: None, value: None, first_child: None };
    let mut reader = Reader::from_reader(UntilNul { inner: body, done: false });
    let mut buf = Vec::new();
    loop {
        let before = position(&reader);
        let event = reader.read_event_into(&mut buf).map_err(|e| not_xml(&reader, &e.to_string()))?;
        let span = before..position(&reader);
        match event {
            Event::Start(start) => parser.start(&start, span, false).map_err(|why| not_xml(&reader, &why))?,
            Event::Empty(start) => parser.start(&start, span, true).map_err(|why| not_xml(&reader, &why))?,
            Event::End(end) => {
                parser.end(end.local_name().as_ref(), span).map_err(|why| not_xml(&reader, &why))?;
            }
            Event::Text(text) => parser.text(&text.xml10_content()),
            Event::CData(text) => parser.text(&text.into_inner()),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => resolve_predefined_entity(&reference).unwrap_or_default().to_owned(),
                };
                parser.text(&resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
    if let Some(open) = parser.stack.last() {
        return Err(not_xml(&reader, &format!("the document ends inside <{}>", open.local)));
    }
    Ok(parser.document)
}

/// A reader that ends at the first NUL byte: writers pad the chunk with NULs after the
/// document, and no XML document holds one.
struct UntilNul<R> {
    inner: R,
    done: bool,
}

impl<R: BufRead> io::Read for UntilNul<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for UntilNul<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.done {
            return Ok(&[]);
        }
        match memchr::memchr(0, self.inner.fill_buf()?) {
            Some(0) => {
                self.done = true;
                Ok(&[])
            }
            Some(at) => Ok(&self.inner.fill_buf()?[..at]),
            None => self.inner.fill_buf(),
        }
    }

    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
    }
}

/// The document with `code` as its one ISRC identifier: `existing` with its ISRC
/// identifiers replaced by one (every other byte kept), or a new EBUCore document.
pub(super) fn with_isrc(existing: Option<&[u8]>, code: &str) -> io::Result<Vec<u8>> {
    let Some(bytes) = existing else {
        return Ok(new_document(code).into_bytes());
    };
    let document = read(bytes)?;
    if code.is_empty() {
        // `untag`: the ISRC identifiers cut, the rest of the document byte for byte.
        let mut out = bytes.to_vec();
        for span in document.identifiers.iter().rev() {
            out.splice(span.clone(), std::iter::empty());
        }
        return Ok(out);
    }
    let refuse = |why: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, format!("the axml chunk {why}")));
    if document.adm {
        return refuse("describes ADM (audioFormatExtended) and is kept as it is");
    }
    let Some(insert) = document.insert.filter(|_| document.ebucore) else {
        return refuse("is not an EBUCore document (ebuCoreMain), so isrc-stamp does not write into it");
    };
    let element = identifier_element(code, &insert.prefix, insert.dc_prefix.as_deref());
    let p = &insert.prefix;
    let new = match &insert.wrap {
        Wrap::Nothing => element,
        Wrap::CoreMetadata => format!("<{p}coreMetadata>{element}</{p}coreMetadata>"),
        Wrap::OpenedCoreMetadata(start) => format!("<{start}>{element}</{p}coreMetadata>"),
        Wrap::OpenedRoot(start) => {
            let name = start.split_whitespace().next().unwrap_or_default();
            format!("<{start}><{p}coreMetadata>{element}</{p}coreMetadata></{name}>")
        }
    };
    // The old identifiers cut and the new one put in, from the end so offsets hold (a
    // cut starting where the insertion goes is made first).
    let mut edits: Vec<(Range<usize>, &str)> = document.identifiers.iter().map(|span| (span.clone(), "")).collect();
    edits.push((insert.span.clone(), &new));
    edits.sort_by_key(|(span, _)| std::cmp::Reverse((span.start, span.end)));
    let mut out = bytes.to_vec();
    for (span, text) in edits {
        out.splice(span, text.bytes());
    }
    Ok(out)
}

/// A new aXML document holding only the ISRC identifier.
fn new_document(code: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <ebucore:ebuCoreMain xmlns:dc=\"{DUBLIN_CORE}\" xmlns:ebucore=\"{EBUCORE}\">\n\
         \x20 <ebucore:coreMetadata>\n\
         \x20   {}\n\
         \x20 </ebucore:coreMetadata>\n\
         </ebucore:ebuCoreMain>\n",
        identifier_element(code, "ebucore:", Some("dc"))
    )
}

/// The identifier element, in the document's prefixes (declaring `dc` where the
/// document binds no prefix to Dublin Core).
fn identifier_element(code: &str, prefix: &str, dc_prefix: Option<&str>) -> String {
    let (dc, declare) = match dc_prefix {
        Some(dc) => (dc, String::new()),
        None => ("dc", format!(" xmlns:dc=\"{DUBLIN_CORE}\"")),
    };
    format!(
        "<{prefix}identifier typeLabel=\"GUID\" typeDefinition=\"Globally Unique Identifier\" \
         formatLabel=\"ISRC\" formatDefinition=\"International Standard Recording Code\"{declare}>\
         <{dc}:identifier>ISRC:{code}</{dc}:identifier></{prefix}identifier>"
    )
}

/// The parsing state: the open elements, and the ISRC identifier being read.
struct Parser {
    document: Document,
    stack: Vec<Open>,
    /// The start offset of the ISRC identifier element being read.
    identifier: Option<usize>,
    /// The text of its `dc:identifier` so far.
    value: Option<String>,
    /// Where the root's first child starts (a new `coreMetadata` goes there, first).
    first_child: Option<usize>,
}

impl Parser {
    fn start(&mut self, start: &BytesStart<'_>, span: Range<usize>, empty: bool) -> Result<(), String> {
        let open = Open::of(start)?;
        let depth = self.stack.len();
        if open.local == "audioFormatExtended" {
            self.document.adm = true;
        }
        let tag = || start_tag_text(start);
        match depth {
            0 => {
                self.document.ebucore = open.local == "ebuCoreMain";
                if empty {
                    self.insert_at(Some(&open), span.clone(), Wrap::OpenedRoot(tag()));
                }
            }
            1 => {
                self.first_child.get_or_insert(span.start);
                if open.local == "coreMetadata" && empty {
                    self.insert_at(Some(&open), span.clone(), Wrap::OpenedCoreMetadata(tag()));
                }
            }
            2 if self.stack[1].local == "coreMetadata" => {
                let isrc = open.local == "identifier"
                    && start
                        .try_get_attribute("formatLabel")
                        .ok()
                        .flatten()
                        .is_some_and(|a| a.value.as_ref().eq_ignore_ascii_case("ISRC"));
                if isrc || !BEFORE_IDENTIFIER.contains(&open.local.as_str()) {
                    self.insert_at(None, span.start..span.start, Wrap::Nothing);
                }
                if isrc && empty {
                    self.document.identifiers.push(span.clone());
                } else if isrc {
                    self.identifier = Some(span.start);
                }
            }
            3 if self.identifier.is_some() && open.local == "identifier" && !empty => {
                self.value = Some(String::new());
            }
            _ => {}
        }
        if !empty {
            self.stack.push(open);
        }
        Ok(())
    }

    fn end(&mut self, local: &str, span: Range<usize>) -> Result<(), String> {
        let Some(open) = self.stack.pop() else {
            return Err(format!("</{local}> closes nothing"));
        };
        if open.local != local {
            return Err(format!("</{local}> closes <{}>", open.local));
        }
        match self.stack.len() {
            3 if local == "identifier" => {
                if let Some(text) = self.value.take() {
                    let text = text.trim();
                    let code = text.get(..5).filter(|p| p.eq_ignore_ascii_case("ISRC:")).map_or(text, |_| &text[5..]);
                    if !code.trim().is_empty() {
                        self.document.isrcs.push(code.trim().to_owned());
                    }
                }
            }
            2 => {
                if let Some(start) = self.identifier.take() {
                    self.document.identifiers.push(start..span.end);
                }
            }
            1 if local == "coreMetadata" => self.insert_at(Some(&open), span.start..span.start, Wrap::Nothing),
            // No coreMetadata in the whole document: a new one, as the root's first child.
            0 => {
                let at = self.first_child.unwrap_or(span.start);
                self.insert_at(Some(&open), at..at, Wrap::CoreMetadata);
            }
            _ => {}
        }
        Ok(())
    }

    fn text(&mut self, text: &str) {
        if let Some(value) = &mut self.value {
            value.push_str(text);
        }
    }

    /// Sets the insertion point, unless one is set, inside the open elements and `inner`
    /// (an element not on the stack: just opened empty, or just closed), whose prefixes
    /// it takes.
    fn insert_at(&mut self, inner: Option<&Open>, span: Range<usize>, wrap: Wrap) {
        if self.document.insert.is_some() {
            return;
        }
        let mut frames = self.stack.iter().chain(inner).rev();
        let prefix = frames.clone().next().map(|open| open.prefix.clone()).unwrap_or_default();
        let dc_prefix = frames.find_map(|open| open.dc_prefix.clone());
        self.document.insert = Some(Insert { span, prefix, dc_prefix, wrap });
    }
}

/// The text between `<` and `>` of a start tag, without an empty element's `/`.
fn start_tag_text(start: &BytesStart<'_>) -> String {
    let text: &str = start;
    text.trim_end().trim_end_matches('/').trim_end().to_owned()
}

fn position<R>(reader: &Reader<R>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn not_xml<R>(reader: &Reader<R>, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the axml chunk is not well-formed XML (at byte {}: {why}); correct or remove the chunk",
            reader.error_position()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: &str = "USPR37300012";

    fn isrcs(doc: &str) -> Vec<String> {
        read(doc.as_bytes()).unwrap().isrcs
    }

    #[test]
    fn a_new_document_is_the_tech_3352_form_and_reads_back() {
        let doc = String::from_utf8(with_isrc(None, X).unwrap()).unwrap();
        assert!(doc.contains(
            "<ebucore:identifier typeLabel=\"GUID\" typeDefinition=\"Globally Unique Identifier\" \
             formatLabel=\"ISRC\" formatDefinition=\"International Standard Recording Code\">\
             <dc:identifier>ISRC:USPR37300012</dc:identifier></ebucore:identifier>"
        ));
        let read = read(doc.as_bytes()).unwrap();
        assert_eq!(read.isrcs, [X]);
        assert!(read.is_writable());
    }

    #[test]
    fn other_elements_keep_their_bytes() {
        let doc = "<?xml version=\"1.0\"?>\n<ebucore:ebuCoreMain xmlns:ebucore=\"urn:ebu:metadata-schema:ebucore\" \
                   xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n  <ebucore:coreMetadata>\n    \
                   <ebucore:title><dc:title>Nocturne &amp; Fugue</dc:title></ebucore:title>\n    \
                   <ebucore:language><dc:language>en</dc:language></ebucore:language>\n  \
                   </ebucore:coreMetadata>\n  <!-- a comment -->\n</ebucore:ebuCoreMain>\n";
        let new = String::from_utf8(with_isrc(Some(doc.as_bytes()), X).unwrap()).unwrap();
        let element = identifier_element(X, "ebucore:", Some("dc"));
        // After the title, before the language (schema order); nothing else moved.
        let at = doc.find("<ebucore:language>").unwrap();
        assert_eq!(new, format!("{}{element}{}", &doc[..at], &doc[at..]));
        assert_eq!(isrcs(&new), [X]);
        // Written again with another code: the identifier is replaced, not added.
        let again = String::from_utf8(with_isrc(Some(new.as_bytes()), "GBBBB9905305").unwrap()).unwrap();
        assert_eq!(again, new.replace(X, "GBBBB9905305"));
    }

    #[test]
    fn identifiers_are_read_by_local_name_and_several_are_replaced_by_one() {
        let doc = "<ebuCoreMain xmlns=\"urn:ebu:metadata-schema:ebucore\"><coreMetadata>\
                   <identifier formatLabel=\"ISRC\"><d:identifier xmlns:d=\"http://purl.org/dc/elements/1.1/\">\
                   ISRC:USPR37300012</d:identifier></identifier>\
                   <identifier formatLabel=\"UPC\"><d:identifier>012345678905</d:identifier></identifier>\
                   <identifier formatLabel=\"isrc\"><d:identifier>GBBBB9905305</d:identifier></identifier>\
                   </coreMetadata></ebuCoreMain>";
        assert_eq!(isrcs(doc), [X, "GBBBB9905305"]);
        let new = String::from_utf8(with_isrc(Some(doc.as_bytes()), X).unwrap()).unwrap();
        assert_eq!(isrcs(&new), [X]);
        assert!(new.contains("012345678905"), "the UPC identifier is kept: {new}");
        assert!(new.contains(&identifier_element(X, "", None)), "default namespace, dc declared: {new}");
    }

    #[test]
    fn documents_without_core_metadata_or_empty_get_one() {
        let empty_root = "<ebucore:ebuCoreMain xmlns:ebucore=\"urn:ebu:metadata-schema:ebucore\"/>";
        let new = String::from_utf8(with_isrc(Some(empty_root.as_bytes()), X).unwrap()).unwrap();
        assert!(new.ends_with("</ebucore:coreMetadata></ebucore:ebuCoreMain>"), "{new}");
        assert_eq!(isrcs(&new), [X]);
        let empty_core = "<e:ebuCoreMain xmlns:e=\"x\"><e:coreMetadata/><e:metadataProvider/></e:ebuCoreMain>";
        let new = String::from_utf8(with_isrc(Some(empty_core.as_bytes()), X).unwrap()).unwrap();
        assert!(new.contains("<e:coreMetadata><e:identifier") && new.contains("<e:metadataProvider/>"), "{new}");
        assert_eq!(isrcs(&new), [X]);
        let provider_only = "<e:ebuCoreMain xmlns:e=\"x\"><e:metadataProvider/></e:ebuCoreMain>";
        let new = String::from_utf8(with_isrc(Some(provider_only.as_bytes()), X).unwrap()).unwrap();
        assert!(new.starts_with("<e:ebuCoreMain xmlns:e=\"x\"><e:coreMetadata><e:identifier"), "{new}");
        assert_eq!(isrcs(&new), [X]);
        // coreMetadata after another child: written into it, no second one.
        let late = "<e:ebuCoreMain xmlns:e=\"x\"><e:part/><e:coreMetadata></e:coreMetadata></e:ebuCoreMain>";
        let new = String::from_utf8(with_isrc(Some(late.as_bytes()), X).unwrap()).unwrap();
        assert_eq!(new.matches("coreMetadata>").count(), 2, "{new}");
        assert!(new.contains("<e:coreMetadata><e:identifier"), "{new}");
    }

    #[test]
    fn adm_and_foreign_documents_are_never_written() {
        let adm = "<ebuCoreMain><coreMetadata><format><audioFormatExtended/></format></coreMetadata></ebuCoreMain>";
        let read_adm = read(adm.as_bytes()).unwrap();
        assert!(read_adm.adm && !read_adm.is_writable());
        assert!(with_isrc(Some(adm.as_bytes()), X).unwrap_err().to_string().contains("ADM"));
        let other = "<BWFXML><IXML_VERSION>1.5</IXML_VERSION></BWFXML>";
        assert!(!read(other.as_bytes()).unwrap().is_writable());
        assert!(with_isrc(Some(other.as_bytes()), X).unwrap_err().to_string().contains("not an EBUCore"));
    }

    #[test]
    fn malformed_documents_are_clear_errors() {
        for doc in ["<ebuCoreMain><coreMetadata></ebuCoreMain>", "<ebuCoreMain>", "<a></b>", "<a x=></a>"] {
            let error = read(doc.as_bytes()).unwrap_err().to_string();
            assert!(error.contains("not well-formed XML"), "{doc}: {error}");
        }
    }
}
