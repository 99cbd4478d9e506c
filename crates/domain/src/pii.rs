//! Personal-data and secrecy-marker scan of content before publication (publishing.md §10).
//!
//! Finds 18-digit 居民身份证号码 (birth date and GB 11643 check character verified), 15-digit
//! numbers of the old format, mobile numbers, bank card numbers (Luhn), 密级 markers
//! (绝密★, 机密★, 秘密★, 内部资料 …) and the words of a configurable sensitive-word list. Each
//! finding carries its byte range and, where the spec gives one, the masked replacement.

use chrono::NaiveDate;
use serde::Serialize;

/// What was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    IdCard18,
    IdCard15,
    Mobile,
    BankCard,
    SecretMarker,
    SensitiveWord,
}

impl PiiKind {
    pub const fn label(self) -> &'static str {
        match self {
            PiiKind::IdCard18 => "居民身份证号码",
            PiiKind::IdCard15 => "疑似 15 位身份证号码",
            PiiKind::Mobile => "手机号码",
            PiiKind::BankCard => "银行卡号",
            PiiKind::SecretMarker => "密级标志",
            PiiKind::SensitiveWord => "敏感词",
        }
    }
}

/// Whether a finding blocks submission until masked, fixed or overridden, or only warns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Block,
    Warn,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PiiFinding {
    pub kind: PiiKind,
    pub severity: Severity,
    /// Byte range in the scanned text.
    pub start: usize,
    pub end: usize,
    /// The replacement per the spec's masking format; `None` when the text must be fixed by hand
    /// (a secrecy marker) or the finding overridden with a reason.
    pub masked: Option<String>,
    /// Why, in Chinese (e.g. "校验位不符").
    pub note: String,
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric() || digit(c).is_some() || matches!(c, 'Ｘ' | 'ｘ')
}

/// GB 11643 check character of the first 17 digits.
pub fn id_check_char(first17: &[u32]) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const MAP: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let s: u32 = first17.iter().zip(W).map(|(d, w)| d * w).sum();
    MAP[(s % 11) as usize]
}

/// Luhn check over digits.
pub fn luhn(digits: &[u32]) -> bool {
    let mut sum = 0;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = *d;
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum % 10 == 0
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    NaiveDate::from_ymd_opt(y as i32, m, d).is_some()
}

