//! The manifest: what the index holds, per source file (size, mtime, content hash, tagger
//! fingerprint, its documents with their near-duplicate signatures and status). It is written
//! next to the tantivy files as `manifest-<hash>.bin` (`codec`'s encoding: every ingest reads
//! it whole, and a million files' worth of JSON took seconds to parse); the commit payload
//! names it, so the manifest a reader sees always belongs to the commit it sees. The payload
//! also names the commit's document files (see `documents`).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};

use crate::ingest::dedup::Signature;
use crate::model::{Added, Source, Version};
use crate::{Error, Result};

use super::codec::{Decoder, Encoder};
use super::documents::CommittedFile;
use super::schema::SCHEMA_VERSION;
use super::stored::{decode_source, decode_version, encode_source, encode_version};

/// The first bytes of a manifest file, then its format version.
const MAGIC: &[u8; 8] = b"ZHILIMAN";
const FORMAT: u8 = 2;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifest {
    pub schema_version: u32,
    /// By source path (corpus-relative, `/`-separated).
    pub files: BTreeMap<String, FileEntry>,
    /// Files that could not be imported in the run that wrote this manifest, and why: the
    /// next run tells new failures from recurring ones.
    pub failed: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileEntry {
    pub size: u64,
    pub mtime_ns: u128,
    /// blake3 of the file's bytes.
    pub hash: String,
    /// The tagger's fingerprint for this file (pins, lexicon) when it was tagged.
    pub fingerprint: String,
    pub docs: Vec<DocEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocEntry {
    pub id: String,
    /// The title (listed with the versions of a text).
    pub title: String,
    /// When the document was first indexed.
    pub added: Option<Added>,
    pub url: Option<String>,
    /// Length of the text in characters (one of the things that decide which document of a
    /// duplicate group is canonical, see `pipeline::duplicates`).
    pub chars: usize,
    /// The document's year: a newer version of a text is never folded into an older one.
    pub year: Option<i32>,
    pub passages: usize,
    pub signature: KeptSignature,
    /// The near-duplicate status the document was indexed with.
    pub duplicate_of: Option<String>,
    pub duplicates: Vec<Source>,
    /// Of a canonical document: the versions folded into it, newest first.
    pub versions: Vec<Version>,
}

/// The commit payload: which manifest file belongs to the commit.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    schema_version: u32,
    manifest: String,
    /// The document files (`documents`) the commit's documents are in.
    #[serde(default)]
    documents: Vec<CommittedFile>,
}

/// A document's near-duplicate signature as the manifest keeps it: as computed, or as its
/// bytes in the mapped manifest file (the shingle count as a little-endian u32, then the
/// little-endian u16 bins), decoded only when a run settles near-duplicates (the signatures
/// are most of a manifest, and a run that changes nothing never looks at them).
#[derive(Clone)]
pub enum KeptSignature {
    Computed(Signature),
    Mapped(OwnedBytes),
}

impl KeptSignature {
    /// The signature, decoded.
    pub fn signature(&self) -> Signature {
        match self {
            KeptSignature::Computed(signature) => signature.clone(),
            KeptSignature::Mapped(bytes) => {
                let (shingles, bins) = bytes.as_slice().split_at(4);
                Signature {
                    bins: (bins.chunks_exact(2))
                        .map(|b| u16::from_le_bytes([b[0], b[1]]))
                        .collect(),
                    shingles: u32::from_le_bytes(shingles.try_into().expect("4 bytes")),
                }
            }
        }
    }
}

impl From<Signature> for KeptSignature {
    fn from(signature: Signature) -> KeptSignature {
        KeptSignature::Computed(signature)
    }
}

impl PartialEq for KeptSignature {
    fn eq(&self, other: &KeptSignature) -> bool {
        match (self, other) {
            (KeptSignature::Mapped(a), KeptSignature::Mapped(b)) => a.as_slice() == b.as_slice(),
            _ => self.signature() == other.signature(),
        }
    }
}

impl std::fmt::Debug for KeptSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.signature().fmt(f)
    }
}

impl Manifest {
    pub fn new() -> Manifest {
        Manifest {
            schema_version: SCHEMA_VERSION,
            files: BTreeMap::new(),
            failed: BTreeMap::new(),
        }
    }

    pub fn documents(&self) -> u64 {
        self.files.values().map(|f| f.docs.len() as u64).sum()
    }

