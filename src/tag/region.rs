//! Region of one document: the place the case is about, as full official names with a
//! consistent chain (county ⇒ city ⇒ province). Mentions found by the gazetteer automaton are
//! weighted by where they stand (title, opening, source and sign-off lines count more) and
//! how much the name form tells; ambiguous and weak forms only count when their parent place
//! is named too. A level is set only when one place clearly dominates it, and never when the
//! text is anonymised at that level (xx市, 某县). Pure: no I/O.

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::gazetteer::{self, Gazetteer, Strength};
use crate::model::Region;

const TITLE_WEIGHT: f32 = 8.0;

/// A found name and the weight of where it stands.
struct Mention {
    pattern: usize,
    weight: f32,
    /// Three characters or more (凉山州, 石景山): specific enough to count on its own.
    long: bool,
}

/// Characters after a name that make it a street, school or the like, not the place itself.
const NOT_PLACE_AFTER: &[&str] = &["路", "街", "大道", "大街", "大学", "银行", "同胞", "时间"];

pub(crate) fn region(title: &str, text: &str, url: Option<&str>) -> Region {
    let g = gazetteer::get();
    let mut mentions = Vec::new();
    collect(g, title, &mut mentions, |_| TITLE_WEIGHT);
    let len = text.len();
    collect(g, text, &mut mentions, |pos| zone_weight(text, pos, len));
    let _ = url; // hosts are too rarely informative to be worth a table here
    let anon = Anonymised::scan(title, text);
    let score = Scores::compute(g, &mentions);
    choose(g, &score, &anon, title)
}

fn collect(g: &Gazetteer, s: &str, out: &mut Vec<Mention>, weight: impl Fn(usize) -> f32) {
    let mut previous_end = usize::MAX;
    for m in g.automaton.find_iter(s) {
        let rest = &s[m.end()..];
        if is_native_place(rest) {
            if previous_end == m.start() {
                out.pop(); // the 山东 of 山东潍坊人
            }
            continue;
        }
        if NOT_PLACE_AFTER.iter().any(|w| rest.starts_with(w)) {
            continue;
        }
        previous_end = m.end();
        out.push(Mention {
            pattern: m.pattern().as_usize(),
            weight: weight(m.start()),
            long: m.len() >= 9,
        });
    }
}

