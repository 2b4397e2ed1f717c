//! Measure types per passage and per document, from a phrase lexicon (`data/lexicon.toml`,
//! embedded; `<corpus>/zhili-lexicon.toml` adds to it or overrides it). Pure after loading.
//!
//! A passage is read sentence by sentence. Each measure has *phrases* that name the practice
//! on their own (雪亮工程, 人民调解) and *weak* phrases that count only in a sentence about
//! public security or social governance (one of the lexicon's `security` cues, or a phrase,
//! outside the weak phrase itself). A measure is given when its phrases add up to two points
//! (a phrase two, a weak phrase one; each distinct phrase once, at its best). A phrase counts
//! only one point as an item of an enumeration (基层基础、群防群治、智慧防控) or in a sentence
//! that reports figures (刑事案件同比下降12%), and such mentions give a measure one point a
//! sentence however many of its phrases they hold: there it is named, not described. Three points
//! are needed in a short passage
//! that is neither an article of a regulation nor a rule (a heading or a slogan); a passage of
//! fewer than 15 ideographs gets none. `ignore` phrases are matched to hide the words inside
//! them (政府工作报告 is no 组织领导). The phrases that decided a measure are its evidence.

use std::collections::{BTreeMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::Deserialize;

use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

pub(crate) const EMBEDDED: &str = include_str!("../../data/lexicon.toml");

/// Points a measure needs in a passage.
const NEEDED: u32 = 2;
/// A passage with fewer ideographs than this gets no measure (a heading, a caption).
const MIN_IDEOGRAPHS: usize = 15;
/// Below this many ideographs a passage that is no rule needs one point more.
const SHORT_IDEOGRAPHS: usize = 60;
/// Words that make a short passage a rule or an article rather than a heading.
const NORMATIVE: [&str; 5] = ["应当", "不得", "可以", "罚款", "责令"];
/// The phrases found for one measure, each with the points it scored.
type Scored = Vec<(usize, u32)>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    weak: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Context {
    #[serde(default)]
    security: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Ignore {
    #[serde(default)]
    phrases: Vec<String>,
}

#[derive(Deserialize, Default)]
struct LexiconFile {
    #[serde(default)]
    context: Context,
    #[serde(default)]
    ignore: Ignore,
    #[serde(flatten)]
    measures: BTreeMap<String, Entry>,
}

/// What a matched phrase stands for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    /// Names the measure (taxonomy index) on its own.
    Names(usize),
    /// Counts for the measure only in a sentence about security work.
    Weak(usize),
    /// Hides the words inside it.
    Ignored,
}

/// The measures of one passage, most points first, each with the phrases that decided it.
pub(crate) type PassageMeasures = Vec<(String, Vec<String>)>;

pub(crate) struct Lexicon {
    phrases: Vec<String>,
    roles: Vec<Role>,
    ids: Vec<String>,
    automaton: AhoCorasick,
    security: AhoCorasick,
}

impl Lexicon {
    /// The embedded lexicon, with the user's file (text, name for messages) laid over it:
    /// its phrases are added, a phrase it lists under another measure (or under `ignore`)
    /// moves there, and its `security` cues are added.
    pub fn load(user: Option<(&str, &str)>) -> Result<Lexicon> {
        let mut roles: BTreeMap<String, Role> = BTreeMap::new();
        let mut security: Vec<String> = Vec::new();
        let files = std::iter::once((EMBEDDED, "data/lexicon.toml (embedded)")).chain(user);
        for (text, origin) in files {
            let file: LexiconFile = toml::from_str(text)
                .map_err(|e| Error::bad_request(format!("measure lexicon {origin}: {e}")))?;
            merge(&mut roles, &mut security, file, origin, text)?;
        }
        let (phrases, roles): (Vec<String>, Vec<Role>) = roles.into_iter().unzip();
        let automaton = build(&phrases, MatchKind::LeftmostLongest)?;
        let security = build(&security, MatchKind::Standard)?;
        let ids = Taxonomy::get()
            .measures
            .iter()
            .map(|m| m.id.clone())
            .collect();
        Ok(Lexicon {
            phrases,
            roles,
            ids,
            automaton,
            security,
        })
    }

    /// Measures of each passage with their evidence, and of the document (most prominent
    /// first): a document of one or two passages carries its passages' measures; a longer one
    /// a measure given to at least two of its passages (or to one, in a document of up to
    /// four), and at least an eighth as many as its most frequent measure.
    pub fn tag(&self, passages: &[String]) -> (Vec<String>, Vec<PassageMeasures>) {
        let per_passage: Vec<PassageMeasures> = passages.iter().map(|p| self.passage(p)).collect();
        let mut count = vec![0u32; self.ids.len()];
        let mut weight = vec![0usize; self.ids.len()];
        for found in &per_passage {
            for (id, evidence) in found {
                let i = self.index(id);
                count[i] += 1;
                weight[i] += evidence.len();
            }
        }
        let most = count.iter().copied().max().unwrap_or(0);
        let needed = if passages.len() <= 4 { 1 } else { 2 };
        let mut doc: Vec<usize> = (0..count.len())
            .filter(|&i| count[i] >= needed && (passages.len() <= 2 || count[i] * 8 >= most))
            .collect();
        doc.sort_by_key(|&i| (std::cmp::Reverse(count[i]), std::cmp::Reverse(weight[i]), i));
        (
            doc.iter().map(|&i| self.ids[i].clone()).collect(),
            per_passage,
        )
    }

    fn index(&self, id: &str) -> usize {
        self.ids.iter().position(|m| m == id).unwrap_or_default()
    }

    /// The measures of one passage, with the phrases that decided each.
    fn passage(&self, text: &str) -> PassageMeasures {
        let ideographs = text.chars().filter(|c| is_ideograph(*c)).count();
        if ideographs < MIN_IDEOGRAPHS {
            return Vec::new();
        }
        let short = ideographs < SHORT_IDEOGRAPHS && !is_normative(text);
        let needed = NEEDED + u32::from(short);
        let mut found: BTreeMap<usize, Scored> = BTreeMap::new();
        for sentence in sentences(text) {
            self.sentence(sentence, &mut found);
        }
        let mut out: Vec<(u32, usize, Scored)> = found
            .into_iter()
            .map(|(measure, phrases)| {
                let points = phrases.iter().map(|&(_, points)| points).sum();
                (points, measure, phrases)
            })
            .filter(|(points, _, _)| *points >= needed)
            .collect();
        out.sort_by_key(|(points, measure, _)| (std::cmp::Reverse(*points), *measure));
        out.into_iter()
            .map(|(_, measure, phrases)| {
                let words = phrases
                    .iter()
                    .map(|&(p, _)| self.phrases[p].clone())
                    .collect();
                (self.ids[measure].clone(), words)
            })
            .collect()
    }

    /// Adds the distinct phrases that count in `sentence` to `found` (measure → phrases with
    /// their points; a phrase seen again keeps its best points).
    fn sentence(&self, sentence: &str, found: &mut BTreeMap<usize, Scored>) {
        let mut matched: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        for m in self.automaton.find_iter(sentence) {
            matched.push((m.pattern().as_usize(), m.range()));
        }
        let names_any = matched
            .iter()
            .any(|(p, _)| matches!(self.roles[*p], Role::Names(_)));
        let about_security = names_any || self.has_cue(sentence, &matched);
        let statistic = is_statistic(sentence);
        // Measures this sentence has named in a list or a figure: one such mention a sentence.
        let mut mentioned: Vec<usize> = Vec::new();
        for (p, range) in matched {
            let (measure, points, named) = match self.roles[p] {
                Role::Names(m) => (m, 2, true),
                Role::Weak(m) if about_security => (m, 1, false),
                _ => continue,
            };
            let points = if named && (statistic || in_list(sentence, &range)) {
                if mentioned.contains(&measure) {
                    continue;
                }
                mentioned.push(measure);
                1
            } else {
                points
            };
            let phrases = found.entry(measure).or_default();
            match phrases.iter_mut().find(|(seen, _)| *seen == p) {
                Some(seen) => seen.1 = seen.1.max(points),
                None => phrases.push((p, points)),
            }
        }
    }

    /// True when a security cue occurs in `sentence` outside every matched phrase.
    fn has_cue(&self, sentence: &str, matched: &[(usize, std::ops::Range<usize>)]) -> bool {
        self.security.find_overlapping_iter(sentence).any(|cue| {
            !matched
                .iter()
                .any(|(_, r)| r.start <= cue.start() && cue.end() <= r.end)
        })
    }
}

/// The 1-based line where the table or key `id` starts in a TOML `text` (`[id]`, `[id.…]`,
/// `id = …`, `id.… = …`), for messages.
fn line_of(text: &str, id: &str) -> Option<usize> {
    let starts = |line: &str| {
        let line = line.trim_start();
        let key = line.strip_prefix('[').unwrap_or(line).trim_start();
        key.strip_prefix(id)
            .is_some_and(|rest| rest.trim_start().starts_with([']', '.', '=']))
    };
    text.lines().position(starts).map(|i| i + 1)
}

/// Lays one lexicon file over the phrases read so far.
fn merge(
    roles: &mut BTreeMap<String, Role>,
    security: &mut Vec<String>,
    file: LexiconFile,
    origin: &str,
    text: &str,
) -> Result<()> {
    let ids: Vec<&str> = Taxonomy::get()
        .measures
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    for (id, entry) in file.measures {
        let Some(index) = ids.iter().position(|m| *m == id) else {
            let line = line_of(text, &id).map_or(String::new(), |n| format!(", line {n}"));
            return Err(Error::bad_request(format!(
                "measure lexicon {origin}{line}: unknown measure id `{id}` (see data/measures.toml)"
            )));
        };
        for p in entry
            .phrases
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            roles.insert(p.to_string(), Role::Names(index));
        }
        for p in entry
            .weak
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            roles.insert(p.to_string(), Role::Weak(index));
        }
    }
    for p in file.ignore.phrases.iter().map(|p| p.trim()) {
        if !p.is_empty() {
            roles.insert(p.to_string(), Role::Ignored);
        }
    }
    let known: HashSet<String> = security.iter().cloned().collect();
    for cue in file.context.security {
        let cue = cue.trim().to_string();
        if !cue.is_empty() && !known.contains(&cue) {
            security.push(cue);
        }
    }
    Ok(())
}

