//! Stage 1 (docx): the bytes of a .docx → its paragraphs as text lines. Input: the zip
//! archive. Output: the text of `word/document.xml`, one `w:p` per line (`w:t` runs joined,
//! `w:tab` as a space, `w:br` as a line break). Pure; knows nothing about files or cleaning.
//! The XML is parsed as it is inflated, through a reader that stops one byte past
//! [`MAX_XML`]: only the text is held, and a zip bomb is refused once that much came out (or
//! at once, when the archive says how large the XML is).

use std::io::{BufReader, Cursor, Read, Take};

use quick_xml::events::{BytesRef, Event};

/// Reason given for a docx that cannot be read.
pub(crate) const CORRUPT: &str = "truncated or corrupt docx";

/// Largest `word/document.xml` we inflate (guards against zip bombs): a 500-page
/// compilation is about 25 MB of XML.
pub(crate) const MAX_XML: u64 = 64 * 1024 * 1024;

/// Reason given for a docx whose text unpacks to more than [`MAX_XML`].
pub(crate) const TOO_BIG: &str =
    "word/document.xml unpacks to more than the 64 MB limit (a zip bomb?); not read";

/// Paragraph text of a .docx archive.
pub(crate) fn extract(bytes: &[u8]) -> Result<String, &'static str> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| CORRUPT)?;
    let entry = archive.by_name("word/document.xml").map_err(|_| CORRUPT)?;
    if entry.size() > MAX_XML {
        return Err(TOO_BIG);
    }
    paragraphs(BufReader::new(entry.take(MAX_XML + 1)))
}

/// The paragraphs of a WordprocessingML body, one per line. `xml` is limited to one byte more
/// than may be read: [`TOO_BIG`] as soon as that byte comes out (whatever size the archive
/// claims).
fn paragraphs<R: Read>(xml: BufReader<Take<R>>) -> Result<String, &'static str> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    loop {
        let event = reader.read_event_into(&mut buf);
        if reader.get_ref().get_ref().limit() == 0 {
            return Err(TOO_BIG);
        }
        match event.map_err(|_| CORRUPT)? {
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == "w:p" => out.push('\n'),
            Event::Empty(e) => match e.name().as_ref() {
                "w:tab" => out.push(' '),
                "w:br" | "w:cr" | "w:p" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => out.push_str(&t),
            Event::GeneralRef(r) if in_text => push_entity(&r, &mut out),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn push_entity(reference: &BytesRef<'_>, out: &mut String) {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        out.push(c);
        return;
    }
    let c = match reference.xml10_content().as_ref() {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return,
    };
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_runs_and_entities() {
        let xml = r#"<w:document><w:body><w:p><w:r><w:t>治安</w:t></w:r><w:r><w:t xml:space="preserve">防控 &amp; 网格</w:t></w:r></w:p><w:p><w:r><w:t>第二段</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(parse(xml).unwrap(), "治安防控 & 网格\n第二段\n");
    }

    fn parse(xml: &str) -> Result<String, &'static str> {
        paragraphs(BufReader::new(xml.as_bytes().take(u64::MAX)))
    }

    #[test]
    fn more_than_the_cap_is_refused_after_reading_one_byte_past_it() {
        let endless = std::io::repeat(b'a').take(1001);
        assert_eq!(paragraphs(BufReader::new(endless)), Err(TOO_BIG));
        let xml = "<w:p><w:r><w:t>治安</w:t></w:r></w:p>";
        let exact = xml.as_bytes().take(xml.len() as u64 + 1);
        assert_eq!(paragraphs(BufReader::new(exact)).unwrap(), "治安\n");
    }

    #[test]
    fn garbage_is_corrupt() {
        assert_eq!(extract(b"PK\x03\x04 truncated"), Err(CORRUPT));
    }
}
