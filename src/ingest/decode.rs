//! Stage 1 (decode): raw bytes → `String`. Input: the bytes of one file. Output: its text,
//! or a short reason why it is not text. Encoding by detection, never by extension: UTF-8
//! (with or without BOM), UTF-16 LE/BE with BOM, otherwise GB18030/GBK and friends via
//! chardetng. Knows nothing about formats (HTML, docx) or cleaning.

use encoding_rs::{BIG5, Encoding, GB18030, GBK};

/// Reason given for a file that looks like binary data.
pub(crate) const BINARY: &str = "binary data";
/// Reason given for bytes no supported encoding decodes cleanly.
pub(crate) const UNDECODABLE: &str = "undecodable text (not UTF-8, UTF-16 or GB18030)";

/// Decodes `bytes` to text, detecting the encoding. Errors are short reasons.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, &'static str> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_strict(encoding, &bytes[bom_len..]);
    }
    if bytes.contains(&0) {
        return Err(BINARY);
    }
    if let Some(text) = utf8(bytes) {
        return Ok(text);
    }
    if looks_binary(bytes) {
        return Err(BINARY);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    // Chinese files that are not UTF-8 are GB18030/GBK (or Big5); any other guess (a
    // single-byte legacy encoding decodes every byte) would turn garbage into mojibake.
    if (guess == BIG5 || guess == GBK)
        && let Ok(text) = decode_strict(guess, bytes)
    {
        return Ok(text);
    }
    decode_strict(GB18030, bytes)
}

/// UTF-8, tolerating a file cut in the middle of its last character or a rare stray byte
/// (at most one bad sequence per 1000 bytes; the bad bytes are dropped).
fn utf8(bytes: &[u8]) -> Option<String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => return Some(text.to_owned()),
        Err(e) if e.error_len().is_none() => {
            return Some(String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned());
        }
        Err(_) => {}
    }
    let lossy = String::from_utf8_lossy(bytes);
    let bad = lossy.matches('\u{fffd}').count();
    (bad * 1000 <= bytes.len()).then(|| lossy.replace('\u{fffd}', ""))
}

/// Decodes without replacement characters: any malformed sequence is an error.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, &'static str> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(UNDECODABLE);
    }
    if text.contains('\0') {
        return Err(BINARY);
    }
    Ok(text.into_owned())
}

/// NUL bytes, or many control characters, mean binary data (images, executables, zips…).
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    controls * 20 > sample.len().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("治安".as_bytes()).unwrap(), "治安");
        assert_eq!(decode(b"\xEF\xBB\xBF\xE6\xB2\xBB").unwrap(), "治");
    }

    #[test]
    fn gbk_without_bom_is_detected() {
        let (bytes, _, _) = GB18030.encode("社会治安防控体系建设实施方案，维护社会稳定。");
        assert_eq!(
            decode(&bytes).unwrap(),
            "社会治安防控体系建设实施方案，维护社会稳定。"
        );
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("治安a".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&le).unwrap(), "治安a");
        let mut be = vec![0xFE, 0xFF];
        be.extend("治安a".encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(&be).unwrap(), "治安a");
    }

    #[test]
    fn invalid_bytes_are_undecodable_but_a_cut_last_char_is_fine() {
        assert_eq!(
            decode(b"abc\x81\x20\xff\xfd\x81\x7f zz \xff"),
            Err(UNDECODABLE)
        );
        assert_eq!(decode(&"治安".as_bytes()[..5]).unwrap(), "治");
    }

    #[test]
    fn nul_bytes_are_binary() {
        assert_eq!(decode(b"PK\x03\x04\0\0\x01"), Err(BINARY));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = decode(&bytes);
        }
    }
}