fn build(patterns: &[String], kind: MatchKind) -> Result<AhoCorasick> {
    AhoCorasickBuilder::new()
        .match_kind(kind)
        .kind(Some(AhoCorasickKind::DFA))
        .build(patterns)
        .map_err(|e| Error::internal(format!("measure lexicon: {e}")))
}

/// The sentences of a passage, each with its closing mark.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['。', '；', '！', '？', ';', '!', '?'])
}

/// True when `range` of `sentence` is one item of an enumeration: its clause (between
/// commas, colons, brackets and quotes) lists three items or more with 、, and the phrase is
/// most of its item (群防群治 in 基层基础、群防群治、智慧防控).
fn in_list(sentence: &str, range: &std::ops::Range<usize>) -> bool {
    const BOUNDS: [char; 11] = ['，', ',', '：', ':', '（', '）', '(', ')', '“', '”', '"'];
    /// Characters an item may hold beside the phrase.
    const AROUND: usize = 6;
    let before = &sentence[..range.start];
    let after = &sentence[range.end..];
    let clause_start = before.rfind(BOUNDS).map_or(0, |i| i + char_len(before, i));
    let clause_end = after.find(BOUNDS).map_or(sentence.len(), |i| range.end + i);
    if sentence[clause_start..clause_end].matches('、').count() < 2 {
        return false;
    }
    let item_start = before[clause_start..]
        .rfind('、')
        .map_or(clause_start, |i| clause_start + i + '、'.len_utf8());
    let item_end = after[..clause_end - range.end]
        .find('、')
        .map_or(clause_end, |i| range.end + i);
    let extra = sentence[item_start..range.start].chars().count()
        + sentence[range.end..item_end].chars().count();
    extra <= AROUND
}

