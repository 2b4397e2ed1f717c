//! Year of one document (when it was written or published) and the years it mentions.
//! Evidence in order of trust: the crawler's publication date, a date in the source URL or a
//! source/publication line, the sign-off date at the end, dated header lines under the title
//! (the latest one: laws list adoption and amendments there), a date or year in the file name
//! (`…条例(2021-04-06).md`, `2024年…方案.docx`), a year in the title. Target years (到2025年)
//! never count.
//! Arabic and Chinese numerals (二〇二三年). Pure: no I/O.

use std::sync::OnceLock;

use regex::Regex;

use crate::model::RawCase;

const MIN_YEAR: i32 = 1949;
const MAX_YEAR: i32 = 2100;

fn year_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"((?:19|20)\d{2}|[一二][〇零○O一二三四五六七八九]{3})\s?年")
            .expect("year regex")
    })
}

/// A date with at least a month: `2023年5月`, `二〇二三年五月十日`, `2023-05-10`, `2023.5.10`.
fn date_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"((?:19|20)\d{2}|[一二][〇零○O一二三四五六七八九]{3})\s?年\s?[0-9一二三四五六七八九十元]{1,3}\s?月",
            r"|((?:19|20)\d{2})[-/.](?:0?[1-9]|1[0-2])[-/.](?:[0-2]?\d|3[01])"
        ))
        .expect("date regex")
    })
}

fn url_date_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:^|[^0-9])((?:19|20)\d{2})[-/_]?(?:0[1-9]|1[0-2])(?:[-/_]?(?:[0-2]\d|3[01]))?(?:[^0-9]|$)")
            .expect("url date regex")
    })
}

fn numeral_year(s: &str) -> Option<i32> {
    let digits: String = s
        .chars()
        .map(|c| match c {
            '〇' | '零' | '○' | 'O' => '0',
            '一' => '1',
            '二' => '2',
            '三' => '3',
            '四' => '4',
            '五' => '5',
            '六' => '6',
            '七' => '7',
            '八' => '8',
            '九' => '9',
            c => c,
        })
        .collect();
    digits
        .parse()
        .ok()
        .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
}

fn date_year(caps: &regex::Captures) -> Option<i32> {
    caps.get(1)
        .or_else(|| caps.get(2))
        .and_then(|m| numeral_year(m.as_str()))
}

/// Sorted distinct years 1949–2100 the text refers to.
pub(crate) fn years_mentioned(title: &str, text: &str) -> Vec<i32> {
    let mut years: Vec<i32> = [title, text]
        .iter()
        .flat_map(|s| year_re().captures_iter(s))
        .filter_map(|c| numeral_year(&c[1]))
        .chain(
            [title, text]
                .iter()
                .flat_map(|s| date_re().captures_iter(s))
                .filter_map(|c| date_year(&c)),
        )
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// The publication year, or `None` when the text does not tell.
pub(crate) fn year(case: &RawCase) -> Option<i32> {
    let text = case.text.as_str();
    let published = case.published.as_deref();
    published
        .and_then(|p| date_re().captures(p).and_then(|c| date_year(&c)))
        .or_else(|| case.url.as_deref().and_then(url_year))
        .or_else(|| source_line_year(text))
        .or_else(|| sign_off_year(text))
        .or_else(|| header_year(text))
        .or_else(|| file_name_year(&case.source_path))
        .or_else(|| title_year(&case.title))
}

/// A full date in the file name, else a year at its start (`2024年…`, `2024_…`).
fn file_name_year(path: &str) -> Option<i32> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let name = name.split('#').next().unwrap_or(name);
    date_re()
        .captures(name)
        .and_then(|c| date_year(&c))
        .or_else(|| {
            let lead: String = name.chars().take(5).collect();
            static LEAD: OnceLock<Regex> = OnceLock::new();
            let lead_re = LEAD.get_or_init(|| Regex::new(r"^((?:19|20)\d{2})[年_\-. ]").unwrap());
            lead_re.captures(&lead).and_then(|c| numeral_year(&c[1]))
        })
}

