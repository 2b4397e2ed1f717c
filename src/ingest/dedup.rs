//! Near-duplicate detection over normalised document text (MinHash signatures over character
//! shingles, grouped with LSH banding). Pure functions; the index writer decides what to do.

use serde::{Deserialize, Serialize};

/// A compact fingerprint of a document's normalised text; serialisable so the index manifest
/// can keep it between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature(pub Vec<u32>);

/// Fingerprint of a text (deterministic across runs and machines).
pub fn signature(text: &str) -> Signature {
    // Provisional (replaced by the ingest branch).
    Signature(vec![blake3::hash(text.as_bytes()).as_bytes()[0] as u32])
}

/// Groups of indices into `signatures` that are near-duplicates of each other (each group has
/// two or more members, in ascending index order; groups sorted by their first member).
pub fn clusters(signatures: &[&Signature]) -> Vec<Vec<usize>> {
    // Provisional (replaced by the ingest branch).
    let _ = signatures;
    Vec::new()
}
