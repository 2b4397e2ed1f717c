//! Measure types per passage and per document, from a phrase lexicon (`data/lexicon.toml`,
//! embedded; `<corpus>/zhili-lexicon.toml` replaces it when present). One Aho-Corasick
//! automaton over all phrases, built once per `Tagger`. Pure after loading.

use std::collections::{BTreeMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::Deserialize;

use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

pub(crate) const EMBEDDED: &str = include_str!("../../data/lexicon.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    phrases: Vec<String>,
}

pub(crate) struct Lexicon {
    /// Measure index (taxonomy order) of each phrase.
    phrase_measure: Vec<usize>,
    ids: Vec<String>,
    automaton: AhoCorasick,
}

impl Lexicon {
    /// Parses a lexicon; `origin` names it in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Lexicon> {
        let entries: BTreeMap<String, Entry> = toml::from_str(text)
            .map_err(|e| Error::bad_request(format!("measure lexicon {origin}: {e}")))?;
        let taxonomy = Taxonomy::get();
        let ids: Vec<String> = taxonomy.measures.iter().map(|m| m.id.clone()).collect();
        let mut phrases = Vec::new();
        let mut phrase_measure = Vec::new();
        let mut seen = HashSet::new();
        for (id, entry) in &entries {
            let Some(index) = ids.iter().position(|m| m == id) else {
                return Err(Error::bad_request(format!(
                    "measure lexicon {origin}: unknown measure id `{id}` (see data/measures.toml)"
                )));
            };
            for p in entry.phrases.iter().filter(|p| !p.trim().is_empty()) {
                if seen.insert(p.trim().to_string()) {
                    phrases.push(p.trim().to_string());
                    phrase_measure.push(index);
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&phrases)
            .map_err(|e| Error::internal(format!("measure lexicon {origin}: {e}")))?;
        Ok(Lexicon {
            phrase_measure,
            ids,
            automaton,
        })
    }

    /// Match counts per measure (taxonomy order) in one passage.
    fn counts(&self, passage: &str) -> Vec<u32> {
        let mut counts = vec![0; self.ids.len()];
        for m in self.automaton.find_iter(passage) {
            counts[self.phrase_measure[m.pattern().as_usize()]] += 1;
        }
        counts
    }

    /// Measures of each passage, and of the document (most prominent first). A document lists
    /// a measure matched at least twice (three times or in two passages in long documents)
    /// and at least a fifth as often as its most prominent one.
    pub fn tag(&self, passages: &[String]) -> (Vec<String>, Vec<Vec<String>>) {
        let mut total = vec![0u32; self.ids.len()];
        let mut in_passages = vec![0u32; self.ids.len()];
        let per_passage = passages
            .iter()
            .map(|p| {
                let counts = self.counts(p);
                let mut ranked: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
                ranked.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
                for &i in &ranked {
                    total[i] += counts[i];
                    in_passages[i] += 1;
                }
                ranked.iter().map(|&i| self.ids[i].clone()).collect()
            })
            .collect();
        let long = passages.len() > 30;
        let top = total.iter().copied().max().unwrap_or(0);
        let mut doc: Vec<usize> = (0..total.len())
            .filter(|&i| total[i] >= 2 && (!long || total[i] >= 3 || in_passages[i] >= 2))
            .filter(|&i| total[i] * 5 >= top)
            .collect();
        doc.sort_by_key(|&i| {
            (
                std::cmp::Reverse(total[i]),
                std::cmp::Reverse(in_passages[i]),
            )
        });
        (
            doc.iter().map(|&i| self.ids[i].clone()).collect(),
            per_passage,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        Lexicon::parse(EMBEDDED, "embedded").unwrap()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn embedded_lexicon_covers_every_measure() {
        let lex = lexicon();
        let covered: HashSet<usize> = lex.phrase_measure.iter().copied().collect();
        assert_eq!(covered.len(), Taxonomy::get().measures.len());
    }

    #[test]
    fn passages_get_several_or_no_measures() {
        let passages = strings(&[
            "一是织密视频监控网络，建成雪亮工程点位3000个，推行网格员与民警联动。",
            "全市经济社会持续健康发展。",
        ]);
        let (_, per) = lexicon().tag(&passages);
        assert!(per[0].contains(&"video".to_string()) && per[0].contains(&"grid".to_string()));
        assert!(per[1].is_empty());
    }

    #[test]
    fn passing_mention_does_not_make_the_document_list_and_order_is_by_weight() {
        let passages = strings(&[
            "建成视频监控点位，天网工程全覆盖，人脸识别系统上线。",
            "雪亮工程延伸到村，视频监控联网。",
            "同时开展了一次矛盾纠纷排查。",
        ]);
        let (doc, _) = lexicon().tag(&passages);
        assert_eq!(doc.first().map(String::as_str), Some("video"));
        assert!(!doc.contains(&"dispute".to_string()), "{doc:?}");
    }

    #[test]
    fn unknown_ids_and_bad_toml_are_reported() {
        let err = Lexicon::parse("[no-such]\nphrases=[\"x\"]", "test")
            .err()
            .unwrap();
        assert!(err.to_string().contains("no-such"));
        assert!(Lexicon::parse("[video\nphrases", "test").is_err());
    }
}
