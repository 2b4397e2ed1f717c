//! Stage 1 (walk): a corpus root → candidate input files. Input: a file or a directory.
//! Output: every file under it, sorted, minus hidden files/dirs and zhili's own sidecars
//! (crawler metadata, pinned tags, lexicon). Does not open any file.

use std::path::{Path, PathBuf};

/// Sidecar file names zhili writes or reads next to the corpus files.
const SIDECAR_SUFFIXES: &[&str] = &[".meta.json", ".tags.toml"];
const SIDECAR_NAMES: &[&str] = &["zhili-tags.toml", "zhili-lexicon.toml"];

/// Every candidate input file under `root`, sorted.
pub(crate) fn walk(root: &Path) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && !is_sidecar(e.file_name()))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn is_sidecar(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    SIDECAR_NAMES.contains(&name.as_ref()) || SIDECAR_SUFFIXES.iter().any(|s| name.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_and_sidecars_skipped_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "b.txt",
            "a.html",
            "a.html.meta.json",
            "x.tags.toml",
            "zhili-tags.toml",
            "zhili-lexicon.toml",
            ".hidden.txt",
            "pic.png",
            ".git/config",
            "sub/c.md",
        ] {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let got: Vec<_> = walk(root)
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        let want: Vec<PathBuf> = ["a.html", "b.txt", "pic.png", "sub/c.md"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(got, want);
        assert_eq!(walk(&root.join("b.txt")), vec![root.join("b.txt")]);
    }
}
