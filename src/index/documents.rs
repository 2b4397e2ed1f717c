//! The stored documents, in files of zhili's own beside the tantivy segments. tantivy indexes
//! a document; what a hit shows (the record of `stored` and the text) is appended to a
//! `documents-<n>.bin` of the generation, and the document's fast fields (`stored_in`,
//! `stored_at`, `stored_len`) say where. Each write session appends to a new file, synced
//! before the commit whose payload names it, so a committed file never changes: a reader
//! maps it through tantivy's `MmapDirectory` and a hit decompresses just its own entry into
//! the loader's buffer. Each document is compressed alone (LZ4, chosen over zstd for the
//! time a hit takes to unpack; BENCHMARKS.md measures both), so a hit never unpacks its
//! neighbours as a block store would; nothing here knows tantivy's file formats. Alone, a
//! short document shares little with itself: every entry of a file is compressed against
//! the file's dictionary (LZ4's external dictionary), pieces of the first documents the
//! session writes (`DocumentWriter::wants_samples`, `Dictionary`), so that the phrases all
//! documents share are stored once a file.
//!
//! A file is `ZHILIDOC`, a u32 version, a u32 dictionary length and the dictionary, then per
//! document a u32 record length, a u32 text length and one LZ4 block of the record followed
//! by the text (integers little-endian; the lengths are those before compression). The bytes
//! of a deleted or replaced document stay until the generation is rebuilt; `usage` tells when
//! they outweigh the live documents, and whether each file holds them; `checksum_matches`
//! whether a file is as its commit recorded it (blake3).

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::columnar::Column;
use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};
use tantivy::{DocAddress, DocId, Index, ReloadPolicy, Searcher, SegmentReader};

use super::schema::{STORED_AT, STORED_IN, STORED_LEN};
use super::stored::StoredDoc;
use crate::model::CaseDoc;
use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"ZHILIDOC";
const VERSION: u32 = 3;
/// The magic, the version and the dictionary's length.
const FILE_HEADER: usize = 16;
const ENTRY_HEADER: usize = 8;
/// LZ4 reaches back at most 64 KiB: a longer dictionary would not be used.
const DICTIONARY_BYTES: usize = 64 * 1024;
/// The most a document gives to the dictionary, so that it holds the phrases of many.
const SAMPLE_BYTES: usize = 4 * 1024;
/// The most documents a writer waits for before it makes its dictionary from fewer bytes.
const MAX_SAMPLED: usize = 64;

/// What the entries of one file are compressed against: pieces of the first documents, at
/// most the 64 KiB that LZ4 reaches back.
#[derive(Debug, Default)]
pub struct Dictionary {
    bytes: Vec<u8>,
    sampled: usize,
}

impl Dictionary {
    /// Adds a piece of `text`: its middle `SAMPLE_BYTES` (the running text of a document,
    /// past its title and table of contents).
    pub fn sample(&mut self, text: &str) {
        let len = text.len().min(SAMPLE_BYTES);
        let start = (text.len() - len) / 2;
        self.bytes
            .extend_from_slice(&text.as_bytes()[start..start + len]);
        self.sampled += 1;
    }

    /// True when the samples fill the dictionary, or enough documents were sampled.
    pub fn is_full(&self) -> bool {
        self.bytes.len() >= DICTIONARY_BYTES || self.sampled >= MAX_SAMPLED
    }

    fn into_bytes(mut self) -> Vec<u8> {
        let excess = self.bytes.len().saturating_sub(DICTIONARY_BYTES);
        self.bytes.drain(..excess);
        self.bytes
    }
}

/// The name of document file `number`.
fn file_name(number: u64) -> String {
    format!("documents-{number:06}.bin")
}

fn file_number(name: &str) -> Option<u64> {
    name.strip_prefix("documents-")?
        .strip_suffix(".bin")?
        .parse()
        .ok()
}

/// A document file as a commit names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommittedFile {
    pub name: String,
    /// blake3 of the file's bytes.
    pub blake3: String,
}

/// Where a document's bytes are: file number, offset, length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub file: u64,
    pub at: u64,
    pub len: u64,
}