fn url_year(url: &str) -> Option<i32> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.find('/').map_or("", |i| &path[i..]);
    url_date_re()
        .captures_iter(path)
        .filter_map(|c| numeral_year(&c[1]))
        .next()
}

fn lines(text: &str) -> impl DoubleEndedIterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// `文章来源：https://…/2022/1208/…`, `发布时间：2022-12-08`, in the first or last lines.
fn source_line_year(text: &str) -> Option<i32> {
    let head = lines(text).take(16);
    let tail = lines(text).rev().take(8);
    head.chain(tail)
        .filter(|l| l.chars().count() < 200)
        .find_map(|l| {
            let is_source = l.contains("来源");
            let is_date = [
                "发布时间",
                "发布日期",
                "发文日期",
                "成文日期",
                "发表时间",
                "日期：",
                "时间：",
            ]
            .iter()
            .any(|k| l.contains(k));
            if is_source && l.contains("http") {
                let at = l.find("http")?;
                url_year(&l[at..])
            } else if is_date || is_source {
                date_re().captures(l).and_then(|c| date_year(&c))
            } else {
                None
            }
        })
}

/// A short closing line that is (mostly) a date: `2023年5月10日`, `xx县公安局 二〇二三年五月`.
fn sign_off_year(text: &str) -> Option<i32> {
    lines(text)
        .rev()
        .take(4)
        .filter(|l| l.chars().count() <= 40 && !is_rule_or_target(l))
        .find_map(|l| date_re().captures(l).and_then(|c| date_year(&c)))
}

fn is_rule_or_target(line: &str) -> bool {
    [
        "施行", "实施", "起", "截至", "截止", "到", "至今", "以来", "期间",
    ]
    .iter()
    .any(|w| line.contains(w))
}

/// Dated lines right under the title (`2021年5月21日 …通过`, `——2026年1月25日在…上`):
/// the latest date they give, since amendments and approvals follow adoption, leaving out
/// when it takes effect (`自2019年3月1日起施行`).
fn header_year(text: &str) -> Option<i32> {
    lines(text)
        .take(30)
        .take_while(|l| !["<!--", "#", "第"].iter().any(|p| l.starts_with(p)))
        .filter(|l| is_header_line(l))
        .filter(|l| {
            let start: String = l
                .trim_start_matches(['—', '-', '（', '(', ' ', '　'])
                .chars()
                .take(14)
                .collect();
            date_re().is_match(&start)
        })
        .flat_map(|l| date_re().captures_iter(l).map(move |c| (l, c)))
        .filter(|(l, c)| {
            !c.get(0)
                .is_some_and(|m| takes_effect(l, m.start(), m.end()))
        })
        .filter_map(|(_, c)| date_year(&c))
        .max()
}

/// A dated line under a title, not a body paragraph that opens with a date
/// (`2019年12月，张掖市被确定为…`): short, or a record of adoption/amendment/publication.
fn is_header_line(line: &str) -> bool {
    let len = line.chars().count();
    let record = [
        "通过", "批准", "修正", "修订", "公布", "发布", "会议", "印发",
    ]
    .iter()
    .any(|w| line.contains(w));
    len <= 40 || (len <= 250 && record)
}

/// `自2019年3月1日起施行`, `2015年3月1日 施行`: the date a text takes effect.
fn takes_effect(line: &str, start: usize, end: usize) -> bool {
    let after: String = line[end..].chars().take(8).collect();
    line[..start].ends_with('自') || after.contains("施行") || after.contains("生效")
}

