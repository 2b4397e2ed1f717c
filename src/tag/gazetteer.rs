//! The embedded gazetteer (`data/gazetteer.csv`, MIT, see `data/gazetteer.SOURCE.md`):
//! provinces, prefectures and counties with short and full names and their parent chain, plus
//! one Aho-Corasick automaton over every name form worth looking for. Parsed once per process
//! (static `OnceLock`); read-only afterwards. Touches no file at run time.

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

const CSV: &str = include_str!("../../data/gazetteer.csv");

/// Province (0), prefecture-level city (1), county-level unit (2).
pub(crate) type Level = u8;

#[derive(Debug)]
pub(crate) struct Place {
    pub parent: Option<usize>,
    pub level: Level,
    pub short: String,
    pub full: String,
}

/// How much a name form tells on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    /// A common word or a one-character county name (城区, 高县): only with its parent nearby.
    Weak,
    /// A short name (张掖, 甘肃) or a suffixed short form (凉山州, 肃南县).
    Short,
    /// The full official name (张掖市, 临泽县).
    Full,
}

/// One name form and the places it may denote.
#[derive(Debug)]
pub(crate) struct Pattern {
    pub places: Vec<(usize, Strength)>,
}

pub(crate) struct Gazetteer {
    pub places: Vec<Place>,
    pub patterns: Vec<Pattern>,
    pub automaton: AhoCorasick,
}

/// Short names that are ordinary words in governance texts: never a tag on their own.
const COMMON_SHORT: &[&str] = &[
    "长治", "安康", "大同", "白银", "来宾", "四平", "大庆", "玉树", "朝阳", "中山", "阿里", "北海",
    "平安", "和平", "城关", "新华", "长安", "永安", "前进", "红河", "文山", "普洱", "大理", "黄山",
    "山南", "海东", "海西", "海北", "吉安", "兴安", "东方", "通化", "宁德", "鹤壁", "铜仁", "定西",
    "三明", "新乡", "永州", "资阳", "昌都", "和田", "克州", "金昌", "保山", "湘西", "开封", "眉山",
];

/// Full county names that are also common words or phrases.
const COMMON_FULL: &[&str] = &[
    "城区",
    "郊区",
    "矿区",
    "东区",
    "西区",
    "南区",
    "北区",
    "中区",
    "新城区",
    "老城区",
    "城中区",
    "市中区",
    "城关区",
    "平安区",
    "和平区",
    "新华区",
    "长安区",
    "永安区",
    "前进区",
    "新市区",
    "开发区",
    "高新区",
    "向阳区",
    "太平区",
    "城东区",
    "城西区",
    "城北区",
    "中心区",
    "解放区",
];

pub(crate) fn get() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(build)
}

fn parse() -> Vec<Place> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut rows = Vec::new();
    for line in CSV.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let cols: Vec<&str> = line.split(',').collect();
        if let [code, parent, level, short, full] = cols[..] {
            index.insert(code, rows.len());
            rows.push((parent, level.parse().unwrap_or(2), short, full));
        }
    }
    rows.iter()
        .map(|&(parent, level, short, full)| Place {
            parent: index.get(parent).copied(),
            level,
            short: short.to_string(),
            full: full.to_string(),
        })
        .collect()
}

fn build() -> Gazetteer {
    let places = parse();
    let mut forms: HashMap<String, Vec<(usize, Strength)>> = HashMap::new();
    let mut add = |name: &str, place: usize, strength: Strength| {
        if name.chars().count() >= 2 {
            forms
                .entry(name.to_string())
                .or_default()
                .push((place, strength));
        }
    };
    for (i, p) in places.iter().enumerate() {
        let municipal_twin = p.level == 0 && is_municipality(&p.full);
        if municipal_twin {
            continue; // the municipality's city row carries its names (and implies the province)
        }
        add(&p.full, i, full_strength(p));
        if let Some(strength) = short_strength(p) {
            add(&p.short, i, strength);
        }
        for (suffix, form) in [("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")] {
            if p.full.ends_with(suffix) && p.short.chars().count() >= 2 {
                // 凉山州 is how people write it, but 沿河县 is also "the riverside counties".
                add(
                    &format!("{}{form}", p.short),
                    i,
                    if form == "州" {
                        Strength::Short
                    } else {
                        Strength::Weak
                    },
                );
            }
        }
    }
    let mut names: Vec<String> = forms.keys().cloned().collect();
    names.sort();
    let patterns = names
        .iter()
        .map(|n| Pattern {
            places: forms.remove(n).unwrap_or_default(),
        })
        .collect();
    let automaton = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&names)
        .expect("gazetteer automaton");
    Gazetteer {
        places,
        patterns,
        automaton,
    }
}

