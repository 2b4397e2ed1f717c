//! The measure taxonomy of `data/measures.toml` (a copy of the shared spec), embedded in the
//! binary: ids, groups, Chinese labels and scopes, in taxonomy order. Read-only, loaded once.

use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Group {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Measure {
    pub id: String,
    pub group: String,
    pub label: String,
    pub scope: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Taxonomy {
    #[serde(rename = "group")]
    pub groups: Vec<Group>,
    #[serde(rename = "measure")]
    pub measures: Vec<Measure>,
}

const EMBEDDED: &str = include_str!("../data/measures.toml");

impl Taxonomy {
    /// The embedded taxonomy, parsed once per process.
    pub fn get() -> &'static Taxonomy {
        static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
        TAXONOMY.get_or_init(|| toml::from_str(EMBEDDED).expect("data/measures.toml is valid"))
    }

    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    pub fn label(&self, id: &str) -> Option<&str> {
        self.measure(id).map(|m| m.label.as_str())
    }

    /// A measure's number in taxonomy order, from 0 (None for an unknown id).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.measures.iter().position(|m| m.id == id)
    }

    /// Position of a measure in taxonomy order (unknown ids sort last).
    pub fn rank(&self, id: &str) -> usize {
        self.position(id).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_taxonomy_has_every_measure_in_a_known_group() {
        let taxonomy = Taxonomy::get();
        assert_eq!(taxonomy.measures.len(), 20);
        for measure in &taxonomy.measures {
            assert!(taxonomy.groups.iter().any(|g| g.id == measure.group));
        }
        assert_eq!(taxonomy.label("video"), Some("视频监控与智能感知"));
        assert!(taxonomy.rank("patrol") < taxonomy.rank("service"));
    }
}