/// Masks all but the first `keep_start` and last `keep_end` digits (separators kept).
pub fn mask_digits(s: &str, keep_start: usize, keep_end: usize) -> String {
    let total = s.chars().filter(|c| is_alnum(*c)).count();
    let mut i = 0;
    s.chars()
        .map(|c| {
            if is_alnum(c) {
                i += 1;
                if i <= keep_start || i > total.saturating_sub(keep_end) {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

/// One run of characters: byte range and chars.
struct Run {
    start: usize,
    end: usize,
    text: String,
}

/// Maximal runs of digits with single spaces or hyphens between digit groups.
fn number_runs(text: &str) -> Vec<Run> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (b, c) = chars[i];
        let prev_alnum = i > 0 && is_alnum(chars[i - 1].1);
        if !is_alnum(c) || prev_alnum {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() {
            let c = chars[j].1;
            let sep_ok = matches!(c, ' ' | '-')
                && j > i
                && digit(chars[j - 1].1).is_some()
                && chars.get(j + 1).is_some_and(|n| digit(n.1).is_some());
            if is_alnum(c) || sep_ok {
                j += 1;
            } else {
                break;
            }
        }
        let end = chars.get(j).map_or(text.len(), |x| x.0);
        out.push(Run {
            start: b,
            end,
            text: text[b..end].to_owned(),
        });
        i = j.max(i + 1);
    }
    out
}

fn classify(run: &Run, out: &mut Vec<PiiFinding>) {
    let groups: Vec<&str> = run.text.split([' ', '-']).collect();
    let plain: String = groups.concat();
    let has_sep = groups.len() > 1;
    // Letters other than a final X: not a number we look for (e.g. a credit code), unless the
    // digits sit in separated groups (then each group is checked on its own below).
    let digits: Vec<u32> = plain.chars().filter_map(digit).collect();
    let last = plain.chars().last();
    let all_digits = digits.len() == plain.chars().count();
    let push = |out: &mut Vec<PiiFinding>, kind, severity, masked, note: &str| {
        out.push(PiiFinding {
            kind,
            severity,
            start: run.start,
            end: run.end,
            masked,
            note: note.to_owned(),
        });
    };
    if !has_sep
        && plain.chars().count() == 18
        && digits.len() >= 17
        && (all_digits || matches!(last, Some('X' | 'x' | 'Ｘ' | 'ｘ')))
    {
        let first17 = &digits[..17];
        let y = first17[6..10].iter().fold(0, |a, d| a * 10 + d);
        let m = first17[10] * 10 + first17[11];
        let d = first17[12] * 10 + first17[13];
        if valid_date(y, m, d) && (1900..=2100).contains(&y) {
            let check = id_check_char(first17);
            let given = last.map(|c| {
                if matches!(c, 'x' | 'Ｘ' | 'ｘ') {
                    'X'
                } else {
                    digit(c).and_then(|v| char::from_digit(v, 10)).unwrap_or(c)
                }
            });
            let masked = Some(mask_digits(&run.text, 2, 3));
            if given == Some(check) {
                push(
                    out,
                    PiiKind::IdCard18,
                    Severity::Block,
                    masked,
                    "出生日期与校验位均有效",
                );
            } else {
                push(
                    out,
                    PiiKind::IdCard18,
                    Severity::Warn,
                    masked,
                    "出生日期有效但校验位不符，可能是录入错误的身份证号码",
                );
            }
            return;
        }
    }
    if !all_digits {
        return;
    }
    let n = digits.len();
    // Mobile: 11 digits 1[3-9]…, or with the 86 country code; grouped 3-4-4 when separated.
    let mobile_body = |d: &[u32]| d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1]);
    let grouped_mobile =
        has_sep && groups.iter().map(|g| g.chars().count()).collect::<Vec<_>>() == [3, 4, 4];
    if (!has_sep || grouped_mobile) && mobile_body(&digits) {
        push(
            out,
            PiiKind::Mobile,
            Severity::Block,
            Some(mask_digits(&run.text, 3, 4)),
            "",
        );
        return;
    }
    if !has_sep && n == 13 && digits[0] == 8 && digits[1] == 6 && mobile_body(&digits[2..]) {
        push(
            out,
            PiiKind::Mobile,
            Severity::Block,
            Some(mask_digits(&run.text, 5, 4)),
            "带国家代码 86",
        );
        return;
    }
    if !has_sep && n == 15 {
        let (m, d) = (digits[8] * 10 + digits[9], digits[10] * 10 + digits[11]);
        let y = 1900 + digits[6] * 10 + digits[7];
        if valid_date(y, m, d) {
            push(
                out,
                PiiKind::IdCard15,
                Severity::Warn,
                Some(mask_digits(&run.text, 2, 3)),
                "15 位、出生日期有效，可能是 1999 年以前签发的身份证号码",
            );
            return;
        }
    }
    let grouped_card = has_sep
        && groups.iter().rev().skip(1).all(|g| g.chars().count() == 4)
        && groups
            .last()
            .is_some_and(|g| (1..=4).contains(&g.chars().count()));
    if (16..=19).contains(&n) && (!has_sep || grouped_card) {
        if luhn(&digits) {
            push(
                out,
                PiiKind::BankCard,
                Severity::Block,
                Some(mask_digits(&run.text, 0, 4)),
                "通过 Luhn 校验",
            );
        } else {
            push(
                out,
                PiiKind::BankCard,
                Severity::Warn,
                Some(mask_digits(&run.text, 0, 4)),
                "16–19 位数字，未通过 Luhn 校验，请确认是否为银行卡号",
            );
        }
    }
}

/// 密级 markers: 绝密/机密/秘密 followed by ★ (or * ▲ with a period), and 内部资料/内部文件/
/// 内部使用/内部材料/内部★. Plain mentions such as “不得涉及国家秘密” are not markers.
fn secret_markers(text: &str, out: &mut Vec<PiiFinding>) {
    for level in ["绝密", "机密", "秘密"] {
        for (i, _) in text.match_indices(level) {
            let after = &text[i + level.len()..];
            let before = text[..i].chars().next_back();
            let marker = after.starts_with(['★', '☆', '*', '＊', '▲']);
            // A standalone level on its own line, e.g. a header “机密”.
            let line_alone = before.is_none_or(|c| c == '\n')
                && after
                    .chars()
                    .next()
                    .is_none_or(|c| c == '\n' || c == ' ' || c == '　');
            if marker || line_alone {
                let end = i
                    + level.len()
                    + after
                        .chars()
                        .next()
                        .filter(|c| ['★', '☆', '*', '＊', '▲'].contains(c))
                        .map_or(0, char::len_utf8);
                out.push(PiiFinding {
                    kind: PiiKind::SecretMarker,
                    severity: Severity::Block,
                    start: i,
                    end,
                    masked: None,
                    note: format!("“{level}”密级标志：涉密信息严禁上网，请核实后删除该内容或由分管领导书面说明"),
                });
            }
        }
    }
    for w in [
        "内部资料",
        "内部文件",
        "内部使用",
        "内部材料",
        "内部★",
        "内部事项",
    ] {
        for (i, _) in text.match_indices(w) {
            out.push(PiiFinding {
                kind: PiiKind::SecretMarker,
                severity: Severity::Block,
                start: i,
                end: i + w.len(),
                masked: None,
                note: format!("“{w}”标志：内部信息不宜公开，请核实"),
            });
        }
    }
}

/// Scans `text`. `sensitive_words` is the agency's list (empty words ignored).
pub fn scan(text: &str, sensitive_words: &[String]) -> Vec<PiiFinding> {
    let mut out = Vec::new();
    for run in number_runs(text) {
        classify(&run, &mut out);
    }
    secret_markers(text, &mut out);
    for w in sensitive_words
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
    {
        for (i, _) in text.match_indices(w) {
            out.push(PiiFinding {
                kind: PiiKind::SensitiveWord,
                severity: Severity::Block,
                start: i,
                end: i + w.len(),
                masked: Some("*".repeat(w.chars().count())),
                note: format!("敏感词“{w}”"),
            });
        }
    }
    out.sort_by_key(|f| (f.start, f.end));
    out.dedup_by(|b, a| a.start == b.start && a.end == b.end);
    out
}

/// Applies the masks of the given findings (those with a mask); overlapping findings after the
/// first are skipped.
pub fn apply_masks(text: &str, findings: &[PiiFinding]) -> String {
    let mut fs: Vec<&PiiFinding> = findings
        .iter()
        .filter(|f| f.masked.is_some() && f.end <= text.len())
        .collect();
    fs.sort_by_key(|f| f.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in fs {
        if f.start < at || !text.is_char_boundary(f.start) || !text.is_char_boundary(f.end) {
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.push_str(f.masked.as_deref().unwrap_or_default());
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(text: &str) -> Vec<(PiiKind, Severity, String)> {
        scan(text, &[])
            .into_iter()
            .map(|f| (f.kind, f.severity, text[f.start..f.end].to_owned()))
            .collect()
    }

    #[test]
    fn identity_numbers() {
        let f = scan("申请人身份证号11010519491231002X，住址略。", &[]);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].kind, f[0].severity),
            (PiiKind::IdCard18, Severity::Block)
        );
        assert_eq!(f[0].masked.as_deref(), Some("11*************02X"));
        assert_eq!(kinds("11010519491231002X")[0].1, Severity::Block);
        // Wrong check character → warning; invalid date → nothing; inside a longer run → nothing.
        assert_eq!(kinds("110105194912310021")[0].1, Severity::Warn);
        assert!(
            kinds("110105194913310021")
                .iter()
                .all(|k| k.0 != PiiKind::IdCard18),
            "month 13"
        );
        assert!(kinds("A11010519491231002X").is_empty());
        assert_eq!(kinds("旧证号110105491231002")[0].0, PiiKind::IdCard15);
        // Full-width digits are read too.
        assert_eq!(
            kinds("１１０１０５１９４９１２３１００２Ｘ")[0].0,
            PiiKind::IdCard18
        );
        // A 统一社会信用代码 is not personal data.
        assert!(kinds("11441700007280420Y").is_empty());
    }

    #[test]
    fn phones_and_cards() {
        let t = "联系人手机13812345678，或 138-1234-5678、+8613812345678。";
        let k = kinds(t);
        assert_eq!(
            k.iter().filter(|x| x.0 == PiiKind::Mobile).count(),
            3,
            "{k:?}"
        );
        let masked = apply_masks(t, &scan(t, &[]));
        assert!(
            masked.contains("138****5678")
                && masked.contains("138-****-5678")
                && masked.contains("86138****5678"),
            "{masked}"
        );
        assert!(
            kinds("电话 0513-85123456").is_empty(),
            "office landlines are not flagged"
        );
        assert!(kinds("编号 23812345678").is_empty());
        let card = kinds("卡号 6222 0202 0000 0000 005");
        assert!(card.iter().any(|x| x.0 == PiiKind::BankCard), "{card:?}");
        assert_eq!(kinds("4111111111111111")[0].1, Severity::Block);
        assert_eq!(kinds("4111111111111112")[0].1, Severity::Warn);
        assert_eq!(
            apply_masks("4111111111111111", &scan("4111111111111111", &[])),
            "************1111"
        );
    }

    #[test]
    fn secrecy_markers_and_sensitive_words() {
        let k = kinds("机密★5年\n关于某事的通知");
        assert_eq!(k[0].0, PiiKind::SecretMarker);
        assert_eq!(k[0].2, "机密★");
        assert!(kinds("本文件不涉及国家秘密和商业秘密。").is_empty());
        assert_eq!(kinds("秘密\n正文")[0].0, PiiKind::SecretMarker);
        assert_eq!(kinds("（内部资料，注意保存）")[0].0, PiiKind::SecretMarker);
        let f = scan("某某违规", &["违规".to_owned(), " ".to_owned()]);
        assert_eq!(f.len(), 1);
        assert_eq!(apply_masks("某某违规", &f), "某某**");
    }

    #[test]
    fn check_characters_match_the_standard() {
        let d: Vec<u32> = "11010519491231002".chars().filter_map(digit).collect();
        assert_eq!(id_check_char(&d), 'X');
    }

    proptest! {
        #[test]
        fn scanning_never_panics_and_masks_keep_the_rest(s in "\\PC{0,200}") {
            let f = scan(&s, &["秘".to_owned()]);
            let m = apply_masks(&s, &f);
            prop_assert!(m.chars().count() <= s.chars().count() + 64);
            for x in &f {
                prop_assert!(x.start <= x.end && x.end <= s.len());
            }
        }

        #[test]
        fn every_valid_id_number_is_found(y in 1900u32..2025, m in 1u32..13, d in 1u32..29, area in 110_000_u32..659_999, seq in 0u32..1000) {
            let body = format!("{area:06}{y:04}{m:02}{d:02}{seq:03}");
            let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
            let id = format!("{body}{}", id_check_char(&digits));
            let text = format!("身份证{id}号");
            let f = scan(&text, &[]);
            prop_assert_eq!(f.len(), 1);
            prop_assert_eq!(f[0].kind, PiiKind::IdCard18);
            prop_assert_eq!(f[0].severity, Severity::Block);
            let masked = apply_masks(&text, &f);
            prop_assert!(!masked.contains(&id));
        }
    }
}
