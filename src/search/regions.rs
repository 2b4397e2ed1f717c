//! Region filters written the way people write places: `江苏`, `宁波`, `浦东`, `江苏/南京` or
//! `上海市/浦东新区` resolve, through the embedded gazetteer (read-only), to the full path the
//! tagger gives documents (`江苏省`, `浙江省/宁波市`, `上海市/上海市/浦东新区`: a municipality
//! is its own city level). The first name is looked up at every level, the highest level
//! first; each following one among the places under the previous one. A name of several
//! places at the same level is a user error that lists them; a name the gazetteer does not
//! know is left as written (it may still be a path of the index).

use crate::tag::gazetteer::{self, Gazetteer, Place};

/// A region name of several places at the same level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguous {
    /// The region as written.
    pub region: String,
    /// The name that has several places.
    pub part: String,
    /// Their full paths (the first `MAX_LISTED`).
    pub places: Vec<String>,
    /// More places than listed.
    pub more: bool,
}

/// Suffixes a short name drops (浦东新区 → 浦东, 张掖市 → 张掖), longest first.
const SUFFIXES: &[&str] = &[
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "新区",
    "地区",
    "林区",
    "特区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
];

/// Places listed at most in an ambiguity message.
const MAX_LISTED: usize = 5;

/// The full path for `region` as written (already trimmed of slashes by the parameter check).
pub fn resolve(region: &str) -> Result<String, Ambiguous> {
    let g = gazetteer::get();
    let parts: Vec<&str> = region.split('/').map(str::trim).collect();
    let mut current: Option<usize> = None;
    for part in &parts {
        let candidates = matching(g, part, current);
        let Some(&best) = candidates.first() else {
            return Ok(region.to_string());
        };
        let depth = |p: usize| g.chain(p).iter().flatten().count();
        let tied: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&p| {
                depth(p) == depth(best) && named(&g.places[p], part) == named(&g.places[best], part)
            })
            .collect();
        if tied.len() > 1 {
            return Err(ambiguous(g, region, part, &tied));
        }
        current = Some(best);
    }
    Ok(current.map_or_else(|| region.to_string(), |p| path(g, p)))
}

/// How well `name` names `place`: 2 its full name, 1 a short form, 0 not at all.
fn named(place: &Place, name: &str) -> u8 {
    if place.full == name {
        2
    } else if place.short == name || short_forms(&place.full).any(|s| s == name) {
        1
    } else {
        0
    }
}

/// `full` without each suffix it ends with, when at least two characters are left.
fn short_forms(full: &str) -> impl Iterator<Item = &str> {
    SUFFIXES
        .iter()
        .filter_map(move |suffix| full.strip_suffix(suffix))
        .filter(|rest| rest.chars().count() >= 2)
}

/// Places named `name` under `parent` (anywhere when `None`), the highest level first, then
/// full names before short ones. A municipality's province row stands for it (its city row,
/// of the same name, comes after it).
fn matching(g: &Gazetteer, name: &str, parent: Option<usize>) -> Vec<usize> {
    let mut found: Vec<(usize, usize, u8)> = g
        .places
        .iter()
        .enumerate()
        // Every form of a name begins its full name (or is its short name): a cheap test
        // before the others.
        .filter(|(_, place)| place.full.starts_with(name) || place.short == name)
        .filter(|&(i, _)| parent.is_none_or(|p| i != p && g.chain(i).contains(&Some(p))))
        .filter_map(|(i, place)| {
            let how = named(place, name);
            (how > 0).then(|| (i, g.chain(i).iter().flatten().count(), how))
        })
        .collect();
    found.sort_by_key(|&(i, depth, how)| (depth, std::cmp::Reverse(how), i));
    found.into_iter().map(|(i, _, _)| i).collect()
}

/// The path of `place` as the tagger writes it: full names from the province down.
fn path(g: &Gazetteer, place: usize) -> String {
    g.chain(place)
        .iter()
        .flatten()
        .map(|&i| g.places[i].full.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

fn ambiguous(g: &Gazetteer, region: &str, part: &str, places: &[usize]) -> Ambiguous {
    Ambiguous {
        region: region.to_string(),
        part: part.to_string(),
        places: places
            .iter()
            .take(MAX_LISTED)
            .map(|&p| path(g, p))
            .collect(),
        more: places.len() > MAX_LISTED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_resolve_to_the_tagger_s_full_paths() {
        assert_eq!(resolve("江苏").unwrap(), "江苏省");
        assert_eq!(resolve("宁波").unwrap(), "浙江省/宁波市");
        assert_eq!(resolve("浦东").unwrap(), "上海市/上海市/浦东新区");
        assert_eq!(resolve("上海").unwrap(), "上海市");
        assert_eq!(
            resolve("上海市/浦东新区").unwrap(),
            "上海市/上海市/浦东新区"
        );
        assert_eq!(
            resolve("甘肃省/张掖市/临泽县").unwrap(),
            "甘肃省/张掖市/临泽县"
        );
        assert_eq!(resolve("江苏/南京").unwrap(), "江苏省/南京市");
        assert_eq!(resolve("福建/鼓楼区").unwrap(), "福建省/福州市/鼓楼区");
    }

    #[test]
    fn a_name_of_several_places_asks_for_its_parent() {
        let err = resolve("鼓楼区").unwrap_err();
        assert_eq!(err.part, "鼓楼区");
        assert!(
            err.places.contains(&"江苏省/南京市/鼓楼区".to_string()),
            "{err:?}"
        );
    }

    #[test]
    fn unknown_names_are_left_as_written() {
        assert_eq!(resolve("火星").unwrap(), "火星");
        assert_eq!(resolve("甘肃省/火星").unwrap(), "甘肃省/火星");
    }
}
