//! Near-duplicate detection over normalised document text (MinHash signatures over character
//! shingles, grouped with LSH banding). Pure functions; the index writer decides what to do.
//!
//! Text is normalised to letters/digits/CJK, lowercased, and cut into 5-character shingles.
//! The signature is a one-permutation MinHash with `BINS` bins (one 64-bit hash per shingle,
//! empty bins filled by rotation), so it costs one hash per character. It keeps the low 16
//! bits of each bin's 32-bit minimum (b-bit minwise hashing: two bins of unrelated texts are
//! equal by chance once in 65,536, far below `MIN_JACCARD`) and the number of distinct
//! shingles, estimated from the full minimums before they are cut. Candidates come from
//! LSH bands of 2 bins; a pair is a near-duplicate when its estimated Jaccard similarity is
//! at least `MIN_JACCARD` and the smaller text is mostly contained in the larger
//! (`MIN_CONTAINMENT`): this catches a preview or partial copy of a report next to the full
//! text, while documents that merely share the same official phrases stay apart
//! (calibrated on the seeds: true duplicates have Jaccard 0.20 and 0.28 and estimated
//! containment ≈ 1.0; the closest distinct pair has Jaccard 0.04. On the lawrefbook laws,
//! containment ≥ 0.8 groups versions of one law and near-verbatim template copies; 0.6 also
//! grouped merely similar city regulations).

use std::collections::HashMap;

/// A compact fingerprint of a document's normalised text. The index manifest keeps it
/// between runs (`index::manifest`): it is most of what a manifest holds, and is decoded only
/// when a run settles near-duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    /// `BINS` bins, or none for a text without a letter or a digit.
    pub bins: Vec<u16>,
    /// Estimated number of distinct shingles.
    pub shingles: u32,
}

/// Number of MinHash bins.
const BINS: usize = 128;
/// Bins per LSH band.
const ROWS: usize = 2;
// A band's key is its two bins in one u64 (`clusters`).
const _: () = assert!(ROWS == 2);
/// Shingle length in characters.
const SHINGLE: usize = 5;
/// Minimum estimated Jaccard similarity of near-duplicates.
const MIN_JACCARD: f64 = 0.10;
/// Minimum estimated share of the smaller text's shingles found in the larger one.
const MIN_CONTAINMENT: f64 = 0.8;
/// Marker of a bin no shingle has reached yet.
const EMPTY: u32 = u32::MAX;
/// Members kept per LSH bucket (later members meet only these: at 100k short articles the
/// common buckets fill up, and comparing with 256 instead of 64 found no other duplicate).
const MAX_BUCKET: usize = 64;

/// Fingerprint of a text (deterministic across runs and machines).
pub fn signature(text: &str) -> Signature {
    let mut bins = vec![EMPTY; BINS];
    // Rolling polynomial hash of the last SHINGLE characters.
    let drop_factor = (0..SHINGLE).fold(1u64, |f, _| f.wrapping_mul(PRIME));
    let mut window = [0u64; SHINGLE];
    let (mut rolling, mut seen) = (0u64, 0usize);
    for c in text.chars() {
        let Some(c) = normalized(c) else { continue };
        let slot = seen % SHINGLE;
        rolling = rolling
            .wrapping_mul(PRIME)
            .wrapping_add(c)
            .wrapping_sub(window[slot].wrapping_mul(drop_factor));
        window[slot] = c;
        seen += 1;
        if seen >= SHINGLE {
            add(&mut bins, splitmix64(rolling));
        }
    }
    if (1..SHINGLE).contains(&seen) {
        add(&mut bins, splitmix64(rolling));
    }
    if bins.iter().all(|&v| v == EMPTY) {
        return Signature::default();
    }
    densify(&mut bins);
    Signature {
        shingles: cardinality(&bins).round() as u32,
        bins: bins.iter().map(|&v| v as u16).collect(),
    }
}

/// Multiplier of the rolling shingle hash.
const PRIME: u64 = 0x1000_0000_01B3;