/// Appends the documents of one write session to a file of its own.
pub struct DocumentWriter {
    path: PathBuf,
    number: u64,
    /// Opened at the first document: a session that adds nothing writes no file.
    out: Option<BufWriter<File>>,
    len: u64,
    hash: blake3::Hasher,
    /// The record and the text of the document being appended.
    plain: Vec<u8>,
    /// The file's dictionary, once made.
    dictionary: Option<Vec<u8>>,
}

impl DocumentWriter {
    /// A writer for `generation`, whose last commit named the files `committed`. Files it
    /// does not name are what a failed run left; they are removed (the caller holds the write
    /// lock, and no committed document points into them). The new file's number is above
    /// every file's, left over or not, so that a number is never used for two contents.
    pub fn open(generation: &Path, committed: &[CommittedFile]) -> Result<DocumentWriter> {
        let mut highest = 0;
        let entries = fs::read_dir(generation)
            .map_err(|e| Error::io(format!("cannot read {}", generation.display()), e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(number) = file_number(&name) else {
                continue;
            };
            highest = highest.max(number);
            if !committed.iter().any(|file| file.name == name) {
                fs::remove_file(entry.path()).map_err(|e| {
                    Error::io(format!("cannot remove {}", entry.path().display()), e)
                })?;
            }
        }
        let number = highest + 1;
        Ok(DocumentWriter {
            path: generation.join(file_name(number)),
            number,
            out: None,
            len: 0,
            hash: blake3::Hasher::new(),
            plain: Vec::new(),
            dictionary: None,
        })
    }

    /// True until the file's dictionary is made (`set_dictionary`): the documents sampled
    /// for it are appended after.
    pub fn wants_samples(&self) -> bool {
        self.dictionary.is_none()
    }

    /// Makes the file's dictionary; the documents appended from now on are compressed
    /// against it.
    pub fn set_dictionary(&mut self, dictionary: Dictionary) {
        self.dictionary = Some(dictionary.into_bytes());
    }

    /// Appends one document's record and text (with an empty dictionary when none was made).
    pub fn append(&mut self, record: &[u8], text: &[u8]) -> Result<Location> {
        let failed = |e| Error::io(format!("cannot write {}", self.path.display()), e);
        let too_long = || Error::internal(format!("a document of {} bytes", text.len()));
        let record_len = u32::try_from(record.len()).map_err(|_| too_long())?;
        let text_len = u32::try_from(text.len()).map_err(|_| too_long())?;
        self.plain.clear();
        self.plain.extend_from_slice(record);
        self.plain.extend_from_slice(text);
        let dictionary = self.dictionary.get_or_insert_default();
        let frame = lz4_flex::block::compress_with_dict(&self.plain, dictionary);
        let hash = &mut self.hash;
        let mut write = |out: &mut BufWriter<File>, bytes: &[u8]| {
            hash.update(bytes);
            out.write_all(bytes).map_err(failed)
        };
        if self.out.is_none() {
            let mut out = BufWriter::new(File::create(&self.path).map_err(failed)?);
            let dictionary_len = u32::try_from(dictionary.len()).expect("at most 64 KiB");
            write(&mut out, MAGIC)?;
            write(&mut out, &VERSION.to_le_bytes())?;
            write(&mut out, &dictionary_len.to_le_bytes())?;
            write(&mut out, dictionary)?;
            self.out = Some(out);
            self.len = (FILE_HEADER + dictionary.len()) as u64;
        }
        let out = self.out.as_mut().expect("opened above");
        write(out, &record_len.to_le_bytes())?;
        write(out, &text_len.to_le_bytes())?;
        write(out, &frame)?;
        let len = (ENTRY_HEADER + frame.len()) as u64;
        let location = Location {
            file: self.number,
            at: self.len,
            len,
        };
        self.len += len;
        Ok(location)
    }

    /// Writes out and syncs the file; its name and checksum, when the session wrote one.
    pub fn finish(&mut self) -> Result<Option<CommittedFile>> {
        let Some(out) = self.out.take() else {
            return Ok(None);
        };
        let failed = |e| Error::io(format!("cannot write {}", self.path.display()), e);
        let file = out.into_inner().map_err(|e| failed(e.into_error()))?;
        file.sync_all().map_err(failed)?;
        Ok(Some(CommittedFile {
            name: file_name(self.number),
            blake3: self.hash.finalize().to_hex().to_string(),
        }))
    }
}

/// The document files of one generation, each mapped once.
pub struct DocumentFiles {
    directory: MmapDirectory,
    mapped: Mutex<HashMap<u64, MappedFile>>,
}

/// A document file's bytes, and where its dictionary is in them.
#[derive(Clone)]
struct MappedFile {
    bytes: OwnedBytes,
    dictionary: std::ops::Range<usize>,
}

impl MappedFile {
    fn dictionary(&self) -> &[u8] {
        &self.bytes.as_slice()[self.dictionary.clone()]
    }
}

impl DocumentFiles {
    /// The document files of the generation at `generation` (mapped when first read).
    pub fn open(generation: &Path) -> Result<DocumentFiles> {
        let directory = MmapDirectory::open(generation)
            .map_err(|e| Error::internal(format!("cannot open {}: {e}", generation.display())))?;
        Ok(DocumentFiles {
            directory,
            mapped: Mutex::default(),
        })
    }

