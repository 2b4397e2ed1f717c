//! Whether a committed generation is whole: tantivy's checksum of each file of its segments
//! and the blake3 of each document file (`documents`). A file is checked once per version:
//! once it passes, its stamp (inode, length, modification time) is recorded in the
//! generation's `verified.json`, and a later check skips a file whose stamp is unchanged, so
//! an ingest with nothing to do does not read the whole index. A file rewritten, truncated or
//! replaced has another stamp and is checked again; a change that keeps length and time (a
//! bit flipped on the disk) is not seen.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tantivy::Index;

use super::documents::{self, CommittedFile};
use super::layout::FileStamp;
use crate::{Error, Result};

const VERIFIED: &str = "verified.json";

/// What is wrong with the generation at `generation` (its `index`, whose last commit names
/// the document files `documents`), or `None` when every file is whole. Records the files
/// that passed.
pub fn damage(
    generation: &Path,
    index: &Index,
    documents: &[CommittedFile],
) -> Result<Option<String>> {
    let before = read_verified(generation);
    let mut passed = BTreeMap::new();
    let mut damaged = Vec::new();
    let unchanged = |name: &str, stamp: &Option<FileStamp>| {
        stamp.is_some() && before.get(name) == stamp.as_ref()
    };
    let managed = index.directory().list_managed_files();
    let segment_files: Vec<PathBuf> = (index.load_metas()?.list_segment_files().into_iter())
        .filter(|path| managed.contains(path))
        .collect();
    for path in segment_files {
        let name = path.to_string_lossy().into_owned();
        let stamp = FileStamp::of(&generation.join(&path));
        let whole = unchanged(&name, &stamp)
            || index
                .directory()
                .validate_checksum(&path)
                .map_err(|e| Error::internal(format!("cannot check {name}: {e}")))?;
        match (whole, stamp) {
            (true, Some(stamp)) => {
                passed.insert(name, stamp);
            }
            (true, None) => {}
            (false, _) => damaged.push(name),
        }
    }
    for file in documents {
        let stamp = FileStamp::of(&generation.join(&file.name));
        if unchanged(&file.name, &stamp) {
            passed.insert(file.name.clone(), stamp.expect("unchanged"));
        } else if stamp.is_some() && documents::checksum_matches(generation, file)? {
            passed.insert(file.name.clone(), stamp.expect("checked"));
        } else {
            damaged.push(file.name.clone());
        }
    }
    if passed != before {
        write_verified(generation, &passed)?;
    }
    if damaged.is_empty() {
        return Ok(None);
    }
    damaged.sort();
    Ok(Some(format!("damaged files: {}", damaged.join(", "))))
}

fn read_verified(generation: &Path) -> BTreeMap<String, FileStamp> {
    fs::read(generation.join(VERIFIED))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Replaces `verified.json` by a rename: a reader sees the old record or the new one.
fn write_verified(generation: &Path, passed: &BTreeMap<String, FileStamp>) -> Result<()> {
    let path = generation.join(VERIFIED);
    let tmp = generation.join(format!("{VERIFIED}.tmp"));
    let write = || -> std::io::Result<()> {
        fs::write(&tmp, serde_json::to_vec(passed)?)?;
        fs::rename(&tmp, &path)
    };
    write().map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::documents::tests::case;
    use crate::index::{IndexDir, Manifest, build_index, open_index};

    #[test]
    fn a_file_is_checked_until_it_passes_and_again_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let text = "网格员每日巡逻，化解矛盾纠纷。".repeat(50);
        build_index(dir.path(), &[case("a", &text), case("b", &text)]).unwrap();
        let generation = IndexDir::new(dir.path()).current().unwrap().unwrap();
        let index = open_index(&generation).unwrap();
        let payload = index.load_metas().unwrap().payload;
        let documents = Manifest::documents_of(payload.as_deref()).unwrap();
        assert_eq!(damage(&generation, &index, &documents).unwrap(), None);
        let verified = read_verified(&generation);
        assert!(verified.contains_key(&documents[0].name), "{verified:?}");
        assert!(
            verified.keys().any(|name| name.ends_with(".idx")),
            "{verified:?}"
        );

        let postings = verified
            .keys()
            .find(|n| n.ends_with(".idx"))
            .unwrap()
            .clone();
        let path = generation.join(&postings);
        let mut bytes = fs::read(&path).unwrap();
        bytes[0] ^= 0xff;
        fs::write(&path, &bytes).unwrap();
        let found = damage(&generation, &index, &documents).unwrap().unwrap();
        assert!(
            found.contains(&postings),
            "a rewritten file is checked: {found}"
        );
        assert!(!read_verified(&generation).contains_key(&postings));
        // A file whose stamp is recorded as passed is not read again (how a no-op ingest
        // stays cheap): the damage is not seen.
        let mut trusted = read_verified(&generation);
        trusted.insert(postings.clone(), FileStamp::of(&path).unwrap());
        write_verified(&generation, &trusted).unwrap();
        assert_eq!(damage(&generation, &index, &documents).unwrap(), None);
        bytes[0] ^= 0xff;
        fs::write(&path, &bytes).unwrap();
        assert_eq!(damage(&generation, &index, &documents).unwrap(), None);

        let text = generation.join(&documents[0].name);
        let len = fs::metadata(&text).unwrap().len();
        fs::OpenOptions::new()
            .write(true)
            .open(&text)
            .unwrap()
            .set_len(len - 1)
            .unwrap();
        let found = damage(&generation, &index, &documents).unwrap().unwrap();
        assert!(found.contains(&documents[0].name), "{found}");
        fs::remove_file(&text).unwrap();
        let found = damage(&generation, &index, &documents).unwrap().unwrap();
        assert!(
            found.contains(&documents[0].name),
            "a missing file: {found}"
        );
    }
}
