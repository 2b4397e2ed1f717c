//! Synonyms and aliases of governance vocabulary, expanded at query time (so a change needs
//! no re-indexing): the embedded `data/synonyms.toml`, plus the user's
//! `<corpus>/zhili-synonyms.toml` when present, whose groups are added to the embedded ones.
//! `SynonymFile` re-reads the user's file when it changes. Input: the query text (already
//! normalised by the parser); output: where synonyms occur in it and what they stand for.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

use crate::index::FileStamp;
use crate::index::fold::fold;
use crate::{Error, Result};

/// Name of the user's synonym file under the corpus root.
pub const SYNONYMS_FILE: &str = "zhili-synonyms.toml";

const EMBEDDED: &str = include_str!("../../data/synonyms.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    groups: Vec<Vec<String>>,
}

/// Groups of words that mean the same thing, with an automaton over all of them.
pub struct Synonyms {
    words: Vec<String>,
    /// For each word, the other words of its groups.
    others: Vec<Vec<String>>,
    automaton: Option<AhoCorasick>,
}

/// A synonym found in a query: its byte range and what else it may be written as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub from: usize,
    pub to: usize,
    pub synonyms: Vec<String>,
}

impl Synonyms {
    /// The embedded groups alone.
    pub fn embedded() -> Synonyms {
        Synonyms::parse(&[(EMBEDDED, "data/synonyms.toml (embedded)")])
            .expect("the embedded synonyms parse")
    }

    /// No synonyms at all.
    pub fn none() -> Synonyms {
        Synonyms::from_groups(Vec::new())
    }

    /// Groups from TOML texts (each with a name for error messages), merged.
    pub fn parse(texts: &[(&str, &str)]) -> Result<Synonyms> {
        let mut groups = Vec::new();
        for (text, origin) in texts {
            let file: File =
                toml::from_str(text).map_err(|e| Error::bad_request(format!("{origin}: {e}")))?;
            groups.extend(file.groups);
        }
        Ok(Synonyms::from_groups(groups))
    }

    fn from_groups(groups: Vec<Vec<String>>) -> Synonyms {
        let mut words: Vec<String> = Vec::new();
        let mut others: Vec<Vec<String>> = Vec::new();
        for group in groups {
            let group: Vec<String> = group
                .iter()
                .map(|w| fold(&w.trim().to_lowercase()).into_owned())
                .filter(|w| !w.is_empty())
                .collect();
            for word in &group {
                let at = match words.iter().position(|w| w == word) {
                    Some(at) => at,
                    None => {
                        words.push(word.clone());
                        others.push(Vec::new());
                        words.len() - 1
                    }
                };
                for other in &group {
                    if other != word && !others[at].contains(other) {
                        others[at].push(other.clone());
                    }
                }
            }
        }
        let automaton = (!words.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&words)
                .expect("literal patterns always build")
        });
        Synonyms {
            words,
            others,
            automaton,
        }
    }

    /// Number of distinct words in all groups.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The other words of `word`'s groups (empty when it has none).
    pub fn of(&self, word: &str) -> &[String] {
        self.words
            .iter()
            .position(|w| w == word)
            .map_or(&[], |i| &self.others[i])
    }

    /// Synonyms in `text`, leftmost-longest, where `accept(from, to)` holds (the planner
    /// accepts those that begin and end on word boundaries).
    pub fn find(&self, text: &str, accept: impl Fn(usize, usize) -> bool) -> Vec<Found> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        automaton
            .find_iter(text)
            .filter(|m| accept(m.start(), m.end()))
            .map(|m| Found {
                from: m.start(),
                to: m.end(),
                synonyms: self.others[m.pattern().as_usize()].clone(),
            })
            .collect()
    }
}

/// The synonyms in force for one corpus: the embedded ones and the user's file, re-read when
/// the file changes (one `stat` per search).
pub struct SynonymFile {
    path: Option<PathBuf>,
    current: Mutex<(Option<FileStamp>, Arc<Synonyms>)>,
}

impl SynonymFile {
    /// The embedded synonyms only.
    pub fn embedded() -> SynonymFile {
        SynonymFile {
            path: None,
            current: Mutex::new((None, Arc::new(Synonyms::embedded()))),
        }
    }

    /// The embedded synonyms and `<corpus_root>/zhili-synonyms.toml`.
    pub fn for_corpus(corpus_root: &Path) -> SynonymFile {
        SynonymFile {
            path: Some(corpus_root.join(SYNONYMS_FILE)),
            ..SynonymFile::embedded()
        }
    }

    /// The synonyms now: re-read when the user's file appeared, changed or went away. A file
    /// that does not parse is an error a user can fix (the search says what is wrong).
    pub fn get(&self) -> Result<Arc<Synonyms>> {
        let Some(path) = &self.path else {
            return Ok(self.current.lock().expect("synonyms lock").1.clone());
        };
        let stamp = FileStamp::of(path);
        let mut current = self.current.lock().expect("synonyms lock");
        if current.0 != stamp {
            let synonyms = match stamp {
                None => Synonyms::embedded(),
                Some(_) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
                    let origin = path.display().to_string();
                    Synonyms::parse(&[
                        (EMBEDDED, "data/synonyms.toml (embedded)"),
                        (&text, &origin),
                    ])?
                }
            };
            *current = (stamp, Arc::new(synonyms));
        }
        Ok(current.1.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_of_a_group_finds_the_others() {
        let s = Synonyms::embedded();
        assert!(s.len() > 300, "{}", s.len());
        assert!(s.of("无人机").contains(&"无人驾驶航空器".to_string()));
        assert!(s.of("无人驾驶航空器").contains(&"无人机".to_string()));
        let found = s.find("城管执法", |_, _| true);
        assert_eq!(found[0].from, 0);
        assert!(found[0].synonyms.iter().any(|w| w == "城市管理综合执法"));
    }

    #[test]
    fn a_bad_file_says_where() {
        let err = Synonyms::parse(&[("groups = 3", "my.toml")])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("my.toml"), "{err}");
    }
}
