//! Value cells as printed (spec §6.5): blanks, signs, units, separators, full-width digits.

use std::str::FromStr;
use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::model::MoneyUnit;

/// What a printed value cell says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Read {
    /// A number with its printed unit, if any.
    Number { value: Decimal, unit: Option<Unit> },
    /// Blank, `/`, `-`, `无` …: no number was printed.
    Blank,
    /// Text that is neither a number nor a blank marker.
    Unreadable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Count,
    Yuan,
    WanYuan,
}

impl Unit {
    pub fn money(self) -> Option<MoneyUnit> {
        match self {
            Unit::Yuan => Some(MoneyUnit::Yuan),
            Unit::WanYuan => Some(MoneyUnit::WanYuan),
            Unit::Count => None,
        }
    }
}

const BLANKS: [&str; 12] = [
    "", "/", "／", "-", "－", "—", "——", "--", "无", "空", "暂无", "\\",
];

/// NFKC and whitespace removal (so `1 2` in a PDF cell reads `12` only when it is one cell).
pub(crate) fn clean(raw: &str) -> String {
    crate::normalize::nfkc(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect()
}

/// NFKC with runs of whitespace kept as single spaces (they may separate run-together values).
pub(crate) fn clean_keep_spaces(raw: &str) -> String {
    let s = crate::normalize::nfkc(raw);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn is_blank(raw: &str) -> bool {
    let c = clean(raw);
    BLANKS.contains(&c.as_str()) || c.chars().all(|ch| matches!(ch, '-' | '—' | '/' | '－'))
}

/// Reads a value cell; `allow_words` also accepts `增N` / `减N` (2019 `本年增/减`).
pub(crate) fn read(raw: &str, allow_words: bool) -> Read {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"^([+\-−]|增|减)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(件|个|项|条|次|起|万元|元)?$",
        )
        .expect("valid regex")
    });
    // Fast path: most cells are plain counts (`0`, `709`).
    let t = raw.trim();
    if !t.is_empty()
        && t.len() <= 18
        && t.bytes().all(|b| b.is_ascii_digit())
        && let Ok(value) = Decimal::from_str(t)
    {
        return Read::Number { value, unit: None };
    }
    if is_blank(raw) {
        return Read::Blank;
    }
    // Fast reject: a value starts with a digit, a sign or 增/减 (after full-width folding).
    let first = raw.trim_start().chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || ('０'..='９').contains(&first) || "+-−＋－增减".contains(first))
    {
        return Read::Unreadable;
    }
    let mut c = clean(raw);
    // A doubled sign (`--253`) is a typing artefact of one sign.
    while c.starts_with("--") || c.starts_with("++") {
        c.remove(0);
    }
    let Some(m) = re.captures(&c) else {
        return Read::Unreadable;
    };
    let sign = m.get(1).map(|s| s.as_str());
    if matches!(sign, Some("增" | "减")) && !allow_words {
        return Read::Unreadable;
    }
    let mut text = m[2].replace(',', "");
    if let Some(f) = m.get(3) {
        text.push('.');
        text.push_str(f.as_str());
    }
    let Ok(mut value) = Decimal::from_str(&text) else {
        return Read::Unreadable;
    };
    if matches!(sign, Some("-" | "−" | "减")) {
        value = -value;
    }
    let unit = m.get(4).map(|u| match u.as_str() {
        "元" => Unit::Yuan,
        "万元" => Unit::WanYuan,
        _ => Unit::Count,
    });
    Read::Number { value, unit }
}

/// Whether a cell could be a value cell (a number, a blank marker, or short non-label text).
pub(crate) fn looks_like_value(raw: &str) -> bool {
    !matches!(read(raw, true), Read::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: &str) -> Decimal {
        Decimal::from_str(v).unwrap()
    }

    #[test]
    fn grammar() {
        assert_eq!(
            read("１２", false),
            Read::Number {
                value: n("12"),
                unit: None
            }
        );
        assert_eq!(
            read("+2", false),
            Read::Number {
                value: n("2"),
                unit: None
            }
        );
        assert_eq!(
            read("－3", false),
            Read::Number {
                value: n("-3"),
                unit: None
            }
        );
        assert_eq!(
            read("减4", true),
            Read::Number {
                value: n("-4"),
                unit: None
            }
        );
        assert_eq!(read("减4", false), Read::Unreadable);
        assert_eq!(
            read("1,234件", false),
            Read::Number {
                value: n("1234"),
                unit: Some(Unit::Count)
            }
        );
        assert_eq!(
            read("251000元", false),
            Read::Number {
                value: n("251000"),
                unit: Some(Unit::Yuan)
            }
        );
        assert_eq!(
            read("103.3879万元", false),
            Read::Number {
                value: n("103.3879"),
                unit: Some(Unit::WanYuan)
            }
        );
        assert_eq!(
            read("2031.9", false),
            Read::Number {
                value: n("2031.9"),
                unit: None
            }
        );
        for b in ["", " ", "/", "／", "-", "—", "——", "无", "暂无", "\u{a0}"] {
            assert_eq!(read(b, false), Read::Blank, "{b:?}");
        }
        assert_eq!(
            read("--253", false),
            Read::Number {
                value: n("-253"),
                unit: None
            }
        );
        for bad in ["约30", "3（含转办）", "三", "-+2", "1.2.3"] {
            assert_eq!(read(bad, true), Read::Unreadable, "{bad}");
        }
    }
}