    pub fn passages(&self) -> u64 {
        self.files
            .values()
            .flat_map(|f| &f.docs)
            .map(|d| d.passages as u64)
            .sum()
    }

    /// The index format a commit payload records (`None` for a commit without one).
    pub fn schema_version_of(payload: Option<&str>) -> Result<Option<u32>> {
        let Some(payload) = payload else {
            return Ok(None);
        };
        let payload: Payload = serde_json::from_str(payload)?;
        Ok(Some(payload.schema_version))
    }

    /// Reads the manifest named by a commit payload (none → an empty manifest, as for an index
    /// that was built without one).
    pub fn load(generation: &Path, payload: Option<&str>) -> Result<Manifest> {
        let Some(payload) = payload else {
            return Ok(Manifest::new());
        };
        let payload: Payload = serde_json::from_str(payload)?;
        if payload.schema_version != SCHEMA_VERSION {
            return Ok(Manifest {
                schema_version: payload.schema_version,
                files: BTreeMap::new(),
                failed: BTreeMap::new(),
            });
        }
        let path = generation.join(&payload.manifest);
        // Mapped, not read: a copy of a million files' manifest is most of a no-op's memory.
        let cannot = |e: &dyn std::fmt::Display| {
            Error::internal(format!("cannot read {}: {e}", path.display()))
        };
        let directory = MmapDirectory::open(generation).map_err(|e| cannot(&e))?;
        let file = directory
            .open_read(Path::new(&payload.manifest))
            .map_err(|e| cannot(&e))?;
        let bytes = file.read_bytes().map_err(|e| cannot(&e))?;
        decode(&bytes).ok_or_else(|| {
            Error::internal(format!(
                "{} is damaged: it is not a whole manifest",
                path.display()
            ))
        })
    }

    /// When each document was first indexed, from the manifest a commit payload names,
    /// whatever its format version (JSON before schema 13): a rebuild keeps the dates. Empty
    /// when it cannot be read.
    pub fn added_times(generation: &Path, payload: Option<&str>) -> HashMap<String, Added> {
        #[derive(Deserialize)]
        struct Files {
            files: BTreeMap<String, Docs>,
        }
        #[derive(Deserialize)]
        struct Docs {
            docs: Vec<Doc>,
        }
        #[derive(Deserialize)]
        struct Doc {
            id: String,
            #[serde(default)]
            added: Option<Added>,
        }
        let read = || -> Option<HashMap<String, Added>> {
            let payload: Payload = serde_json::from_str(payload?).ok()?;
            let bytes = fs::read(generation.join(&payload.manifest)).ok()?;
            let dated = |(id, added): (String, Option<Added>)| Some((id, added?));
            if !payload.manifest.ends_with(".json") {
                let docs = decode(&OwnedBytes::new(bytes))?.files.into_values();
                let docs = docs.flat_map(|f| f.docs).map(|d| (d.id, d.added));
                return Some(docs.filter_map(dated).collect());
            }
            let files = serde_json::from_slice::<Files>(&bytes).ok()?.files;
            let docs = files.into_values().flat_map(|f| f.docs);
            Some(docs.map(|d| (d.id, d.added)).filter_map(dated).collect())
        };
        read().unwrap_or_default()
    }

    /// The document files a commit payload names.
    pub fn documents_of(payload: Option<&str>) -> Result<Vec<CommittedFile>> {
        let Some(payload) = payload else {
            return Ok(Vec::new());
        };
        let payload: Payload = serde_json::from_str(payload)?;
        Ok(payload.documents)
    }

    /// Writes the manifest file (synced) and returns the payload to commit with it, naming
    /// the document files `documents` too.
    pub fn store(&self, generation: &Path, documents: &[CommittedFile]) -> Result<String> {
        Ok(serde_json::to_string(&Payload {
            schema_version: SCHEMA_VERSION,
            manifest: write_named(generation, "manifest", "bin", &encode(self))?,
            documents: documents.to_vec(),
        })?)
    }

