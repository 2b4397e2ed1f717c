//! Question and function words (哪些, 如何, 怎样, 的, 了, 出台…): words of how people ask, not
//! of what they ask about. The query planner drops them from a query (unless the query is
//! nothing but such words) and never highlights them. An embedded list, matched against
//! whole jieba words of the query; documents are indexed without any filtering.

/// The embedded stop list: interrogatives, particles, conjunctions and prepositions, modal
/// verbs, and the verbs and nouns of a question about documents (出台, 制定, 地方…).
const STOP_WORDS: &[&str] = &[
    // Interrogatives.
    "哪些",
    "哪个",
    "哪里",
    "哪儿",
    "哪",
    "什么",
    "什么样",
    "怎样",
    "怎么",
    "怎么样",
    "怎么办",
    "如何",
    "为何",
    "为什么",
    "是否",
    "有没有",
    "是不是",
    "能否",
    "可否",
    "多少",
    "几",
    "谁",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "么",
    // Particles and function words.
    "的",
    "地",
    "得",
    "了",
    "着",
    "过",
    "之",
    "所",
    "等",
    "等等",
    "以及",
    "及",
    "和",
    "与",
    "或",
    "或者",
    "并",
    "并且",
    "而",
    "而且",
    "跟",
    "同",
    "及其",
    "其",
    "还",
    "也",
    "又",
    "都",
    "就",
    "才",
    "被",
    "把",
    "将",
    "对",
    "对于",
    "关于",
    "有关",
    "在",
    "从",
    "向",
    "于",
    "为",
    "以",
    "由",
    "给",
    "让",
    "使",
    "是",
    "有",
    "这",
    "那",
    "这些",
    "那些",
    "这个",
    "那个",
    "一些",
    "各",
    "各地",
    "其他",
    "我",
    "我们",
    "你",
    "你们",
    "他们",
    "它们",
    "我国",
    "中",
    // Modal verbs and question verbs.
    "应当",
    "应该",
    "应",
    "需要",
    "须",
    "必须",
    "可以",
    "能",
    "能够",
    "会",
    "要",
    "想",
    "请问",
    "请",
    "如果",
    "要是",
    "出台",
    "制定",
    "哪些地方",
    "地方",
    "有哪些",
    "进行",
    "开展",
    "一下",
];

/// Whether `word` (one jieba word of a query, lowercased) is a stop word.
pub fn is_stop(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_words_are_stop_words_and_topics_are_not() {
        for w in [
            "哪些", "如何", "怎样", "的", "了", "出台", "地方", "是否", "应当",
        ] {
            assert!(is_stop(w), "{w}");
        }
        for w in ["调解", "纠纷", "网格化", "条例", "骑手", "权益", "治安"] {
            assert!(!is_stop(w), "{w}");
        }
    }
}
