//! Label normalisation, step 1 of spec §6.4: the lossless matching key.
//!
//! Used to compare printed headings and labels with the canonical ones; narrative text is never
//! normalised (spec §6.1 principle 5).

use unicode_normalization::UnicodeNormalization;

/// Traditional → simplified for the characters that occur in canonical labels, headings and
/// keywords (spec §6.4 step 1.3).
const TRAD_SIMP: &str = "開开處处數数請请總总計计規规範范許许罰罚強强製制發发廢废現现護护務务機机關关\
議议訴诉訟讼維维糾纠結结審审經经復复複复後后轉转辦办繼继續续屬属國国穩稳權权\
內内類类過过執执詢询項项無无補补確确訪访舉举報报費费額额萬万購购採采業业為为\
會会體体於于決决況况減减動动區区單单對对當当據据條条構构沒没獲获組组織织納纳\
繳缴認认這这進进問问題题係系個个";

fn simplify(c: char) -> char {
    // Sorted pairs, searched by binary search: called for every character of every label.
    static MAP: std::sync::OnceLock<Vec<(char, char)>> = std::sync::OnceLock::new();
    if c.is_ascii() {
        return c;
    }
    let map = MAP.get_or_init(|| {
        let chars: Vec<char> = TRAD_SIMP.chars().collect();
        let mut pairs: Vec<(char, char)> = chars.chunks(2).map(|p| (p[0], p[1])).collect();
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0);
        pairs
    });
    map.binary_search_by_key(&c, |p| p.0)
        .map_or(c, |i| map[i].1)
}

fn is_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{00A0}')
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '“' | '”' | '"' | '\'' | '‘' | '’' | '「' | '」' | '『' | '』'
    )
}

/// Removes parenthesised pinyin that some mirror sites insert after converted characters
/// (`規(guī)章` → `規章`); no canonical label contains Latin letters, so this loses nothing.
fn strip_pinyin(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let is_py = |c: char| c.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü".contains(c);
    while i < chars.len() {
        if matches!(chars[i], '(' | '（') {
            let n = chars[i + 1..].iter().take_while(|c| is_py(**c)).count();
            if (1..=7).contains(&n) && matches!(chars.get(i + 1 + n), Some(')' | '）')) {
                i += n + 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Characters that NFKC leaves unchanged and that make up nearly all of a report: ASCII, CJK
/// unified ideographs, and the CJK punctuation and quotes used in labels.
fn nfkc_stable(c: char) -> bool {
    c.is_ascii()
        || matches!(c,
            '\u{4E00}'..='\u{9FFF}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{2018}'..='\u{2019}'
            | '\u{201C}'..='\u{201D}'
            | '\u{2014}'
            | '\u{00B7}'
            | '\n'
            | '\t'
        )
}

/// NFKC, with fast paths: text made only of characters NFKC keeps (ASCII, CJK ideographs, CJK
/// punctuation) plus full-width ASCII and the ideographic space (folded by hand) never reaches
/// the full algorithm, and text that needs no folding is copied once.
pub fn nfkc(s: &str) -> String {
    let fold = |c: char| match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    let mut simple = true;
    let mut needs_fold = false;
    for c in s.chars() {
        if matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}') {
            needs_fold = true;
        } else if !nfkc_stable(c) {
            simple = false;
            break;
        }
    }
    if simple {
        return if needs_fold {
            s.chars().map(fold).collect()
        } else {
            s.to_owned()
        };
    }
    let folded: String = s.chars().map(fold).collect();
    if unicode_normalization::is_nfkc_quick(folded.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        folded
    } else {
        folded.nfkc().collect()
    }
}

/// The matching key of a label (spec §6.4 step 1, plus removal of mirror-site pinyin).
pub fn key(label: &str) -> String {
    let stripped = if label.contains(['(', '（']) {
        std::borrow::Cow::Owned(strip_pinyin(label))
    } else {
        std::borrow::Cow::Borrowed(label)
    };
    let n = nfkc(&stripped);
    let mut s = String::with_capacity(n.len());
    for c in n.chars() {
        if is_invisible(c) {
            continue;
        }
        match simplify(c) {
            q if is_quote(q) => {}
            '、' => s.push(','),
            c => s.push(c),
        }
    }
    normalize_ordinal(s)
}

const CN_DIGITS: &str = "一二三四五六七八九十";

/// Step 1.6: `1.` `1、` `1,` `(1)` → `1.`; `一、` `一.` `一,` → `一,`; `(一)` stays.
fn normalize_ordinal(s: String) -> String {
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || first == '(' || CN_DIGITS.contains(first)) {
        return s;
    }
    let chars: Vec<char> = s.chars().collect();
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && matches!(chars.get(digits), Some('.' | ',')) {
        let mut out: String = chars[..digits].iter().collect();
        out.push('.');
        out.extend(&chars[digits + 1..]);
        return out;
    }
    if chars.first() == Some(&'(') {
        let d = chars[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d > 0 && chars.get(1 + d) == Some(&')') {
            let mut out: String = chars[1..=d].iter().collect();
            out.push('.');
            out.extend(&chars[d + 2..]);
            return out;
        }
    }
    let cn = chars.iter().take_while(|c| CN_DIGITS.contains(**c)).count();
    if cn > 0 && matches!(chars.get(cn), Some('.' | ',')) {
        let mut out: String = chars[..cn].iter().collect();
        out.push(',');
        out.extend(&chars[cn + 1..]);
        return out;
    }
    s
}

/// Text with whitespace removed and digits made ASCII (for keyword rules S7–S9, N1).
pub fn compact(text: &str) -> String {
    nfkc(text).chars().filter(|c| !is_invisible(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn fast_nfkc_agrees_with_nfkc() {
        use unicode_normalization::UnicodeNormalization;
        for s in [
            "（一）予以公开：１２，Ａ",
            "1.属于国家秘密、“三安全一稳定”——·〈〉【】\t本年新收",
            "a\u{301}本年",
            "\u{3000}１２３ 元",
            "第二十条第（一）项",
            "本年增／减",
            "ｶﾀｶﾅ ①②",
            "규정",
            "e\u{301}",
            "\u{3000}x",
        ] {
            assert_eq!(super::nfkc(s), s.nfkc().collect::<String>(), "{s}");
        }
    }

    #[test]
    fn keys_match_published_variants() {
        assert_eq!(key("商业 企业"), key("商业企业"));
        assert_eq!(key("第二十条第(一)项"), key("第二十条第（一）项"));
        assert_eq!(key("3.危及\"三安全一稳定\""), key("3.危及“三安全一稳定”"));
        assert_eq!(key("3.危及三安全一稳定"), key("3.危及“三安全一稳定”"));
        assert_eq!(key("1、属于国家秘密"), key("1.属于国家秘密"));
        assert_eq!(key("(1)属于国家秘密"), key("1.属于国家秘密"));
        assert_eq!(key("１．属于国家秘密"), key("1.属于国家秘密"));
        assert_eq!(key("一.总体情况"), key("一、总体情况"));
        assert_eq!(key("總計"), key("总计"));
        assert_eq!(key("本年增／减"), key("本年增/减"));
        assert_eq!(
            key("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"),
            key("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
        );
        assert_ne!(
            key("五、存在问题及改进情况"),
            key("五、存在的主要问题及改进情况")
        );
        assert_eq!(key("（一）予以公开"), "(一)予以公开");
        assert_eq!(key("規(guī)章"), key("规章"));
        assert_eq!(key("第二十條第(一)項(xiàng)"), key("第二十条第（一）项"));
        assert_eq!(key("本年制發(fā)件數(shù)"), key("本年制发件数"));
    }
}
