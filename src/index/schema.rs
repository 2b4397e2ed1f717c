//! The index schema: the one place field names are spelled. `Fields` hands the resolved
//! field handles to the writer and to `search`.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, NumericOptions, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

use super::tokenizer;

/// Bump when the schema, the analyzers or the manifest's files change: an index of another
/// version is rebuilt.
pub const SCHEMA_VERSION: u32 = 16;

/// Handles of every field, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Document id (exact term).
    pub id: Field,
    /// Source path of the file the document came from (exact term: delete by file).
    pub file: Field,
    /// Title, jieba words (search mode).
    pub title: Field,
    /// Full text, jieba words (search mode).
    pub body: Field,
    /// Title and text, character bigrams: sub-word recall and exact phrases.
    pub grams: Field,
    /// `/province/city/county` facet.
    pub region: Field,
    /// `/measure-id` facets, one per measure.
    pub measure: Field,
    /// The region's path down to each level, fast (`REGION_LEVELS`).
    pub region_levels: [Field; 3],
    /// The measures' taxonomy numbers, fast.
    pub measure_numbers: Field,
    /// Publication year (absent when unknown).
    pub year: Field,
    /// When the document was first indexed, Unix seconds (`sort=added`, `added_from`).
    pub added: Field,
    /// 1 for the canonical document of a near-duplicate group (or a unique one), else 0.
    pub canonical: Field,
    /// Where the document's record (see `stored`) and text are in the generation's document
    /// files (fast: see `documents`): the file's number, the offset and the length.
    pub stored_in: Field,
    pub stored_at: Field,
    pub stored_len: Field,
    /// 1 when the text holds traditional characters (fast: the highlighter folds only those).
    pub traditional: Field,
}

pub const YEAR: &str = "year";
/// Fast columns of a document's region, one per level, each the path down to it
/// (`甘肃省`, `甘肃省/张掖市`, `甘肃省/张掖市/临泽县`): what the region facet counts.
pub const REGION_LEVELS: [&str; 3] = ["region_1", "region_2", "region_3"];
/// Fast column of a document's measures as their numbers in the taxonomy (from 0): what the
/// measure facet counts.
pub const MEASURE_NUMBERS: &str = "measure_numbers";
pub const TRADITIONAL: &str = "traditional";
pub const ADDED: &str = "added";
pub const STORED_IN: &str = "stored_in";
pub const STORED_AT: &str = "stored_at";
pub const STORED_LEN: &str = "stored_len";

impl Fields {
    pub fn resolve(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            id: schema.get_field("id")?,
            file: schema.get_field("file")?,
            title: schema.get_field("title")?,
            body: schema.get_field("body")?,
            grams: schema.get_field("grams")?,
            region: schema.get_field("region")?,
            measure: schema.get_field("measure")?,
            region_levels: [
                schema.get_field(REGION_LEVELS[0])?,
                schema.get_field(REGION_LEVELS[1])?,
                schema.get_field(REGION_LEVELS[2])?,
            ],
            measure_numbers: schema.get_field(MEASURE_NUMBERS)?,
            year: schema.get_field(YEAR)?,
            added: schema.get_field(ADDED)?,
            canonical: schema.get_field("canonical")?,
            stored_in: schema.get_field(STORED_IN)?,
            stored_at: schema.get_field(STORED_AT)?,
            stored_len: schema.get_field(STORED_LEN)?,
            traditional: schema.get_field(TRADITIONAL)?,
        })
    }
}

/// A field analysed by `tokenizer`; positions only where phrase queries need them.
fn analyzed(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

pub fn build() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("id", STRING);
    builder.add_text_field("file", STRING);
    // Words are matched as terms (AND of words); exact phrases use the bigram field.
    builder.add_text_field(
        "title",
        analyzed(tokenizer::WORDS, IndexRecordOption::WithFreqs),
    );
    builder.add_text_field(
        "body",
        analyzed(tokenizer::WORDS, IndexRecordOption::WithFreqs),
    );
    let grams = IndexRecordOption::WithFreqsAndPositions;
    builder.add_text_field("grams", analyzed(tokenizer::BIGRAMS, grams));
    builder.add_facet_field("region", INDEXED);
    builder.add_facet_field("measure", INDEXED);
    for name in REGION_LEVELS {
        builder.add_text_field(name, TextOptions::default().set_fast("raw"));
    }
    builder.add_u64_field(MEASURE_NUMBERS, FAST);
    builder.add_i64_field(YEAR, NumericOptions::default() | INDEXED | FAST);
    builder.add_i64_field(ADDED, NumericOptions::default() | INDEXED | FAST);
    builder.add_u64_field("canonical", INDEXED);
    for name in [STORED_IN, STORED_AT, STORED_LEN] {
        builder.add_u64_field(name, FAST);
    }
    builder.add_u64_field(TRADITIONAL, FAST);
    builder.build()
}