    fn get(&self, number: u64) -> Result<MappedFile> {
        let mut mapped = self.mapped.lock().expect("document files lock poisoned");
        if let Some(file) = mapped.get(&number) {
            return Ok(file.clone());
        }
        let file = self.open_file(number)?;
        mapped.insert(number, file.clone());
        Ok(file)
    }

    /// Document file `number`, mapped, its header checked.
    fn open_file(&self, number: u64) -> Result<MappedFile> {
        let name = file_name(number);
        let damaged = |why: &str| Error::internal(format!("the index's {name} {why}"));
        let bytes = (self.directory)
            .open_read(Path::new(&name))
            .map_err(|e| damaged(&format!("cannot be opened ({e})")))?
            .read_bytes()
            .map_err(|e| damaged(&format!("cannot be read ({e})")))?;
        let header = bytes.as_slice().get(..FILE_HEADER);
        let Some(header) = header.filter(|h| &h[..8] == MAGIC && h[8..12] == VERSION.to_le_bytes())
        else {
            return Err(damaged("is not a zhili document file"));
        };
        let dictionary_len = u32::from_le_bytes(header[12..16].try_into().expect("4 bytes"));
        let dictionary = FILE_HEADER..FILE_HEADER + dictionary_len as usize;
        if dictionary.end > bytes.len() {
            return Err(damaged("ends in its dictionary"));
        }
        Ok(MappedFile { bytes, dictionary })
    }
}

/// A segment's location columns.
struct Columns {
    file: Column<u64>,
    at: Column<u64>,
    len: Column<u64>,
}

impl Columns {
    fn of(segment: &SegmentReader) -> Result<Columns> {
        let fast = segment.fast_fields();
        Ok(Columns {
            file: fast.u64(STORED_IN)?,
            at: fast.u64(STORED_AT)?,
            len: fast.u64(STORED_LEN)?,
        })
    }

    fn location(&self, doc: DocId) -> Option<Location> {
        Some(Location {
            file: self.file.first(doc)?,
            at: self.at.first(doc)?,
            len: self.len.first(doc)?,
        })
    }
}

/// Loads stored documents of one searcher, opening each segment's columns once.
pub struct DocLoader<'a> {
    searcher: &'a Searcher,
    files: &'a DocumentFiles,
    columns: Vec<Option<Columns>>,
    /// The record and the text of the last document loaded.
    plain: Vec<u8>,
}

impl<'a> DocLoader<'a> {
    /// A loader for `searcher`, mapping files through `files` (kept by the caller for as
    /// long as the generation is open).
    pub fn new(searcher: &'a Searcher, files: &'a DocumentFiles) -> DocLoader<'a> {
        DocLoader {
            searcher,
            files,
            columns: (0..searcher.segment_readers().len())
                .map(|_| None)
                .collect(),
            plain: Vec::new(),
        }
    }

    /// The stored document at `addr`, whole.
    pub fn load(&mut self, addr: DocAddress) -> Result<CaseDoc> {
        self.load_with(addr, |stored| stored.into_case_doc())
    }

    /// `f` of the stored document at `addr`, its record and text decompressed into the
    /// loader's buffer.
    pub fn load_with<T>(&mut self, addr: DocAddress, f: impl FnOnce(StoredDoc) -> T) -> Result<T> {
        let columns = match &mut self.columns[addr.segment_ord as usize] {
            Some(columns) => columns,
            slot => slot.insert(Columns::of(self.searcher.segment_reader(addr.segment_ord))?),
        };
        let location = columns.location(addr.doc_id).ok_or_else(|| {
            Error::internal(format!(
                "document {addr:?} has no place in the document files"
            ))
        })?;
        let file = self.files.get(location.file)?;
        let damaged = || {
            Error::internal(format!(
                "the index's {} does not hold document {addr:?} where the index says: \
                 rebuild it with `zhili ingest --full`",
                file_name(location.file)
            ))
        };
        let entry = entry(&file.bytes, location).ok_or_else(damaged)?;
        let (record, text) =
            unpack(&entry, file.dictionary(), &mut self.plain).ok_or_else(damaged)?;
        Ok(f(StoredDoc::decode(record, text)?))
    }
}

