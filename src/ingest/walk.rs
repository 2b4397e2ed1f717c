//! Stage 1 (walk): a corpus root → candidate input files. Input: a file or a directory.
//! Output: every file under it, sorted, minus hidden files/dirs and zhili's own sidecars
//! (crawler metadata, pinned tags, lexicon), and the symbolic links it did not follow, each
//! with the reason: links are followed only when their target lies inside the fence (the
//! corpus root), never when they dangle or loop; and the sidecars it listed, so that nobody
//! asks the file system again whether a file has one. Does not open any file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Sidecar file names zhili writes or reads next to the corpus files.
const SIDECAR_SUFFIXES: &[&str] = &[".meta.json", ".tags.toml"];
const SIDECAR_NAMES: &[&str] = &["zhili-tags.toml", "zhili-lexicon.toml"];

/// Which symbolic links a walk follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FollowSymlinks {
    /// None: every link is skipped and reported.
    None,
    /// Those whose target lies inside the corpus root (the default).
    #[default]
    Inside,
}

/// What a walk found: the files, and the entries it skipped with the reason.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<(PathBuf, String)>,
    /// The sidecars in the directories listed; `None` when the root is a file (its
    /// directory was not listed).
    pub sidecars: Option<HashSet<PathBuf>>,
}

/// Every candidate input file under `root`, sorted; links followed as `follow` says when
/// their target lies under `fence` (canonical).
pub(crate) fn walk(root: &Path, fence: &Path, follow: FollowSymlinks) -> Walked {
    if root.is_file() {
        return Walked {
            files: vec![root.to_path_buf()],
            skipped: Vec::new(),
            sidecars: None,
        };
    }
    let mut walked = Walked::default();
    let mut sidecars = HashSet::new();
    let mut refused = Vec::new();
    let entries = walkdir::WalkDir::new(root)
        .follow_links(follow == FollowSymlinks::Inside)
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 && is_hidden(e.file_name()) {
                return false;
            }
            let reason = link_refusal(e, fence, follow);
            if let Some(reason) = reason {
                refused.push((e.path().to_path_buf(), reason));
                return false;
            }
            true
        });
    for entry in entries {
        match entry {
            Ok(e) if e.file_type().is_file() && !is_sidecar(e.file_name()) => {
                walked.files.push(e.into_path());
            }
            Ok(e) if e.file_type().is_file() => {
                sidecars.insert(e.into_path());
            }
            Ok(_) => {}
            Err(err) => walked.skipped.push(walk_error(&err, root)),
        }
    }
    walked.skipped.append(&mut refused);
    walked.files.sort();
    walked.skipped.sort();
    walked.sidecars = Some(sidecars);
    walked
}

/// Why a link entry is not followed, or None for anything else.
fn link_refusal(entry: &walkdir::DirEntry, fence: &Path, follow: FollowSymlinks) -> Option<String> {
    if !entry.path_is_symlink() || entry.depth() == 0 {
        return None;
    }
    if follow == FollowSymlinks::None {
        return Some("symbolic link, not followed (--follow-symlinks none)".into());
    }
    match std::fs::canonicalize(entry.path()) {
        Ok(target) if target.starts_with(fence) => None,
        Ok(target) => Some(format!(
            "symbolic link to {}, outside the corpus root {}; not followed",
            target.display(),
            fence.display()
        )),
        Err(err) => Some(broken_link(&err)),
    }
}

/// The path and reason for an entry the walk could not follow or read.
fn walk_error(err: &walkdir::Error, root: &Path) -> (PathBuf, String) {
    let path = err.path().unwrap_or(root).to_path_buf();
    let reason = match (err.loop_ancestor(), err.io_error()) {
        (Some(ancestor), _) => format!(
            "symbolic link loop (back to {}); not followed",
            ancestor.display()
        ),
        (None, Some(io)) if path.is_symlink() => broken_link(io),
        (None, Some(io)) => format!("cannot read: {io}"),
        (None, None) => format!("cannot read: {err}"),
    };
    (path, reason)
}

fn broken_link(err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::NotFound {
        "dangling symbolic link (its target does not exist)".into()
    } else if err.raw_os_error() == Some(40) {
        "symbolic link loop (too many levels of links); not followed".into()
    } else {
        format!("symbolic link that cannot be followed: {err}")
    }
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

    fn files(root: &Path) -> Vec<PathBuf> {
        walk(root, root, FollowSymlinks::Inside).files
    }

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
        let got: Vec<_> = files(root)
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        let want: Vec<PathBuf> = ["a.html", "b.txt", "pic.png", "sub/c.md"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(got, want);
        assert_eq!(files(&root.join("b.txt")), vec![root.join("b.txt")]);
        let mut sidecars: Vec<PathBuf> = (walk(root, root, FollowSymlinks::Inside).sidecars)
            .expect("a directory was listed")
            .into_iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        sidecars.sort();
        let names = [
            "a.html.meta.json",
            "x.tags.toml",
            "zhili-lexicon.toml",
            "zhili-tags.toml",
        ];
        assert_eq!(sidecars, names.map(PathBuf::from));
        let alone = walk(&root.join("b.txt"), root, FollowSymlinks::Inside);
        assert!(
            alone.sidecars.is_none(),
            "a file named alone: its directory is not listed"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_are_followed_and_the_others_reported() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("corpus");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("a.txt"), "x").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "x").unwrap();
        symlink(root.join("a.txt"), root.join("in.txt")).unwrap();
        symlink(dir.path().join("secret.txt"), root.join("out.txt")).unwrap();
        symlink(root.join("gone.txt"), root.join("dangling.txt")).unwrap();
        symlink(&root, root.join("sub/up")).unwrap();
        let walked = walk(&root, &root, FollowSymlinks::Inside);
        assert_eq!(walked.files, vec![root.join("a.txt"), root.join("in.txt")]);
        let reasons: Vec<String> = walked.skipped.iter().map(|s| s.1.clone()).collect();
        assert_eq!(walked.skipped.len(), 3, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.starts_with("dangling")));
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("outside the corpus root"))
        );
        assert!(reasons.iter().any(|r| r.contains("loop")));
        let none = walk(&root, &root, FollowSymlinks::None);
        assert_eq!(none.files, vec![root.join("a.txt")]);
        assert_eq!(none.skipped.len(), 4);
    }
}
