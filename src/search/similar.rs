//! "More like this": the document's most characteristic words (tf·idf over jieba words of its
//! title and opening text) OR-ed into one query, each boosted by its weight.

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use crate::Result;
use crate::index::{Fields, tokenizer};
use crate::model::CaseDoc;

/// Characters of text read to find the characteristic words.
const SAMPLE_CHARS: usize = 20_000;
/// Words in the query.
const TOP_WORDS: usize = 25;

/// The query for documents like `doc`; `None` when it has no characteristic word.
pub fn query_like(
    doc: &CaseDoc,
    searcher: &Searcher,
    fields: &Fields,
) -> Result<Option<Box<dyn Query>>> {
    let sample: String = doc.text.chars().take(SAMPLE_CHARS).collect();
    let mut tf: HashMap<String, u32> = HashMap::new();
    for word in tokenizer::words(&format!("{}\n{}", doc.title, sample), false) {
        if word.text.chars().count() >= 2 && !word.text.chars().all(|c| c.is_ascii_digit()) {
            *tf.entry(word.text).or_insert(0) += 1;
        }
    }
    let total_docs = searcher.num_docs().max(1) as f32;
    let mut weighted = Vec::with_capacity(tf.len());
    for (word, count) in tf {
        let term = Term::from_field_text(fields.body, &word);
        let df = searcher.doc_freq(&term)? as f32;
        let idf = (total_docs / (df + 1.0)).ln();
        if idf > 0.0 {
            weighted.push((count as f32 * idf, word, term));
        }
    }
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    weighted.truncate(TOP_WORDS);
    let Some(top) = weighted.first().map(|w| w.0) else {
        return Ok(None);
    };
    let clauses: Vec<(Occur, Box<dyn Query>)> = weighted
        .into_iter()
        .map(|(weight, _, term)| {
            let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(query), weight / top)) as Box<dyn Query>,
            )
        })
        .collect();
    Ok(Some(Box::new(BooleanQuery::new(clauses))))
}
