//! Splitting runs of digits whose separators were lost (spec §6.2.5): every way to cut a run
//! into the expected number of values, so that the reader can keep only the readings the
//! consistency rules allow. Bounded: at most [`MAX_READINGS`] readings are produced.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::schema::CellType;

pub(crate) const MAX_READINGS: usize = 2000;
const MAX_PART: usize = 32;
const MAX_STEPS: usize = 20_000;

/// A value as printed in one reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub text: String,
    pub value: Decimal,
}

/// Whether the run is split trivially (spec §6.2.5: as many space-separated tokens as cells, or
/// one digit per cell).
pub(crate) fn is_trivial(run: &str, k: usize) -> bool {
    let tokens: Vec<&str> = run.split_whitespace().collect();
    tokens.len() == k
        || (tokens.len() == 1
            && tokens[0].chars().count() == k
            && tokens[0].chars().all(|c| c.is_ascii_digit()))
}

fn part_ok(s: &str, ty: CellType) -> Option<Decimal> {
    let (sign, body) = match s.chars().next()? {
        '+' | '-' if ty == CellType::SignedCount => (s.chars().next(), &s[1..]),
        _ => (None, s),
    };
    if body.is_empty() {
        return None;
    }
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) if ty == CellType::Money && !f.is_empty() => (i, Some(f)),
        Some(_) => return None,
        None => (body, None),
    };
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || (int.len() > 1 && int.starts_with('0'))
    {
        return None;
    }
    if frac.is_some_and(|f| !f.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let v = Decimal::from_str(body).ok()?;
    Some(if sign == Some('-') { -v } else { v })
}

/// Every reading of `run` as `types.len()` values, in order (a unit suffix such as `元` stays
/// with the last value's text).
pub(crate) fn readings(run: &str, types: &[CellType]) -> Vec<Vec<Part>> {
    let clean: String = crate::parse::value::clean_keep_spaces(run);
    let (body, unit) = ["万元", "元", "件"]
        .iter()
        .find_map(|u| clean.strip_suffix(u).map(|b| (b.to_owned(), *u)))
        .unwrap_or((clean.clone(), ""));
    let tokens: Vec<Vec<char>> = body
        .split_whitespace()
        .map(|t| t.chars().collect())
        .collect();
    let mut out = Vec::new();
    let mut steps = 0;
    let mut parts: Vec<Part> = Vec::new();
    dfs(&tokens, 0, 0, types, &mut parts, &mut out, &mut steps);
    if !unit.is_empty() {
        for r in &mut out {
            if let Some(last) = r.last_mut() {
                last.text.push_str(unit);
            }
        }
    }
    out
}

fn dfs(
    tokens: &[Vec<char>],
    t: usize,
    at: usize,
    types: &[CellType],
    parts: &mut Vec<Part>,
    out: &mut Vec<Vec<Part>>,
    steps: &mut usize,
) {
    *steps += 1;
    if *steps > MAX_STEPS || out.len() >= MAX_READINGS {
        return;
    }
    if t == tokens.len() {
        if parts.len() == types.len() {
            out.push(parts.clone());
        }
        return;
    }
    let Some(ty) = types.get(parts.len()) else {
        return;
    };
    let token = &tokens[t];
    // No value has more than 28 digits (plus a sign and decimals): longer cuts are never tried.
    for end in at + 1..=token.len().min(at + MAX_PART) {
        *steps += 1;
        if *steps > MAX_STEPS {
            return;
        }
        let s: String = token[at..end].iter().collect();
        if let Some(v) = part_ok(&s, *ty) {
            parts.push(Part { text: s, value: v });
            if end == token.len() {
                dfs(tokens, t + 1, 0, types, parts, out, steps);
            } else {
                dfs(tokens, t, end, types, parts, out, steps);
            }
            parts.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(n: usize) -> Vec<CellType> {
        vec![CellType::Count; n]
    }

    fn vals(r: &[Part]) -> Vec<String> {
        r.iter().map(|p| p.text.clone()).collect()
    }

    #[test]
    fn huge_runs_are_bounded() {
        let run = "1".repeat(100_000);
        let r = readings(&run, &counts(7));
        assert!(r.len() <= MAX_READINGS);
        let r = readings(&"12 ".repeat(50_000), &counts(3));
        assert!(r.is_empty());
    }

    #[test]
    fn unambiguous_runs() {
        assert!(is_trivial("0000000", 7));
        assert!(is_trivial("0 1 1 0 2 1 0 0 0 1 0 0 0 0 0", 15));
        assert!(!is_trivial("898989", 3));
        let r = readings("7000007", &counts(7));
        assert_eq!(r.len(), 1);
        assert_eq!(vals(&r[0]), ["7", "0", "0", "0", "0", "0", "7"]);
    }

    #[test]
    fn ambiguous_runs_list_every_reading() {
        let r = readings("898989", &counts(3));
        assert!(r.len() > 1);
        assert!(r.iter().any(|x| vals(x) == ["89", "89", "89"]));
        assert!(r.iter().any(|x| vals(x) == ["8", "98", "989"]));
        // Leading zeros are not numbers: "230 000023" as 7 values.
        let r = readings("230 000023", &counts(7));
        assert!(
            r.iter()
                .any(|x| vals(x) == ["23", "0", "0", "0", "0", "0", "23"])
        );
        assert!(
            r.iter()
                .all(|x| x.iter().all(|p| p.text == "0" || !p.text.starts_with('0')))
        );
        // Signs only where the column is signed; money keeps its decimals and unit.
        let types = [CellType::Count, CellType::SignedCount, CellType::Count];
        assert!(
            readings("20+1737", &types)
                .iter()
                .any(|x| vals(x) == ["20", "+17", "37"])
        );
        let r = readings("13575394432.52元", &[CellType::Count, CellType::Money]);
        assert!(r.iter().any(|x| vals(x) == ["135", "75394432.52元"]));
    }
}