/// `2024年…实施方案`: the first year in the title that is not a target (`到2025年`).
fn title_year(title: &str) -> Option<i32> {
    year_re().captures_iter(title).find_map(|c| {
        let start = c.get(0)?.start();
        let before = title[..start].chars().last();
        let target = matches!(before, Some('到' | '至' | '—' | '-' | '～' | '~'));
        (!target).then(|| numeral_year(&c[1])).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(path: &str, title: &str, text: &str) -> RawCase {
        RawCase {
            source_path: path.into(),
            ordinal: 0,
            title: title.into(),
            text: text.into(),
            url: None,
            published: None,
            publisher: None,
            passages: vec![],
        }
    }

    /// The year of a document of `a.txt` (this glob-shadowing helper keeps the cases short).
    fn year(title: &str, text: &str, url: Option<&str>) -> Option<i32> {
        super::year(&RawCase {
            url: url.map(str::to_owned),
            ..case("a.txt", title, text)
        })
    }

    #[test]
    fn dates_in_the_file_name_and_the_crawlers_date_are_evidence() {
        let law = case(
            "地方性法规/浙江/杭州市物业管理条例(2021-04-06).md",
            "杭州市物业管理条例",
            "第一条 为了规范物业管理。",
        );
        assert_eq!(super::year(&law), Some(2021));
        let plan = case(
            "word/2024年平安建设工作方案.docx",
            "平安建设工作方案",
            "一、总体要求。",
        );
        assert_eq!(super::year(&plan), Some(2024));
        let page = RawCase {
            published: Some("2023-05-06".into()),
            publisher: None,
            ..case("crawled/a.html", "某市推行楼道长制度", "正文。")
        };
        assert_eq!(super::year(&page), Some(2023));
        assert_eq!(
            super::year(&case("案例/第12号.txt", "案例", "正文。")),
            None
        );
    }

    #[test]
    fn source_url_beats_years_mentioned() {
        let text = "2017年以来，张掖市持续推进。2019年、2020年成效明显。\n文章来源:https://www.jicengzhizhi.com/2022/1208/2449.shtml";
        assert_eq!(year("", text, None), Some(2022));
        assert_eq!(years_mentioned("", text), vec![2017, 2019, 2020]);
        assert_eq!(
            year(
                "",
                "正文",
                Some("http://www.gov.cn/xinwen/2021-03/05/content.htm")
            ),
            Some(2021)
        );
    }

    #[test]
    fn target_year_is_not_the_publication_year() {
        let text = "到2025年，基本建成立体化信息化社会治安防控体系。到2035年全面实现。";
        assert_eq!(year("到2025年建成示范城市", text, None), None);
        assert_eq!(years_mentioned("", text), vec![2025, 2035]);
    }

    #[test]
    fn sign_off_date_with_chinese_numerals() {
        let text = "一、总体要求\n到2025年，建成示范城市。\nxx县公安局\n二〇二三年五月十日";
        assert_eq!(year("", text, None), Some(2023));
    }

    #[test]
    fn dated_title_and_header_lines() {
        assert_eq!(
            year("2024年平安建设工作实施方案", "正文。", None),
            Some(2024)
        );
        let law = "2001年7月13日 上海市第十一届人民代表大会常务委员会第二十九次会议通过\n2024年12月31日 第二次修正\n<!-- INFO END -->\n第一条 本条例自2025年3月1日起施行。";
        assert_eq!(
            year("上海市中小学校学生伤害事故处理条例", law, None),
            Some(2024)
        );
    }

    #[test]
    fn years_mentioned_range_and_numerals() {
        let text = "1840年鸦片战争，二〇二三年五月，2150年设想，1949年10月1日，2023-05-10。";
        assert_eq!(years_mentioned("", text), vec![1949, 2023]);
    }

    #[test]
    fn body_paragraph_opening_with_a_date_is_not_a_header() {
        let text = "2019年12月，张掖市被确定为全国社会治安防控体系建设示范城市创建城市，市委、市政府高度重视，成立领导小组，制定工作方案，全面推进各项创建任务落地见效，取得了明显成效。";
        assert_eq!(year("", text, None), None);
        assert_eq!(year("", "（2023年5月12日）\n正文", None), Some(2023));
    }

    #[test]
    fn unknown_year_is_null() {
        assert_eq!(
            year("社区警务经验", "近年来，某县推进警务改革。", None),
            None
        );
    }
}
