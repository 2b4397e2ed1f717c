//! A small binary encoding for the stored record (see `stored`) and the manifest: LEB128
//! varints, strings as a length and UTF-8 bytes, options as a 0/1 flag, lists as a count.
//! A record is read for every hit of every search, the manifest by every ingest; JSON took
//! 85 K instructions per document to parse (a third of a search), this takes a few thousand.
//! Reading never panics: a short or malformed buffer is `None`.

/// Appends values to a byte buffer.
#[derive(Default)]
pub struct Encoder {
    bytes: Vec<u8>,
}

impl Encoder {
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    pub fn usize(&mut self, value: usize) {
        let mut rest = value as u64;
        while rest >= 0x80 {
            self.bytes.push((rest as u8) | 0x80);
            rest >>= 7;
        }
        self.bytes.push(rest as u8);
    }

    /// Zigzag, so that small negative numbers stay short.
    pub fn i32(&mut self, value: i32) {
        let zigzag = ((value << 1) ^ (value >> 31)) as u32;
        self.usize(zigzag as usize);
    }

    /// Zigzag, as `i32`.
    pub fn i64(&mut self, value: i64) {
        let zigzag = ((value << 1) ^ (value >> 63)) as u64;
        self.usize(zigzag as usize);
    }

    pub fn str(&mut self, value: &str) {
        self.bytes(value.as_bytes());
    }

    /// A length and the bytes as they are.
    pub fn bytes(&mut self, value: &[u8]) {
        self.usize(value.len());
        self.raw(value);
    }

    /// The bytes as they are, with no length (a header, or the parts of a `bytes` value).
    pub fn raw(&mut self, value: &[u8]) {
        self.bytes.extend_from_slice(value);
    }

    pub fn opt_str(&mut self, value: Option<&str>) {
        self.flag(value.is_some());
        if let Some(value) = value {
            self.str(value);
        }
    }

    pub fn opt_i32(&mut self, value: Option<i32>) {
        self.flag(value.is_some());
        if let Some(value) = value {
            self.i32(value);
        }
    }

    pub fn flag(&mut self, value: bool) {
        self.u8(u8::from(value));
    }

    /// A count, then each item with `item`.
    pub fn list<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Encoder, &T)) {
        self.usize(items.len());
        for value in items {
            item(self, value);
        }
    }
}

/// Reads values back in the order they were written.
pub struct Decoder<'a> {
    bytes: &'a [u8],
}

impl<'a> Decoder<'a> {
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { bytes }
    }

    pub fn is_done(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn u8(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    pub fn usize(&mut self) -> Option<usize> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return usize::try_from(value).ok();
            }
        }
        None
    }

    pub fn i32(&mut self) -> Option<i32> {
        let zigzag = u32::try_from(self.usize()?).ok()?;
        Some(((zigzag >> 1) as i32) ^ -((zigzag & 1) as i32))
    }

    pub fn i64(&mut self) -> Option<i64> {
        let zigzag = self.usize()? as u64;
        Some(((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64))
    }

    pub fn str(&mut self) -> Option<&'a str> {
        simdutf8::basic::from_utf8(self.bytes()?).ok()
    }

    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.usize()?;
        let (value, rest) = self.bytes.split_at_checked(len)?;
        self.bytes = rest;
        Some(value)
    }

    pub fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    pub fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    pub fn opt_string(&mut self) -> Option<Option<String>> {
        if self.flag()? {
            self.string().map(Some)
        } else {
            Some(None)
        }
    }

    pub fn opt_i32(&mut self) -> Option<Option<i32>> {
        if self.flag()? {
            self.i32().map(Some)
        } else {
            Some(None)
        }
    }

    /// A count, then that many items read by `item`. The count is checked against the bytes
    /// left (every item takes at least one byte), so a corrupt count cannot allocate much.
    pub fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Decoder<'a>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let count = self.usize()?;
        if count > self.bytes.len() {
            return None;
        }
        let mut items = Vec::with_capacity(count);
        for _ in 0..count {
            items.push(item(self)?);
        }
        Some(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written() {
        let mut out = Encoder::default();
        for n in [0, 1, 127, 128, 300, 1 << 40, usize::MAX] {
            out.usize(n);
        }
        for n in [0, -1, 1, 2024, i32::MIN, i32::MAX] {
            out.i32(n);
        }
        for n in [0, -1, 1_764_000_000, i64::MIN, i64::MAX] {
            out.i64(n);
        }
        out.bytes(&[0xff, 0]);
        out.str("网格化管理");
        out.opt_str(None);
        out.opt_str(Some(""));
        out.opt_i32(Some(-3));
        out.list(&[3usize, 700], |out, n| out.usize(*n));
        let bytes = out.into_bytes();

        let mut read = Decoder::new(&bytes);
        for n in [0, 1, 127, 128, 300, 1 << 40, usize::MAX] {
            assert_eq!(read.usize(), Some(n));
        }
        for n in [0, -1, 1, 2024, i32::MIN, i32::MAX] {
            assert_eq!(read.i32(), Some(n));
        }
        for n in [0, -1, 1_764_000_000, i64::MIN, i64::MAX] {
            assert_eq!(read.i64(), Some(n));
        }
        assert_eq!(read.bytes(), Some(&[0xff, 0][..]));
        assert_eq!(read.str(), Some("网格化管理"));
        assert_eq!(read.opt_string(), Some(None));
        assert_eq!(read.opt_string(), Some(Some(String::new())));
        assert_eq!(read.opt_i32(), Some(Some(-3)));
        assert_eq!(read.list(|r| r.usize()), Some(vec![3, 700]));
        assert!(read.is_done());
    }

    #[test]
    fn truncated_or_malformed_bytes_are_none_not_a_panic() {
        let mut out = Encoder::default();
        out.str("网格化管理");
        let bytes = out.into_bytes();
        for cut in 0..bytes.len() {
            assert_eq!(Decoder::new(&bytes[..cut]).str(), None, "cut at {cut}");
        }
        let mut split_char = bytes.clone();
        split_char[0] = 4; // a length that ends inside a character
        assert_eq!(Decoder::new(&split_char).str(), None);
        assert_eq!(Decoder::new(&[0xff; 11]).usize(), None);
        assert_eq!(Decoder::new(&[2]).flag(), None);
        assert_eq!(Decoder::new(&[200, 1]).list(|r| r.u8()), None);
    }
}