/// A sentence that reports a result in figures (下降12%, 同比上升, 破案率达100%).
fn is_statistic(sentence: &str) -> bool {
    const CHANGE: [&str; 6] = ["同比", "下降", "上升", "增长", "率达", "率为"];
    sentence.chars().any(|c| c.is_ascii_digit()) && CHANGE.iter().any(|w| sentence.contains(w))
}

fn char_len(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(1, char::len_utf8)
}

fn is_ideograph(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// An article of a regulation or a rule: `第…条`, `（一）`, or a normative verb.
fn is_normative(text: &str) -> bool {
    let start = text.trim_start();
    let article = start.starts_with('第') && start.chars().take(8).any(|c| c == '条');
    article
        || start.starts_with('（')
        || start.starts_with('(')
        || NORMATIVE.iter().any(|w| text.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_user_lexicon_is_named_with_its_line() {
        let text = "# mine\n[grid]\nphrases = [\"楼栋长\"]\n\n[gird]\nphrases = [\"网格长\"]\n";
        let origin = "corpus/zhili-lexicon.toml";
        let err = Lexicon::load(Some((text, origin)))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("corpus/zhili-lexicon.toml, line 5: unknown measure id `gird`"),
            "{err}"
        );
        let err = Lexicon::load(Some(("[grid]\nphrases = [\"a\"\n", origin)))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains(origin) && err.contains("line 2"), "{err}");
    }

    fn lexicon() -> Lexicon {
        Lexicon::load(None).unwrap()
    }

    fn ids(found: &PassageMeasures) -> Vec<&str> {
        found.iter().map(|(id, _)| id.as_str()).collect()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn embedded_lexicon_covers_every_measure() {
        let lex = lexicon();
        let covered: HashSet<usize> = lex
            .roles
            .iter()
            .filter_map(|r| match r {
                Role::Names(m) => Some(*m),
                _ => None,
            })
            .collect();
        assert_eq!(covered.len(), Taxonomy::get().measures.len());
    }

    #[test]
    fn a_practice_passage_gets_its_measures_with_the_phrases_that_decided_them() {
        let found = lexicon().passage(
            "一是织密视频监控网络，建成雪亮工程点位3000个，推行网格员与民警联动，\
             每个网格配备一名网格员，负责巡查走访和信息采集。",
        );
        let video = found.iter().find(|(id, _)| id == "video").unwrap();
        assert!(video.1.contains(&"视频监控".to_string()), "{found:?}");
        assert!(ids(&found).contains(&"grid"), "{found:?}");
    }

    #[test]
    fn economic_and_civil_safety_paragraphs_get_none() {
        let lex = lexicon();
        for text in [
            "全市经济社会持续健康发展，地区生产总值增长百分之六，城乡居民收入稳步增长，\
             新增就业岗位十二万个，营商环境持续优化。",
            "大力发展低空经济，支持无人机研发制造和物流配送应用，建设通用机场三个，\
             培育无人机整机企业二十家，打造低空经济产业集群。",
            "公安机关消防机构应当加强消防法律、法规的宣传，督促有关单位开展消防宣传教育和演练，\
             帮助公民掌握消防安全知识。",
        ] {
            assert_eq!(ids(&lex.passage(text)), Vec::<&str>::new(), "{text}");
        }
    }

    #[test]
    fn a_reports_own_title_is_no_leadership_measure() {
        let found = lexicon().passage(
            "2026年河北省政府工作报告——2026年1月25日在河北省第十四届人民代表大会第四次会议上，\
             河北省人民政府省长向大会报告工作，请予审议，并请省政协委员提出意见。",
        );
        assert_eq!(ids(&found), Vec::<&str>::new());
    }

    #[test]
    fn a_police_station_in_a_list_of_agencies_is_not_the_police_station_measure() {
        let found = lexicon().passage(
            "本条例所称有关部门，包括民政、财政、住房城乡建设、卫生健康、市场监管、\
             派出所和街道办事处等单位，按照各自职责做好养老服务设施的规划建设。",
        );
        assert!(!ids(&found).contains(&"police-station"), "{found:?}");
    }

    #[test]
    fn a_headline_that_only_names_a_measure_gets_none() {
        let found =
            lexicon().passage("坚持和发展新时代“枫桥经验”，深化社会治理创新，凝聚共建共治合力。");
        assert_eq!(ids(&found), Vec::<&str>::new());
    }

    #[test]
    fn a_measure_named_only_in_lists_or_figures_is_not_given() {
        let lex = lexicon();
        for text in [
            "过去一年，我们坚持统筹发展和安全，扎实推进基层基础、群防群治、智慧防控、\
             法治保障等工作，各项事业取得新进展，人民群众获得感幸福感安全感持续增强。",
            "全年全市社会大局保持稳定，群防群治深入开展，刑事案件立案数同比下降12.5%，\
             八类严重暴力案件下降20%，电信网络诈骗案件发案数下降15%，群众安全感满意度达到98%以上。",
        ] {
            assert!(
                !ids(&lex.passage(text)).contains(&"mass-prevention"),
                "{text}: {:?}",
                lex.passage(text)
            );
        }
        let described = lex.passage(
            "全镇深入开展群防群治，组织党员、退休干部和商户组成巡防队，每晚在集镇开展巡逻，\
             发现问题及时报告派出所，群众安全感明显增强。",
        );
        assert!(
            ids(&described).contains(&"mass-prevention"),
            "{described:?}"
        );
    }

    #[test]
    fn a_sentence_names_a_measure_in_a_list_once_however_many_of_its_phrases_the_item_holds() {
        let found = lexicon().passage(
            "全镇扎实推进基层基础建设，统筹做好治安巡逻、矛盾纠纷排查化解、安全生产检查等各项\
             工作，各项工作取得明显成效，群众满意度稳步提高，社会大局和谐稳定，经济社会发展态势良好。",
        );
        assert!(!ids(&found).contains(&"dispute"), "{found:?}");
    }

    #[test]
    fn a_list_item_is_the_phrase_and_a_few_words_around_it() {
        let sentence = "推进基层基础、群防群治、智慧防控等工作。";
        let at = sentence.find("群防群治").unwrap();
        assert!(in_list(sentence, &(at..at + "群防群治".len())));
        let one = "推进基层基础和群防群治工作，做好智慧防控。";
        let at = one.find("群防群治").unwrap();
        assert!(!in_list(one, &(at..at + "群防群治".len())));
        let long = "推进基层基础、依托党员和退休干部广泛开展群防群治巡逻、智慧防控等工作。";
        let at = long.find("群防群治").unwrap();
        assert!(!in_list(long, &(at..at + "群防群治".len())));
        assert!(is_statistic("刑事案件同比下降12.5%。"));
        assert!(!is_statistic("建成雪亮工程点位3000个。"));
    }

    #[test]
    fn a_short_regulation_article_still_counts() {
        let found = lexicon().passage(
            "第三十二条 非法携带枪支、弹药或者弩、匕首等国家规定的管制器具的，处五日以下拘留，\
             可以并处五百元以下罚款。",
        );
        assert_eq!(ids(&found), ["key-industry"]);
    }

    #[test]
    fn short_documents_carry_their_passages_measures_and_long_ones_only_real_parts() {
        let lex = lexicon();
        let two = strings(&[
            "某镇组建平安志愿者巡防队，由党员、退休干部和商户组成，每晚在集镇开展巡逻，\
             发现问题及时报告派出所。",
            "今年全镇经济运行平稳，财政收入稳步增长，各项社会事业全面进步。",
        ]);
        let (doc, per) = lex.tag(&two);
        assert!(ids(&per[0]).contains(&"mass-prevention"), "{per:?}");
        assert!(doc.contains(&"mass-prevention".to_string()), "{doc:?}");
        let mut long = vec![
            "全县建成雪亮工程视频监控点位两千个，实现重点部位全覆盖，人脸识别系统接入公安指挥中心。"
                .to_string();
            3
        ];
        long.push(
            "此外，还在一个社区开展了矛盾纠纷排查，调解员上门调解邻里纠纷，化解了多起矛盾。"
                .to_string(),
        );
        long.extend(std::iter::repeat_n("全县经济平稳增长。".to_string(), 4));
        let (doc, _) = lex.tag(&long);
        assert_eq!(doc.first().map(String::as_str), Some("video"));
        assert!(!doc.contains(&"dispute".to_string()), "{doc:?}");
    }

    #[test]
    fn a_user_file_adds_and_moves_phrases_and_an_empty_one_changes_nothing() {
        let text = "全镇推行蓝马甲守护行动，组织商户和居民轮流在街巷值守，协助民警维护治安秩序，\
                    发现可疑情况及时报告，每月评选表现突出的商户，给予一定的奖励和表彰。";
        assert!(!ids(&lexicon().passage(text)).contains(&"mass-prevention"));
        let user = "[mass-prevention]\nphrases = [\"蓝马甲守护\"]\n";
        let lex = Lexicon::load(Some((user, "test"))).unwrap();
        assert!(ids(&lex.passage(text)).contains(&"mass-prevention"));
        let empty = Lexicon::load(Some(("", "empty"))).unwrap();
        assert_eq!(empty.phrases.len(), lexicon().phrases.len());
        let moved = Lexicon::load(Some(("[grid]\nphrases = [\"雪亮工程\"]\n", "t"))).unwrap();
        let found = moved.passage(
            "全县推进雪亮工程建设，在农村主要路口布建高清探头，由村干部值守查看，维护农村治安，\
             发现可疑人员和车辆及时报告公安机关，全年协助破获盗窃案件多起。",
        );
        assert!(ids(&found).contains(&"grid"), "{found:?}");
    }

    #[test]
    fn unknown_ids_and_bad_toml_are_reported() {
        let err = Lexicon::load(Some(("[no-such]\nphrases=[\"x\"]", "test")))
            .err()
            .unwrap();
        assert!(err.to_string().contains("no-such"));
        assert!(Lexicon::load(Some(("[video\nphrases", "test"))).is_err());
    }
}
