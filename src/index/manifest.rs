//! The manifest: what the index holds, per source file (size, mtime, content hash, tagger
//! fingerprint, its documents with their near-duplicate signatures and status). It is written
//! next to the tantivy files as `manifest-<hash>.json`, with the signatures (most of its bytes,
//! and slow to parse as text) in `signatures-<hash>.bin`; the commit payload names both, so
//! the manifest a reader sees always belongs to the commit it sees. The payload also names the
//! commit's document files (see `documents`).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ingest::dedup::Signature;
use crate::model::{Added, Source, Version};
use crate::{Error, Result};

use super::documents::CommittedFile;
use super::schema::SCHEMA_VERSION;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    /// By source path (corpus-relative, `/`-separated).
    pub files: BTreeMap<String, FileEntry>,
    /// Files that could not be imported in the run that wrote this manifest, and why: the
    /// next run tells new failures from recurring ones.
    #[serde(default)]
    pub failed: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub size: u64,
    pub mtime_ns: u128,
    /// blake3 of the file's bytes.
    pub hash: String,
    /// The tagger's fingerprint for this file (pins, lexicon) when it was tagged.
    pub fingerprint: String,
    pub docs: Vec<DocEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocEntry {
    pub id: String,
    /// The title (listed with the versions of a text).
    #[serde(default)]
    pub title: String,
    /// When the document was first indexed.
    #[serde(default)]
    pub added: Option<Added>,
    pub url: Option<String>,
    /// Length of the text in characters (one of the things that decide which document of a
    /// duplicate group is canonical, see `pipeline::duplicates`).
    pub chars: usize,
    /// The document's year: a newer version of a text is never folded into an older one.
    #[serde(default)]
    pub year: Option<i32>,
    pub passages: usize,
    /// Kept in the signatures file, in the order of the manifest's files and documents.
    #[serde(skip)]
    pub signature: Signature,
    /// The near-duplicate status the document was indexed with.
    pub duplicate_of: Option<String>,
    pub duplicates: Vec<Source>,
    /// Of a canonical document: the versions folded into it, newest first.
    #[serde(default)]
    pub versions: Vec<Version>,
}

/// The commit payload: which manifest and signatures files belong to the commit.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    schema_version: u32,
    manifest: String,
    #[serde(default)]
    signatures: String,
    /// The document files (`documents`) the commit's documents are in.
    #[serde(default)]
    documents: Vec<CommittedFile>,
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
        let read = |name: &str| {
            let path = generation.join(name);
            fs::read(&path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))
        };
        let mut manifest: Manifest = serde_json::from_slice(&read(&payload.manifest)?)?;
        let signatures = read(&payload.signatures)?;
        let mut bins = signatures
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        for doc in manifest.files.values_mut().flat_map(|f| &mut f.docs) {
            let len = bins.next().ok_or_else(|| short(&payload.signatures))?;
            let signature: Vec<u32> = bins.by_ref().take(len as usize).collect();
            if signature.len() != len as usize {
                return Err(short(&payload.signatures));
            }
            doc.signature = Signature(signature);
        }
        if bins.next().is_some() || !signatures.len().is_multiple_of(4) {
            return Err(Error::internal(format!(
                "{} holds more signatures than its manifest has documents",
                payload.signatures
            )));
        }
        Ok(manifest)
    }

    /// When each document was first indexed, from the manifest a commit payload names,
    /// whatever its format version: a rebuild keeps the dates. Empty when it cannot be read.
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
        let read = || -> Option<Files> {
            let payload: Payload = serde_json::from_str(payload?).ok()?;
            let bytes = fs::read(generation.join(&payload.manifest)).ok()?;
            serde_json::from_slice(&bytes).ok()
        };
        let Some(manifest) = read() else {
            return HashMap::new();
        };
        (manifest.files.into_values())
            .flat_map(|file| file.docs)
            .filter_map(|doc| Some((doc.id, doc.added?)))
            .collect()
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
        let mut signatures: Vec<u8> = Vec::new();
        for doc in self.files.values().flat_map(|f| &f.docs) {
            let bins = &doc.signature.0;
            signatures.extend_from_slice(&(bins.len() as u32).to_le_bytes());
            signatures.extend(bins.iter().flat_map(|bin| bin.to_le_bytes()));
        }
        Ok(serde_json::to_string(&Payload {
            schema_version: SCHEMA_VERSION,
            manifest: write_named(generation, "manifest", "json", &serde_json::to_vec(self)?)?,
            signatures: write_named(generation, "signatures", "bin", &signatures)?,
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
            let ours = name == payload.manifest || name == payload.signatures;
            if (name.starts_with("manifest-") || name.starts_with("signatures-")) && !ours {
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

/// A signatures file that ends before its manifest's documents do.
fn short(name: &str) -> Error {
    Error::internal(format!(
        "{name} holds fewer signatures than its manifest has documents"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_manifest_loads_back_from_its_payload() {
        let tmp = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::new();
        manifest.files.insert(
            "a.txt".into(),
            FileEntry {
                size: 3,
                mtime_ns: 7,
                hash: "h".into(),
                fingerprint: String::new(),
                docs: vec![DocEntry {
                    id: "x".into(),
                    title: "t".into(),
                    added: Some(Added(1_764_000_000)),
                    url: None,
                    chars: 10,
                    year: Some(2021),
                    passages: 2,
                    signature: Signature(vec![1, 2, 3]),
                    duplicate_of: None,
                    duplicates: Vec::new(),
                    versions: Vec::new(),
                }],
            },
        );
        let payload = manifest.store(tmp.path(), &[]).unwrap();
        assert_eq!(
            Manifest::load(tmp.path(), Some(&payload)).unwrap(),
            manifest
        );
        let text = fs::read_to_string(
            tmp.path().join(
                fs::read_dir(tmp.path())
                    .unwrap()
                    .flatten()
                    .map(|e| e.file_name())
                    .find(|n| n.to_string_lossy().starts_with("manifest-"))
                    .unwrap(),
            ),
        )
        .unwrap();
        assert!(
            !text.contains("signature"),
            "the signatures are not in the JSON: {text}"
        );
        let signatures = fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().contains("signatures-"))
            .unwrap();
        fs::write(&signatures, [3, 0, 0, 0, 1, 0, 0, 0]).unwrap();
        let err = Manifest::load(tmp.path(), Some(&payload)).unwrap_err();
        assert!(err.to_string().contains("fewer signatures"), "{err}");
        assert_eq!(manifest.documents(), 1);
        assert_eq!(manifest.passages(), 2);
    }
}