/// One document's entry in a file: the lengths of its record and text, and their LZ4 block.
#[derive(Debug, PartialEq, Eq)]
struct Entry<'a> {
    record_len: usize,
    text_len: usize,
    frame: &'a [u8],
}

/// The entry at `location` in a file's bytes, when it lies inside them.
fn entry(bytes: &[u8], location: Location) -> Option<Entry<'_>> {
    let start = usize::try_from(location.at).ok()?;
    let end = start.checked_add(usize::try_from(location.len).ok()?)?;
    let entry = bytes.get(start..end)?;
    let (lengths, frame) = entry.split_first_chunk::<ENTRY_HEADER>()?;
    let record_len = u32::from_le_bytes(lengths[..4].try_into().ok()?) as usize;
    let text_len = u32::from_le_bytes(lengths[4..].try_into().ok()?) as usize;
    Some(Entry {
        record_len,
        text_len,
        frame,
    })
}

/// The record and the text of `entry`, decompressed against its file's `dictionary` into
/// `plain`, when the block holds just as many bytes as the entry says.
fn unpack<'p>(
    entry: &Entry,
    dictionary: &[u8],
    plain: &'p mut Vec<u8>,
) -> Option<(&'p [u8], &'p [u8])> {
    let plain_len = entry.record_len.checked_add(entry.text_len)?;
    // An entry cannot unpack to more than 255 times its block (LZ4's best case): a damaged
    // length does not make the loader allocate gigabytes.
    if plain_len / 255 > entry.frame.len() {
        return None;
    }
    plain.resize(plain_len, 0);
    let unpacked =
        lz4_flex::block::decompress_into_with_dict(entry.frame, plain, dictionary).ok()?;
    (unpacked == plain_len).then(|| plain.split_at(entry.record_len))
}

/// How the document files of a committed generation are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Bytes of the documents still in the index, and of the headers and dictionaries.
    pub live: u64,
    /// Bytes of the files.
    pub total: u64,
}

/// Below this many bytes of deleted and replaced documents a generation is never rebuilt for
/// them: a small index is not rebuilt at every other run.
const DEAD_BYTES_KEPT: u64 = 1 << 20;

impl Usage {
    /// True when deleted and replaced documents take more room than the live ones, and more
    /// than `DEAD_BYTES_KEPT`.
    pub fn mostly_dead(&self) -> bool {
        let dead = self.total - self.live.min(self.total);
        dead > self.live.max(DEAD_BYTES_KEPT)
    }
}