    /// Removes manifest files other than the one `payload` names (after a successful commit).
    pub fn remove_stale(generation: &Path, payload: &str) {
        let Ok(payload) = serde_json::from_str::<Payload>(payload) else {
            return;
        };
        let Ok(entries) = fs::read_dir(generation) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("manifest-") && name != payload.manifest {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes `bytes` (synced) as `<kind>-<hash>.<extension>` in `generation`; returns the name.
fn write_named(generation: &Path, kind: &str, extension: &str, bytes: &[u8]) -> Result<String> {
    let name = format!("{kind}-{}.{extension}", &blake3::hash(bytes).to_hex()[..16]);
    let path = generation.join(&name);
    let write = || -> std::io::Result<()> {
        let tmp = generation.join(format!("{name}.tmp"));
        fs::write(&tmp, bytes)?;
        fs::File::open(&tmp)?.sync_all()?;
        fs::rename(&tmp, &path)
    };
    write().map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    Ok(name)
}

/// The manifest in `codec`'s encoding, after `MAGIC` and `FORMAT`: files in path order, a
/// signature as its shingle count and bins in little-endian bytes.
fn encode(manifest: &Manifest) -> Vec<u8> {
    let mut out = Encoder::default();
    out.raw(MAGIC);
    out.u8(FORMAT);
    out.usize(manifest.schema_version as usize);
    out.usize(manifest.files.len());
    for (path, file) in &manifest.files {
        out.str(path);
        out.usize(file.size as usize);
        out.usize((file.mtime_ns >> 64) as usize);
        out.usize(file.mtime_ns as u64 as usize);
        out.str(&file.hash);
        out.str(&file.fingerprint);
        out.list(&file.docs, encode_doc);
    }
    out.usize(manifest.failed.len());
    for (path, why) in &manifest.failed {
        out.str(path);
        out.str(why);
    }
    out.into_bytes()
}

fn encode_doc(out: &mut Encoder, doc: &DocEntry) {
    out.str(&doc.id);
    out.str(&doc.title);
    out.flag(doc.added.is_some());
    if let Some(added) = doc.added {
        out.i64(added.0);
    }
    out.opt_str(doc.url.as_deref());
    out.usize(doc.chars);
    out.opt_i32(doc.year);
    out.usize(doc.passages);
    match &doc.signature {
        KeptSignature::Mapped(bytes) => {
            out.usize(bytes.len());
            out.raw(bytes.as_slice());
        }
        KeptSignature::Computed(signature) => {
            out.usize(4 + 2 * signature.bins.len());
            out.raw(&signature.shingles.to_le_bytes());
            for bin in &signature.bins {
                out.raw(&bin.to_le_bytes());
            }
        }
    }
    out.opt_str(doc.duplicate_of.as_deref());
    out.list(&doc.duplicates, encode_source);
    out.list(&doc.versions, encode_version);
}

/// The manifest `encode` wrote; `None` when the bytes are not one, whole. Signatures stay in
/// `bytes`.
fn decode(bytes: &OwnedBytes) -> Option<Manifest> {
    let rest = bytes
        .as_slice()
        .strip_prefix(MAGIC)?
        .strip_prefix(&[FORMAT])?;
    let mut read = Decoder::new(rest);
    let schema_version = u32::try_from(read.usize()?).ok()?;
    let count = read.usize()?;
    let mut files = Vec::with_capacity(count.min(rest.len()));
    for _ in 0..count {
        let path = read.string()?;
        let size = read.usize()? as u64;
        let mtime_ns = (read.usize()? as u128) << 64 | read.usize()? as u128;
        let entry = FileEntry {
            size,
            mtime_ns,
            hash: read.string()?,
            fingerprint: read.string()?,
            docs: read.list(|read| decode_doc(read, bytes))?,
        };
        files.push((path, entry));
    }
    let count = read.usize()?;
    let mut failed = Vec::with_capacity(count.min(rest.len()));
    for _ in 0..count {
        failed.push((read.string()?, read.string()?));
    }
    read.is_done().then(|| Manifest {
        schema_version,
        files: files.into_iter().collect(),
        failed: failed.into_iter().collect(),
    })
}

fn decode_doc(read: &mut Decoder, file: &OwnedBytes) -> Option<DocEntry> {
    Some(DocEntry {
        id: read.string()?,
        title: read.string()?,
        added: match read.flag()? {
            true => Some(Added(read.i64()?)),
            false => None,
        },
        url: read.opt_string()?,
        chars: read.usize()?,
        year: read.opt_i32()?,
        passages: read.usize()?,
        signature: {
            let kept = read.bytes()?;
            if kept.len() < 4 || kept.len() % 2 != 0 {
                return None;
            }
            let start = kept.as_ptr() as usize - file.as_slice().as_ptr() as usize;
            KeptSignature::Mapped(file.slice(start..start + kept.len()))
        },
        duplicate_of: read.opt_string()?,
        duplicates: read.list(decode_source)?,
        versions: read.list(decode_version)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        let mut manifest = Manifest::new();
        let doc = DocEntry {
            id: "x".into(),
            title: "网格化服务管理条例".into(),
            added: Some(Added(1_764_000_000)),
            url: Some("https://example.org/a".into()),
            chars: 10,
            year: Some(2021),
            passages: 2,
            signature: Signature {
                bins: vec![1, u16::MAX, 3],
                shingles: 40,
            }
            .into(),
            duplicate_of: None,
            duplicates: vec![Source {
                path: "b.txt".into(),
                published: Some("2021-04".into()),
                ..Source::default()
            }],
            versions: vec![Version {
                id: "y".into(),
                title: "旧版".into(),
                year: None,
            }],
        };
        let folded = DocEntry {
            id: "z".into(),
            added: None,
            url: None,
            year: None,
            signature: Signature::default().into(),
            duplicate_of: Some("x".into()),
            duplicates: Vec::new(),
            versions: Vec::new(),
            ..doc.clone()
        };
        manifest.files.insert(
            "a.txt".into(),
            FileEntry {
                size: 3,
                mtime_ns: (1u128 << 64) + 7,
                hash: "h".into(),
                fingerprint: String::new(),
                docs: vec![doc, folded],
            },
        );
        manifest
            .failed
            .insert("c.docx".into(), "不是 docx 文件".into());
        manifest
    }

    fn manifest_file(dir: &Path) -> std::path::PathBuf {
        let names = fs::read_dir(dir).unwrap().flatten().map(|e| e.path());
        let mut manifests = names.filter(|p| p.to_string_lossy().contains("manifest-"));
        let found = manifests.next().unwrap();
        assert!(manifests.next().is_none());
        found
    }

    #[test]
    fn a_stored_manifest_loads_back_from_its_payload() {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = sample();
        let payload = manifest.store(tmp.path(), &[]).unwrap();
        let loaded = Manifest::load(tmp.path(), Some(&payload)).unwrap();
        assert_eq!(loaded, manifest);
        // The signatures stay in the mapped file until asked for, and decode as written.
        let (kept, written) = (
            &loaded.files["a.txt"].docs[0],
            &manifest.files["a.txt"].docs[0],
        );
        assert!(matches!(kept.signature, KeptSignature::Mapped(_)));
        assert_eq!(kept.signature.signature(), written.signature.signature());
        let decoded = kept.signature.signature();
        assert_eq!((decoded.bins, decoded.shingles), (vec![1, u16::MAX, 3], 40));
        let mut other = loaded.clone();
        other.files.get_mut("a.txt").unwrap().docs[0].signature = Signature {
            bins: vec![1, 2, 3],
            shingles: 40,
        }
        .into();
        assert_ne!(
            other, loaded,
            "a different signature is a different manifest"
        );
        assert_eq!(manifest.documents(), 2);
        assert_eq!(manifest.passages(), 4);
        let added = Manifest::added_times(tmp.path(), Some(&payload));
        assert_eq!(added, HashMap::from([("x".into(), Added(1_764_000_000))]));
    }

    #[test]
    fn a_damaged_manifest_is_an_error_that_says_so() {
        let tmp = tempfile::tempdir().unwrap();
        let payload = sample().store(tmp.path(), &[]).unwrap();
        let path = manifest_file(tmp.path());
        let whole = fs::read(&path).unwrap();
        for damaged in [
            &whole[..whole.len() - 1],
            &whole[1..],
            &[whole.clone(), vec![0]].concat(),
        ] {
            fs::write(&path, damaged).unwrap();
            let err = Manifest::load(tmp.path(), Some(&payload)).unwrap_err();
            assert!(err.to_string().contains("is damaged"), "{err}");
        }
    }

    #[test]
    fn the_dates_of_an_older_json_manifest_are_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let json = r#"{"schema_version":12,"files":{"a.txt":{"size":1,"docs":[
            {"id":"x","added":"2025-11-24T16:00:00Z"},{"id":"y"}]}}}"#;
        fs::write(tmp.path().join("manifest-0.json"), json).unwrap();
        let payload = r#"{"schema_version":12,"manifest":"manifest-0.json","signatures":"s"}"#;
        let added = Manifest::added_times(tmp.path(), Some(payload));
        assert_eq!(added, HashMap::from([("x".into(), Added(1_764_000_000))]));
        assert_eq!(added["x"].iso(), "2025-11-24T16:00:00Z");
    }
}