/// Letters and digits, lowercased, as numbers; everything else is skipped.
fn normalized(c: char) -> Option<u64> {
    if ('\u{4e00}'..='\u{9fff}').contains(&c) {
        return Some(u64::from(c)); // fast path: CJK ideographs
    }
    if c.is_ascii() {
        return c
            .is_ascii_alphanumeric()
            .then(|| u64::from(c.to_ascii_lowercase()));
    }
    if matches!(c, '\u{2000}'..='\u{206f}' | '\u{3000}'..='\u{303f}' | '\u{ff01}'..='\u{ff0f}') {
        return None; // fast path: general and CJK punctuation
    }
    if !c.is_alphanumeric() {
        return None;
    }
    Some(u64::from(c.to_lowercase().next().unwrap_or(c)))
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// One-permutation hashing: the top bits choose the bin, the low 32 bits compete for its min.
fn add(bins: &mut [u32], hash: u64) {
    let bin = (hash >> (64 - BINS.trailing_zeros())) as usize;
    let value = (hash as u32).min(EMPTY - 1);
    if value < bins[bin] {
        bins[bin] = value;
    }
}

/// Fills empty bins from the next non-empty bin to the right (circular), offset by distance.
fn densify(bins: &mut [u32]) {
    let anchor = bins.iter().position(|&v| v != EMPTY).unwrap_or(0);
    let filled = bins.to_vec();
    for (j, bin) in bins.iter_mut().enumerate() {
        if *bin != EMPTY {
            continue;
        }
        let (distance, value) = (1..=BINS)
            .map(|d| (d, filled[(j + d) % BINS]))
            .find(|&(_, v)| v != EMPTY)
            .unwrap_or((anchor, filled[anchor]));
        *bin = value.wrapping_add((distance as u32).wrapping_mul(0x9E37_79B9)) % (EMPTY - 1);
    }
}

/// Estimated Jaccard similarity: the share of equal bins.
fn jaccard(a: &[u16], b: &[u16]) -> f64 {
    let len = a.len().min(b.len());
    if len == 0 {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / len as f64
}

/// Estimated number of distinct shingles: each bin's minimum of m uniform values has
/// expectation 1/(m+1).
fn cardinality(bins: &[u32]) -> f64 {
    let k = bins.len() as f64;
    let sum: f64 = bins.iter().map(|&v| f64::from(v) / f64::from(EMPTY)).sum();
    (k * (k / sum.max(1e-9) - 1.0)).max(1.0)
}

/// Do two signatures, of texts with `na` and `nb` distinct shingles, belong to near-duplicate
/// texts?
fn near_duplicates(a: &[u16], b: &[u16], na: f64, nb: f64) -> bool {
    let j = jaccard(a, b);
    if j < MIN_JACCARD {
        return false;
    }
    let shared = j / (1.0 + j) * (na + nb);
    shared / na.min(nb) >= MIN_CONTAINMENT
}

/// Groups of indices into `signatures` that are near-duplicates of each other (each group has
/// two or more members, in ascending index order; groups sorted by their first member).
pub fn clusters(signatures: &[&Signature]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..signatures.len()).collect();
    // Bins side by side: comparing a candidate is then one contiguous read (this loop is
    // bound by memory at 100k documents).
    let bins = flat_bins(signatures);
    let bins_of = |i: usize| &bins[i * BINS..(i + 1) * BINS];
    let sizes: Vec<f64> = signatures.iter().map(|s| f64::from(s.shingles)).collect();
    let usable: Vec<usize> = (0..signatures.len())
        .filter(|&i| signatures[i].bins.len() == BINS)
        .collect();
    // Band by band, the signatures sorted by the band's key (a sort instead of a map of
    // buckets: no allocation per bucket); in each run of equal keys, every member is
    // compared with the members before it, at most the first `MAX_BUCKET`.
    let mut keyed: Vec<(u64, usize)> = Vec::with_capacity(usable.len());
    for band in 0..BINS / ROWS {
        keyed.clear();
        keyed.extend(usable.iter().map(|&i| {
            let rows = &bins_of(i)[band * ROWS..band * ROWS + 2];
            ((u64::from(rows[0]) << 16) | u64::from(rows[1]), i)
        }));
        keyed.sort_unstable();
        for run in keyed
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
        {
            for (at, &(_, i)) in run.iter().enumerate().skip(1) {
                for &(_, other) in &run[..at.min(MAX_BUCKET)] {
                    if find(&mut parent, other) != find(&mut parent, i)
                        && near_duplicates(bins_of(other), bins_of(i), sizes[other], sizes[i])
                    {
                        union(&mut parent, other, i);
                    }
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..signatures.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    out.sort();
    out
}

/// All signatures' bins in one array, `BINS` apiece (zeros for a signature without bins,
/// which is never compared).
fn flat_bins(signatures: &[&Signature]) -> Vec<u16> {
    let mut bins = Vec::with_capacity(signatures.len() * BINS);
    for sig in signatures {
        if sig.bins.len() == BINS {
            bins.extend_from_slice(&sig.bins);
        } else {
            bins.extend(std::iter::repeat_n(0, BINS));
        }
    }
    bins
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    parent[ra.max(rb)] = ra.min(rb);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_reformatted_texts_cluster_distinct_ones_do_not() {
        let base =
            "社会治安防控体系建设是一项系统工程，需要党委领导、政府主导、部门协同、社会参与。"
                .repeat(3)
                + "今年以来共排查矛盾纠纷一百二十起，化解一百一十五起，群众满意度明显提升。";
        let reformatted = base.replace('，', " ").replace('。', "\n");
        let other =
            "警用无人机具有快速反应、机动灵活的特点，可在治安巡逻中发挥重要作用。".repeat(4);
        let sigs = [signature(&base), signature(&other), signature(&reformatted)];
        assert_eq!(clusters(&sigs.iter().collect::<Vec<_>>()), vec![vec![0, 2]]);
    }

    /// The map-of-buckets form `clusters` had before it sorted each band: every signature
    /// compared with the first `MAX_BUCKET` members of each bucket it falls in.
    fn clusters_by_buckets(signatures: &[&Signature]) -> Vec<Vec<usize>> {
        let mut parent: Vec<usize> = (0..signatures.len()).collect();
        let mut buckets: HashMap<(usize, u16, u16), Vec<usize>> = HashMap::new();
        for (i, sig) in signatures.iter().enumerate() {
            if sig.bins.len() != BINS {
                continue;
            }
            let mut candidates: Vec<usize> = Vec::new();
            for band in 0..BINS / ROWS {
                let key = (band, sig.bins[band * ROWS], sig.bins[band * ROWS + 1]);
                let bucket = buckets.entry(key).or_default();
                candidates.extend(bucket.iter());
                if bucket.len() < MAX_BUCKET {
                    bucket.push(i);
                }
            }
            for other in candidates {
                let (a, b) = (signatures[other], sig);
                let (na, nb) = (f64::from(a.shingles), f64::from(b.shingles));
                if near_duplicates(&a.bins, &b.bins, na, nb) {
                    union(&mut parent, other, i);
                }
            }
        }
        let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in 0..signatures.len() {
            groups.entry(find(&mut parent, i)).or_default().push(i);
        }
        let mut out: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
        out.sort();
        out
    }

    #[test]
    fn sorted_bands_group_as_the_buckets_did() {
        // Unrelated texts of pseudo-random characters, copies with a sentence more, excerpts,
        // and more than `MAX_BUCKET` copies of one text (the bucket cap).
        let pool: Vec<char> =
            "治安防控网格矛盾纠纷调解社区警务巡逻视频监控平台群众服务中心人民法院检察"
                .chars()
                .collect();
        let mut state = 7u64;
        let mut sentence = || -> String {
            (0..24)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    pool[(state >> 33) as usize % pool.len()]
                })
                .collect()
        };
        let mut texts: Vec<String> = (0..150)
            .map(|_| (0..12).map(|_| sentence()).collect())
            .collect();
        for i in 0..30 {
            let longer = format!("{}{}", texts[i], sentence());
            let excerpt: String = texts[i + 30].chars().take(250).collect();
            texts.extend([longer, excerpt]);
        }
        let copied = texts[100].clone();
        texts.extend(std::iter::repeat_n(copied, MAX_BUCKET + 10));
        texts.push(String::new());
        let sigs: Vec<Signature> = texts.iter().map(|t| signature(t)).collect();
        let refs: Vec<&Signature> = sigs.iter().collect();
        let groups = clusters(&refs);
        assert!(groups.len() >= 30, "{groups:?}");
        assert!(groups.iter().any(|g| g.len() > MAX_BUCKET));
        assert_eq!(groups, clusters_by_buckets(&refs));
    }

    #[test]
    fn signatures_are_deterministic() {
        assert_eq!(signature("治安防控ABC"), signature("治安防控abc"));
        assert_eq!(signature("，。").bins.len(), 0);
        assert_eq!(signature("治安").bins.len(), BINS);
        assert_ne!(signature("治安防控体系"), signature("治安防控体制"));
    }
}