/// `山东潍坊人，` in an author's note: where a person comes from, not the case's place.
fn is_native_place(rest: &str) -> bool {
    let mut chars = rest.chars();
    chars.next() == Some('人') && chars.next().is_none_or(|c| !is_cjk(c))
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Opening, sign-off and source lines weigh more than the body.
fn zone_weight(text: &str, pos: usize, len: usize) -> f32 {
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[pos..].find('\n').map_or(len, |i| pos + i);
    let line = &text[line_start..line_end];
    if line.contains("来源") || line.contains("发布机构") {
        3.0
    } else if pos < 900 || (len > 3000 && pos + 300 > len && line.len() < 120) {
        2.0
    } else {
        1.0
    }
}

/// Which levels the text hides behind placeholders.
#[derive(Default)]
pub(crate) struct Anonymised {
    province: bool,
    city: bool,
    county: bool,
}

impl Anonymised {
    pub fn scan(title: &str, text: &str) -> Anonymised {
        const PREFIXES: &[&str] = &["xx", "XX", "Xx", "××", "某", "ＸＸ", "**", "X", "x"];
        const SUFFIXES: &[(&str, u8)] = &[
            ("省", 0),
            ("市", 1),
            ("州", 1),
            ("地区", 1),
            ("县", 2),
            ("区", 2),
            ("旗", 2),
        ];
        static AUTOMATON: OnceLock<(AhoCorasick, Vec<u8>)> = OnceLock::new();
        let (automaton, levels) = AUTOMATON.get_or_init(|| {
            let pairs: Vec<(String, u8)> = PREFIXES
                .iter()
                .flat_map(|p| SUFFIXES.iter().map(move |(s, l)| (format!("{p}{s}"), *l)))
                .collect();
            let ac = AhoCorasick::new(pairs.iter().map(|p| &p.0)).expect("placeholder automaton");
            (ac, pairs.iter().map(|p| p.1).collect())
        });
        let mut found = [false; 3];
        for s in [title, text] {
            for m in automaton.find_iter(s) {
                found[usize::from(levels[m.pattern().as_usize()])] = true;
            }
        }
        Anonymised {
            province: found[0],
            city: found[1],
            county: found[2],
        }
    }
}

/// Evidence per place: its own mentions plus (as support) its descendants'.
struct Scores {
    own: HashMap<usize, f32>,
    support: HashMap<usize, f32>,
    in_title: Vec<usize>,
    /// Mentions of each place's own name in the text (not the title).
    in_text: HashMap<usize, u32>,
}

fn strength_factor(s: Strength) -> f32 {
    match s {
        Strength::Full => 3.0,
        Strength::Short => 2.0,
        Strength::Weak => 1.5,
    }
}

impl Scores {
    fn compute(g: &Gazetteer, mentions: &[Mention]) -> Scores {
        let mut s = Scores {
            own: HashMap::new(),
            support: HashMap::new(),
            in_title: Vec::new(),
            in_text: HashMap::new(),
        };
        let mut deferred = Vec::new();
        for m in mentions {
            match g.patterns[m.pattern].places.as_slice() {
                [(place, st)]
                    if *st == Strength::Full
                        || g.places[*place].level == 0
                        || (m.long && *st == Strength::Short) =>
                {
                    s.add(g, *place, *st, m.weight)
                }
                _ => deferred.push(m),
            }
        }
        for m in deferred {
            if let Some((place, st)) = s.resolve(g, &g.patterns[m.pattern].places) {
                s.add(g, place, st, m.weight);
            }
        }
        s
    }

    fn add(&mut self, g: &Gazetteer, place: usize, st: Strength, weight: f32) {
        let v = strength_factor(st) * weight;
        *self.own.entry(place).or_default() += v;
        for p in g.chain(place).into_iter().flatten() {
            *self.support.entry(p).or_default() += v;
        }
        if weight >= TITLE_WEIGHT {
            self.in_title.push(place);
        } else {
            *self.in_text.entry(place).or_default() += 1;
        }
    }

    /// A short, ambiguous or weak name counts for the candidate that is itself named in full
    /// or whose parents are named elsewhere (停运城镇 is not about 运城).
    fn resolve(
        &self,
        g: &Gazetteer,
        candidates: &[(usize, Strength)],
    ) -> Option<(usize, Strength)> {
        let context = |place: usize| -> f32 {
            let own = self.own.get(&place).copied().unwrap_or(0.0);
            let parent = g.places[place].parent;
            own + parent.map_or(0.0, |parent| self.support(parent))
        };
        let mut best: Option<((usize, Strength), f32)> = None;
        let mut tie = false;
        for &(place, st) in candidates {
            let c = context(place);
            match best {
                Some((_, b)) if c == b => tie = true,
                Some((_, b)) if c < b => {}
                _ => {
                    best = Some(((place, st), c));
                    tie = false;
                }
            }
        }
        let ((place, st), c) = best?;
        if c > 0.0 && !tie {
            return Some((place, st));
        }
        // No context: a province and its own city (吉林) still tell the province.
        let provinces: Vec<Option<usize>> =
            candidates.iter().map(|&(p, _)| g.chain(p)[0]).collect();
        let same = provinces.windows(2).all(|w| w[0] == w[1]);
        let all_strong = candidates.iter().all(|&(_, s)| s != Strength::Weak);
        (same && all_strong && candidates.len() > 1)
            .then(|| provinces[0].map(|p| (p, Strength::Short)))
            .flatten()
    }

    fn support(&self, place: usize) -> f32 {
        self.support.get(&place).copied().unwrap_or(0.0)
    }

    /// Mentions of the place's own name in the text.
    fn text_mentions(&self, place: usize) -> u32 {
        self.in_text.get(&place).copied().unwrap_or(0)
    }
}

/// The dominant child of `parent` (or province when `None`) at `level`, if one dominates.
/// With `own_only`, only the place's own name counts (its descendants are hidden or cited).
fn dominant(
    g: &Gazetteer,
    s: &Scores,
    level: u8,
    parent: Option<usize>,
    min: f32,
    share: f32,
    own_only: bool,
) -> Option<usize> {
    let map = if own_only { &s.own } else { &s.support };
    let mut ranked: Vec<(usize, f32)> = map
        .iter()
        .filter(|&(&p, _)| {
            g.places[p].level == level && (parent.is_none() || g.places[p].parent == parent)
        })
        .map(|(&p, &v)| (p, v))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: f32 = ranked.iter().map(|r| r.1).sum();
    let &(best, top) = ranked.first()?;
    let second = ranked.get(1).map_or(0.0, |r| r.1);
    (top >= min && top >= share * total && top > 1.5 * second).then_some(best)
}

fn choose(g: &Gazetteer, s: &Scores, anon: &Anonymised, title: &str) -> Region {
    let named_in_title = |p: usize| s.in_title.iter().any(|&t| g.chain(t).contains(&Some(p)));
    let province = dominant(g, s, 0, None, 6.0, 0.6, anon.city)
        .filter(|&p| !anon.province || named_in_title(p));
    let Some(province) = province else {
        return Region::default();
    };
    let municipal = gazetteer::is_municipality(&g.places[province].full);
    let city = if municipal {
        g.places
            .iter()
            .position(|p| p.level == 1 && p.parent == Some(province))
    } else {
        let prov_title = title.contains(g.places[province].full.as_str());
        let min = if prov_title { 12.0 } else { 6.0 };
        dominant(g, s, 1, Some(province), min, 0.6, anon.county)
            .filter(|&c| !anon.city || named_in_title(c))
            .filter(|&c| {
                !prov_title || named_in_title(c) || s.support(c) >= 0.5 * s.support(province)
            })
    };
    // A county only when the text is about it, not when a city-wide (or municipality-wide)
    // text names it beside many more mentions of the city itself (张掖市 twelve times,
    // 临泽县 twice).
    let whole_named = |c: usize| {
        s.text_mentions(c)
            + if municipal {
                s.text_mentions(province)
            } else {
                0
            }
    };
    let county = city.and_then(|c| {
        dominant(g, s, 2, Some(c), 6.0, 0.6, false)
            .filter(|&k| !anon.county || named_in_title(k))
            .filter(|&k| {
                let (county, whole) = (s.text_mentions(k), whole_named(c));
                named_in_title(k) || whole < 4 || county * 3 > whole
            })
    });
    let name = |p: Option<usize>| p.map(|i| g.places[i].full.clone());
    Region::from_levels(
        Some(g.places[province].full.clone()),
        name(city),
        name(county),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(title: &str, text: &str) -> Option<String> {
        region(title, text, None).path
    }

    #[test]
    fn county_implies_city_and_province() {
        let text = "临泽县公安局深化平安建设，临泽县群众安全感持续提升。";
        assert_eq!(path("", text).as_deref(), Some("甘肃省/张掖市/临泽县"));
    }

    #[test]
    fn common_words_are_not_places() {
        let text = "深入推进平安建设，维护和平稳定，城关派出所、新华书店、长安街道、永安社区、前进村共同参与。";
        assert_eq!(path("平安建设经验", text), None);
    }

    #[test]
    fn suffixed_common_name_with_parent_is_a_place() {
        let text = "海东市平安区公安分局推进平安建设。平安区群众安全感提升。";
        assert_eq!(path("", text).as_deref(), Some("青海省/海东市/平安区"));
    }

    #[test]
    fn anonymised_city_stays_null() {
        let text = "xx市公安局积极推动创建工作。xx市刑事警情下降，学习借鉴了杭州市、宁波市经验。";
        assert_eq!(path("xx市经验交流", text), None);
        let text = "我市公安局积极推动创建工作，全市刑事警情下降。";
        assert_eq!(path("", text), None);
    }

    #[test]
    fn anonymised_county_keeps_the_certain_city() {
        let text = "张掖市XX县公安局推进智慧警务。张掖市XX县建成综治中心，张掖市高度重视。";
        assert_eq!(path("", text).as_deref(), Some("甘肃省/张掖市"));
        assert_eq!(
            path(
                "某市公安局经验",
                "某市公安局推进警务改革，参考了临泽县做法。"
            ),
            None
        );
    }

    #[test]
    fn an_authors_native_place_is_not_the_case_place() {
        let text =
            "一、主要做法\n作者简介：王齐，女，山东潍坊人，中国人民公安大学研究生。\n山东潍坊人。";
        assert_eq!(path("", text), None);
    }

    #[test]
    fn own_place_beats_cited_examples() {
        let text = "张掖市公安局学习借鉴了杭州、宁波、苏州、成都的经验。张掖市建成智慧安防小区。张掖市持续推进。";
        assert_eq!(
            path("张掖市智慧防控经验", text).as_deref(),
            Some("甘肃省/张掖市")
        );
    }

    #[test]
    fn ambiguous_district_resolved_by_parent() {
        let text = "沈阳市和平区推进网格化治理，和平区建成综治中心。沈阳市全面推广。";
        assert_eq!(path("", text).as_deref(), Some("辽宁省/沈阳市/和平区"));
        let text = "和平区推进网格化治理，和平区建成综治中心。";
        assert_eq!(path("", text), None);
    }

    #[test]
    fn municipalities_and_autonomous_prefectures() {
        let text = "上海市浦东新区推进城市运行一网统管，浦东新区建成城运中心。";
        assert_eq!(path("", text).as_deref(), Some("上海市/上海市/浦东新区"));
        let text = "凉山州公安局开展禁毒专项行动，凉山州禁毒形势好转。";
        assert_eq!(path("", text).as_deref(), Some("四川省/凉山彝族自治州"));
    }

    #[test]
    fn a_municipality_wide_report_is_the_municipality_and_a_city_wide_case_the_city() {
        // As in the 2026 report: 上海市 14 times, 浦东 8 (and 上海 63).
        let report = "上海市人民政府向大会报告工作。上海市经济平稳增长。浦东新区综合改革试点深入推进，\
                      浦东新区引领区建设取得新成效。上海市全面推进平安上海建设，上海市社会大局稳定。\
                      上海市民生持续改善，上海市城市更新加快，上海市科技创新策源功能增强。";
        assert_eq!(
            path("2026年上海市政府工作报告", report).as_deref(),
            Some("上海市/上海市")
        );
        let case = "嘉兴市推行楼道长制度。嘉兴市公安局联合嘉兴市民政局，在嘉兴市各社区推广。\
                    南湖区率先试点，嘉兴市全市推开，嘉兴市平安建设水平提升。";
        assert_eq!(
            path("嘉兴市推行楼道长制度", case).as_deref(),
            Some("浙江省/嘉兴市")
        );
        let county =
            "南湖区推行楼道长制度。南湖区公安分局在南湖区各社区推广，南湖区平安建设水平提升。";
        assert_eq!(
            path("南湖区推行楼道长制度", county).as_deref(),
            Some("浙江省/嘉兴市/南湖区")
        );
    }

    #[test]
    fn provincial_text_naming_cities_stays_provincial() {
        let text = "浙江省推进平安浙江建设。杭州、宁波、温州、绍兴等地先行先试。浙江省全面推广。";
        assert_eq!(path("浙江省平安建设条例", text).as_deref(), Some("浙江省"));
    }
}