pub(crate) fn is_municipality(full: &str) -> bool {
    matches!(full, "北京市" | "上海市" | "天津市" | "重庆市")
}

fn full_strength(p: &Place) -> Strength {
    let one_char = p.full.chars().count() <= 2;
    // 应城市 inside 相应城市, 宜城市 inside 适宜城市.
    let x_city = p.full.chars().count() == 3 && p.full.ends_with("城市");
    if p.level == 2 && (one_char || x_city || COMMON_FULL.contains(&p.full.as_str())) {
        Strength::Weak
    } else {
        Strength::Full
    }
}

/// Short names: provinces and cities always (weak when a common word), counties only when
/// three characters or longer (two-character county names collide with ordinary words).
fn short_strength(p: &Place) -> Option<Strength> {
    let len = p.short.chars().count();
    if p.short == p.full || len < 2 {
        return None;
    }
    if COMMON_SHORT.contains(&p.short.as_str()) {
        return (p.level < 2).then_some(Strength::Weak);
    }
    match p.level {
        0 => Some(Strength::Short),
        // Counties directly under a province (海南 定安县) have a county's short name.
        1 if p.full.ends_with('县') => None,
        1 => Some(Strength::Short),
        _ if len >= 3 => Some(Strength::Short),
        _ => None,
    }
}

impl Gazetteer {
    /// The place's chain from the province down to itself.
    pub fn chain(&self, place: usize) -> [Option<usize>; 3] {
        let mut out = [None; 3];
        let mut cur = Some(place);
        while let Some(i) = cur {
            let p = &self.places[i];
            out[usize::from(p.level.min(2))] = Some(i);
            cur = p.parent;
        }
        out
    }

    /// Looks up a user-written name (full or short) at any level; the first match wins.
    pub fn find(&self, name: &str, level: Level, parent: Option<usize>) -> Option<usize> {
        let ok = |p: &Place| p.level == level && (parent.is_none() || p.parent == parent);
        let by = |f: &dyn Fn(&Place) -> bool| self.places.iter().position(|p| ok(p) && f(p));
        by(&|p| p.full == name).or_else(|| by(&|p| p.short == name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_and_municipalities() {
        let g = get();
        let linze = g.places.iter().position(|p| p.full == "临泽县").unwrap();
        let chain = g.chain(linze).map(|i| i.map(|i| g.places[i].full.as_str()));
        assert_eq!(chain, [Some("甘肃省"), Some("张掖市"), Some("临泽县")]);
        let yuzhong = g.places.iter().position(|p| p.full == "渝中区").unwrap();
        let chain = g
            .chain(yuzhong)
            .map(|i| i.map(|i| g.places[i].full.as_str()));
        assert_eq!(chain, [Some("重庆市"), Some("重庆市"), Some("渝中区")]);
    }

    #[test]
    fn loads_all_levels_quickly() {
        let started = std::time::Instant::now();
        let fresh = build();
        let took = started.elapsed();
        eprintln!("gazetteer built in {took:?}");
        assert!(took.as_millis() < 2000, "{took:?}"); // ~25 ms in release; debug and a busy CI are slower
        assert_eq!(fresh.places.len(), get().places.len());
        let g = get();
        assert!(g.places.iter().filter(|p| p.level == 0).count() >= 34);
        assert!(g.places.iter().filter(|p| p.level == 1).count() >= 330);
        assert!(g.places.iter().filter(|p| p.level == 2).count() >= 2800);
    }
}
