//! Stage 1 (docx): the bytes of a .docx → its paragraphs as text lines. Input: the zip
//! archive. Output: the text of `word/document.xml`, one `w:p` per line (`w:t` runs joined,
//! `w:tab` as a space, `w:br` as a line break). Pure; knows nothing about files or cleaning.
//! The XML is inflated through a reader that stops one byte past [`MAX_XML`], so a zip bomb
//! costs at most that much memory and is refused.

use std::io::{Cursor, Read};

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
    paragraphs(&read_capped(entry, MAX_XML)?)
}

/// The entry's bytes as text, refused with [`TOO_BIG`] as soon as more than `cap` come out
/// (whatever size its header claims).
fn read_capped(entry: impl Read, cap: u64) -> Result<String, &'static str> {
    let mut xml = Vec::new();
    entry
        .take(cap + 1)
        .read_to_end(&mut xml)
        .map_err(|_| CORRUPT)?;
    if xml.len() as u64 > cap {
        return Err(TOO_BIG);
    }
    String::from_utf8(xml).map_err(|_| CORRUPT)
}

/// The paragraphs of a WordprocessingML body, one per line.
fn paragraphs(xml: &str) -> Result<String, &'static str> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().map_err(|_| CORRUPT)? {
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
        assert_eq!(paragraphs(xml).unwrap(), "治安防控 & 网格\n第二段\n");
    }

    #[test]
    fn more_than_the_cap_is_refused_after_reading_one_byte_past_it() {
        let mut source = std::io::repeat(b'a');
        assert_eq!(read_capped(&mut source, 1000), Err(TOO_BIG));
        assert_eq!(read_capped(&b"abc"[..], 3).unwrap(), "abc");
    }

    #[test]
    fn garbage_is_corrupt() {
        assert_eq!(extract(b"PK\x03\x04 truncated"), Err(CORRUPT));
    }
}
