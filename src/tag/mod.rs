//! Stage 2, `RawCase` → `Tags`, pure: region from the embedded gazetteer, measure types from
//! the lexicon over the taxonomy, publication year and years mentioned. Pinned tags from the
//! user's sidecar files override the tagger. Never touches files other than its own data
//! files (lexicon override and pin files under the corpus root), and never the index.
//! Formats for users: docs/tagging.md.

use std::path::Path;

use crate::model::{RawCase, Tags};
use crate::{Error, Result};

pub mod eval;
pub(crate) mod gazetteer;
mod measures;
mod pins;
mod region;
mod year;

/// Name of the user's lexicon under the corpus root; it is laid over the embedded one.
pub const LEXICON_FILE: &str = "zhili-lexicon.toml";
/// Name of the corpus-level pin file under the corpus root.
pub const PINS_FILE: &str = pins::CORPUS_FILE;
/// Suffix of a sidecar pin file: `report.txt` → `report.txt.tags.toml`.
pub const SIDECAR_SUFFIX: &str = pins::SIDECAR_SUFFIX;
/// Largest pin or lexicon file read; a larger one is refused without being read.
pub const MAX_USER_FILE_BYTES: u64 = 1024 * 1024;

/// The text of one of the user's tagging files (pins, lexicon); the error is the reason in
/// words (the caller names the file): larger than [`MAX_USER_FILE_BYTES`], not readable, not
/// UTF-8.
pub(crate) fn read_user_file(path: &Path) -> std::result::Result<String, String> {
    use std::io::Read;
    let too_big = || {
        format!(
            "larger than the {} limit of a pin or lexicon file; not read",
            crate::ingest::human_size(MAX_USER_FILE_BYTES)
        )
    };
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    if file.metadata().is_ok_and(|m| m.len() > MAX_USER_FILE_BYTES) {
        return Err(too_big());
    }
    let mut text = String::new();
    let read = file
        .take(MAX_USER_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read: {e}"))?;
    if read as u64 > MAX_USER_FILE_BYTES {
        return Err(too_big());
    }
    Ok(text)
}

/// Bumped when the tagging rules change, so that fingerprints (and re-tagging) follow.
const RULES_VERSION: &str = "tag-rules-2";

/// Everything the tagger needs, loaded once and shared (read-only) by all ingest threads.
pub struct Tagger {
    lexicon: measures::Lexicon,
    lexicon_digest: String,
    pins: pins::Pins,
    /// The fingerprint of a file with nothing pinned.
    unpinned_fingerprint: String,
}

impl Tagger {
    /// Loads the embedded gazetteer and the measure lexicon (an editable file overrides the
    /// embedded one when present), plus the user's pinned tags under `corpus_root`.
    pub fn load(corpus_root: &Path) -> Result<Tagger> {
        let user = corpus_root.join(LEXICON_FILE);
        let user_text = if user.is_file() {
            read_user_file(&user).map_err(|reason| {
                Error::bad_request(format!("measure lexicon {}: {reason}", user.display()))
            })?
        } else {
            String::new()
        };
        let origin = user.display().to_string();
        let lexicon = measures::Lexicon::load(Some((&user_text, &origin)))?;
        let text = format!("{}\n{user_text}", measures::EMBEDDED);
        let _ = gazetteer::get();
        let mut tagger = Tagger {
            lexicon,
            lexicon_digest: blake3::hash(text.as_bytes()).to_hex().to_string(),
            pins: pins::Pins::load(corpus_root)?,
            unpinned_fingerprint: String::new(),
        };
        tagger.unpinned_fingerprint = tagger.fingerprint_of(pins::UNPINNED);
        Ok(tagger)
    }

    /// Tags one document; pinned values win over computed ones.
    pub fn tag(&self, case: &RawCase) -> Tags {
        let mut tags = self.tag_unpinned(case);
        self.pins.apply(case, &mut tags);
        tags
    }

    /// Why the pinned-tags sidecar of a file is refused, if it is (the file is then skipped).
    pub fn pin_error(&self, source_path: &str) -> Option<String> {
        self.pins.sidecar_error(source_path)
    }

    /// Tags one document from its text alone (no pins).
    pub fn tag_unpinned(&self, case: &RawCase) -> Tags {
        let url = case.url.as_deref();
        let (measures, per_passage) = self.lexicon.tag(&case.passages);
        let passage_measures = per_passage
            .iter()
            .map(|found| found.iter().map(|(id, _)| id.clone()).collect())
            .collect();
        let passage_evidence = per_passage
            .into_iter()
            .map(|f| f.into_iter().collect())
            .collect();
        Tags {
            region: region::region(&case.title, &case.text, url),
            year: year::year(case),
            years_mentioned: year::years_mentioned(&case.title, &case.text),
            measures,
            passage_measures,
            passage_evidence,
        }
    }

    /// A string that changes whenever the pinned tags or the lexicon that apply to the file at
    /// `source_path` change, so that the incremental ingest re-tags that file. `has_sidecar`
    /// is whether the walk saw a pinned-tags sidecar beside the file (`None`: not listed).
    pub fn fingerprint(&self, source_path: &str, has_sidecar: Option<bool>) -> String {
        if has_sidecar == Some(false) && !self.pins.pins_in_corpus_file(source_path) {
            // Most files of a large corpus: nothing pinned, the same fingerprint.
            return self.unpinned_fingerprint.clone();
        }
        self.fingerprint_of(&self.pins.fingerprint_input(source_path))
    }

    fn fingerprint_of(&self, pins: &str) -> String {
        let mut h = blake3::Hasher::new();
        h.update(RULES_VERSION.as_bytes());
        h.update(self.lexicon_digest.as_bytes());
        h.update(pins.as_bytes());
        h.finalize().to_hex()[..16].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(title: &str, text: &str) -> RawCase {
        RawCase {
            source_path: "a.txt".into(),
            ordinal: 0,
            title: title.into(),
            text: text.into(),
            url: None,
            published: None,
            publisher: None,
            passages: text.split('\n').map(String::from).collect(),
        }
    }

    #[test]
    fn tagger_is_send_and_sync_and_aligned_with_passages() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Tagger>();
        let dir = tempfile::tempdir().unwrap();
        let tagger = Tagger::load(dir.path()).unwrap();
        let video =
            "全县建成雪亮工程视频监控点位两千个，重点部位全覆盖，人脸识别系统接入指挥中心。";
        let tags = tagger.tag(&case("t", &format!("{video}\n{video}\n无关")));
        assert_eq!(tags.passage_measures.len(), 3);
        assert_eq!(tags.measures, vec!["video".to_string()]);
        assert!(tags.passage_evidence[0]["video"].contains(&"雪亮工程".to_string()));
    }

    #[test]
    fn user_lexicon_adds_to_embedded_and_changes_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let before = Tagger::load(dir.path()).unwrap();
        std::fs::write(
            dir.path().join(LEXICON_FILE),
            "[grid]\nphrases = [\"天网\"]\n",
        )
        .unwrap();
        let after = Tagger::load(dir.path()).unwrap();
        assert_ne!(
            before.fingerprint("a.txt", None),
            after.fingerprint("a.txt", None)
        );
        let text = "全县推进天网建设，在城乡主要路口布建点位，由公安机关统一维护管理，守护一方平安，\
                    发现可疑人员和车辆及时通报，全年协助破获盗窃案件多起，群众安全感明显提升。";
        let tags = after.tag(&case("t", text));
        assert_eq!(tags.measures, vec!["grid".to_string()]);
        std::fs::write(dir.path().join(LEXICON_FILE), "[nonsense]\nphrases = []\n").unwrap();
        assert!(Tagger::load(dir.path()).is_err());
    }

    #[test]
    fn pins_win_and_change_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let plain = Tagger::load(dir.path()).unwrap().fingerprint("a.txt", None);
        std::fs::write(
            dir.path().join("a.txt.tags.toml"),
            "year = 2020\n[[doc]]\nordinal = 0\nregion = \"甘肃/张掖\"\nmeasures = [\"grid\"]\n",
        )
        .unwrap();
        let tagger = Tagger::load(dir.path()).unwrap();
        assert_ne!(tagger.fingerprint("a.txt", None), plain);
        let tags = tagger.tag(&case("2024年工作方案", "上海市推进。"));
        assert_eq!(tags.year, Some(2020));
        assert_eq!(tags.region.path.as_deref(), Some("甘肃省/张掖市"));
        assert_eq!(tags.measures, vec!["grid".to_string()]);
    }

    #[test]
    fn corpus_level_pins_by_title() {
        let dir = tempfile::tempdir().unwrap();
        let toml = "[\"a.txt\"]\nyear = 0\n[[\"a.txt\".doc]]\ntitle = \"第二篇\"\nregion = \"\"\n";
        std::fs::write(dir.path().join(PINS_FILE), toml).unwrap();
        let tagger = Tagger::load(dir.path()).unwrap();
        let tags = tagger.tag(&case("第二篇", "2023年5月\n上海市浦东新区推进。上海市。"));
        assert_eq!(tags.year, None);
        assert_eq!(tags.region.path, None);
        let other = Tagger::load(dir.path()).unwrap().fingerprint("b.txt", None);
        assert_ne!(tagger.fingerprint("a.txt", None), other);
    }

    #[test]
    fn a_file_the_walk_saw_without_a_sidecar_has_the_fingerprint_a_lookup_gives() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(PINS_FILE), "[\"a.txt\"]\nyear = 2020\n").unwrap();
        let tagger = Tagger::load(dir.path()).unwrap();
        // The shortcut for files without pins gives what looking for pins gives, so that
        // the fingerprints in a manifest stay valid.
        let unpinned = tagger.fingerprint("b.txt", Some(false));
        assert_eq!(unpinned, tagger.fingerprint("b.txt", None));
        // A file the corpus's pins file names is never taken for unpinned.
        assert_eq!(
            tagger.fingerprint("a.txt", Some(false)),
            tagger.fingerprint("a.txt", None)
        );
        assert_ne!(tagger.fingerprint("a.txt", Some(false)), unpinned);
    }
}