/// True when document file `file` of `generation` has the checksum its commit recorded.
pub fn checksum_matches(generation: &Path, file: &CommittedFile) -> Result<bool> {
    let path = generation.join(&file.name);
    let bytes =
        fs::read(&path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    Ok(blake3::hash(&bytes).to_hex().as_str() == file.blake3)
}

/// The usage of the files `committed` by `index` in `generation`; an error naming the file
/// when one is not ours or a live document's bytes are missing.
pub fn usage(index: &Index, generation: &Path, committed: &[CommittedFile]) -> Result<Usage> {
    let files = DocumentFiles::open(generation)?;
    let mut sizes = HashMap::new();
    // A file's header and dictionary are needed while it is: they count as live.
    let mut headers = 0;
    for file in committed {
        let name = &file.name;
        let number = file_number(name)
            .ok_or_else(|| Error::internal(format!("{name} is not a document file name")))?;
        let file = files.open_file(number)?;
        headers += file.dictionary.end as u64;
        sizes.insert(number, file.bytes.len() as u64);
    }
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let searcher: Searcher = reader.searcher();
    let mut live = headers;
    for segment in searcher.segment_readers() {
        let columns = Columns::of(segment)?;
        for doc in segment.doc_ids_alive() {
            let location = columns
                .location(doc)
                .ok_or_else(|| Error::internal("a document has no place in the document files"))?;
            let size = sizes.get(&location.file).copied().unwrap_or(0);
            if location.at + location.len > size {
                return Err(Error::internal(format!(
                    "{} ends before the documents it holds",
                    file_name(location.file)
                )));
            }
            live += location.len;
        }
    }
    Ok(Usage {
        live,
        total: sizes.values().sum(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::index::{IndexDir, build_index, open_index};
    use crate::model::{Passage, Region, Source};

    /// A document of `text`, one passage a line.
    pub(crate) fn case(id: &str, text: &str) -> CaseDoc {
        CaseDoc {
            id: id.into(),
            title: format!("标题{id}"),
            region: Region::default(),
            year: Some(2021),
            years_mentioned: vec![2021],
            measures: vec!["grid".into()],
            source: Source::default(),
            duplicates: vec![],
            duplicate_of: None,
            versions: vec![],
            added: None,
            text: text.into(),
            passages: text
                .split('\n')
                .enumerate()
                .map(|(i, t)| Passage {
                    id: format!("{id}-p{}", i + 1),
                    measures: vec![],
                    evidence: Default::default(),
                    text: t.into(),
                })
                .collect(),
        }
    }

    #[test]
    fn every_document_reads_back_as_it_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut docs: Vec<CaseDoc> = (0..60)
            .map(|i| case(&format!("s{i:02}"), &format!("网格员第{i}次巡逻\n视频监控")))
            .collect();
        docs.push(case("long", &"长文本<&>\"'。".repeat(3000)));
        build_index(dir.path(), &docs).unwrap();
        let generation = IndexDir::new(dir.path()).current().unwrap().unwrap();
        let index = open_index(&generation).unwrap();
        let searcher = index.reader().unwrap().searcher();
        let files = DocumentFiles::open(&generation).unwrap();
        let mut loader = DocLoader::new(&searcher, &files);
        let mut seen = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..segment.max_doc() {
                seen.push(loader.load(DocAddress::new(ord as u32, doc)).unwrap());
            }
        }
        seen.sort_by(|a, b| a.id.cmp(&b.id));
        docs.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(seen, docs);
        let payload = index.load_metas().unwrap().payload;
        let committed = crate::index::Manifest::documents_of(payload.as_deref()).unwrap();
        let names: Vec<&str> = committed.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["documents-000001.bin"]);
        let usage = usage(&index, &generation, &committed).unwrap();
        let file = fs::read(generation.join(&committed[0].name)).unwrap();
        let dictionary_len = u32::from_le_bytes(file[12..16].try_into().unwrap());
        assert!(
            dictionary_len > 0,
            "the documents were sampled for a dictionary"
        );
        assert_eq!(usage.live, usage.total, "all live, the dictionary too");
        assert!(!usage.mostly_dead());
        assert!(checksum_matches(&generation, &committed[0]).unwrap());
        let path = generation.join(&committed[0].name);
        let mut bytes = fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert!(!checksum_matches(&generation, &committed[0]).unwrap());
        bytes.truncate(bytes.len() - 1);
        fs::write(&path, &bytes).unwrap();
        let err = super::usage(&index, &generation, &committed).unwrap_err();
        assert!(
            err.to_string().contains("documents-000001.bin ends before"),
            "{err}"
        );
    }

    #[test]
    fn a_damaged_entry_is_refused_not_misread() {
        let dictionary = "网格化服务管理".as_bytes();
        let text = "网格化服务管理".as_bytes();
        let frame = lz4_flex::block::compress_with_dict(&[b"rr", text].concat(), dictionary);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&(dictionary.len() as u32).to_le_bytes());
        bytes.extend_from_slice(dictionary);
        bytes.extend_from_slice(&2u32.to_le_bytes());
        bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&frame);
        let whole = Location {
            file: 1,
            at: (FILE_HEADER + dictionary.len()) as u64,
            len: (ENTRY_HEADER + frame.len()) as u64,
        };
        let mut plain = Vec::new();
        let found = entry(&bytes, whole).unwrap();
        assert_eq!(
            unpack(&found, dictionary, &mut plain),
            Some((&b"rr"[..], text))
        );
        let other = "社区矫正对象管理".as_bytes();
        let misread = unpack(&found, other, &mut plain).map(|(_, t)| t.to_vec());
        assert_ne!(misread.as_deref(), Some(text), "another dictionary");
        for (record_len, text_len) in [(2, 22), (2, 2), (usize::MAX, 21)] {
            let wrong = Entry {
                record_len,
                text_len,
                ..found
            };
            let unpacked = unpack(&wrong, dictionary, &mut plain);
            assert_eq!(
                unpacked, None,
                "lengths {record_len}+{text_len} do not add up"
            );
        }
        let cut = Location {
            len: whole.len - 1,
            ..whole
        };
        let cut = entry(&bytes, cut).unwrap();
        assert_eq!(unpack(&cut, dictionary, &mut plain), None, "a cut block");
        let beyond = Location { at: 40, ..whole };
        assert_eq!(entry(&bytes, beyond), None, "past the end of the file");
        let huge = Location {
            at: u64::MAX,
            ..whole
        };
        assert_eq!(entry(&bytes, huge), None);
    }

    #[test]
    fn leftovers_of_a_failed_run_are_removed_and_their_numbers_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(file_name(1)), b"committed").unwrap();
        fs::write(dir.path().join(file_name(2)), b"left over").unwrap();
        let committed = CommittedFile {
            name: file_name(1),
            blake3: String::new(),
        };
        let mut writer = DocumentWriter::open(dir.path(), &[committed]).unwrap();
        assert!(dir.path().join(file_name(1)).exists());
        assert!(!dir.path().join(file_name(2)).exists());
        assert_eq!(writer.finish().unwrap(), None, "nothing added, no file");
        let at = writer.append(b"r", "文".as_bytes()).unwrap();
        assert_eq!((at.file, at.at), (3, FILE_HEADER as u64));
        let written = writer.finish().unwrap().unwrap();
        assert_eq!(written.name, file_name(3));
        let bytes = fs::read(dir.path().join(file_name(3))).unwrap();
        assert_eq!(written.blake3, blake3::hash(&bytes).to_hex().as_str());
        assert_eq!(bytes.len() as u64, FILE_HEADER as u64 + at.len);
    }

    #[test]
    fn documents_that_share_phrases_are_stored_smaller_with_the_dictionary() {
        let shared = "对重点场所开展治安巡逻防控，落实网格化服务管理，建立矛盾纠纷多元化解机制。";
        let docs: Vec<String> = (0..64)
            .map(|i| {
                format!(
                    "第{i}号案例\n{}\n{}",
                    shared.repeat(3),
                    "视频监控".repeat(i % 5)
                )
            })
            .collect();
        let size = |dictionary: bool| {
            let dir = tempfile::tempdir().unwrap();
            let mut writer = DocumentWriter::open(dir.path(), &[]).unwrap();
            if dictionary {
                let mut samples = Dictionary::default();
                docs.iter().take(8).for_each(|d| samples.sample(d));
                writer.set_dictionary(samples);
            }
            for doc in &docs {
                writer.append(b"record", doc.as_bytes()).unwrap();
            }
            let file = writer.finish().unwrap().unwrap();
            fs::metadata(dir.path().join(file.name)).unwrap().len()
        };
        let (alone, shared) = (size(false), size(true));
        assert!(
            shared * 2 < alone,
            "{shared} bytes with a dictionary, {alone} without"
        );
    }

    #[test]
    fn mostly_dead_is_more_dead_bytes_than_live_ones() {
        let mb = 1 << 20;
        let usage = |live, total| Usage { live, total };
        assert!(!usage(50 * mb, 100 * mb).mostly_dead());
        assert!(usage(49 * mb, 100 * mb).mostly_dead());
        assert!(!usage(0, 0).mostly_dead());
        assert!(!usage(10, mb + 10).mostly_dead(), "small: kept");
        assert!(usage(10, mb + 11).mostly_dead());
    }
}
