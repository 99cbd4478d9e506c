//! 索引号 (publishing.md §5): the unique, permanent identifier of a published item.
//!
//! Default scheme `<前段码>/<YYYY>-<NNNNN>`: the agency's 统一社会信用代码 (18 characters) or
//! 组织机构代码 (9), the year, and a 5-digit serial assigned once per prefix and year, never
//! reused or changed — also when the item is withdrawn or moves to another agency.

use std::fmt;

use serde::Serialize;

/// A valid 索引号 of the default scheme, or an imported legacy one kept as printed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct IndexNo(String);

/// The largest serial the 5-digit scheme can hold in one year.
pub const MAX_SERIAL: u32 = 99_999;

/// Checks a 前段码: an 18-character 统一社会信用代码 (digits and upper-case letters without I, O,
/// S, V, Z) or a 9-character 组织机构代码 (digits and upper-case letters), without hyphens.
pub fn check_prefix(p: &str) -> Result<String, String> {
    let p = p.trim().to_ascii_uppercase();
    let usc = |c: char| c.is_ascii_digit() || ("ABCDEFGHJKLMNPQRTUWXY").contains(c);
    let ok = (p.len() == 18 && p.chars().all(usc))
        || (p.len() == 9
            && p.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    if ok {
        Ok(p)
    } else {
        Err("索引号前段码应为 18 位统一社会信用代码（不含 I、O、S、V、Z），或 9 位组织机构代码（不含连字符）".into())
    }
}

impl IndexNo {
    /// The 索引号 for `prefix`, `year` and `serial` (1-based).
    pub fn new(prefix: &str, year: i32, serial: u32) -> Result<Self, String> {
        let prefix = check_prefix(prefix)?;
        if !(1000..=9999).contains(&year) {
            return Err(format!("年份 {year} 不是四位数"));
        }
        if !(1..=MAX_SERIAL).contains(&serial) {
            return Err(format!(
                "{year} 年的索引号序号已用完（最多 {MAX_SERIAL} 个）"
            ));
        }
        Ok(Self(format!("{prefix}/{year:04}-{serial:05}")))
    }

    /// Parses a 索引号 of the default scheme (`^([0-9A-HJ-NPQRTUWXY]{18}|[0-9A-Z]{9})/[0-9]{4}-[0-9]{5}$`).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let err = || {
            format!(
                "“{s}”不是“前段码/年份-五位序号”格式的索引号，例如 11441700007280420Y/2021-00050"
            )
        };
        let (prefix, rest) = s.split_once('/').ok_or_else(err)?;
        check_prefix(prefix).map_err(|_| err())?;
        if prefix != prefix.to_ascii_uppercase() {
            return Err(err());
        }
        let (y, n) = rest.split_once('-').ok_or_else(err)?;
        if y.len() != 4
            || n.len() != 5
            || !y.bytes().all(|b| b.is_ascii_digit())
            || !n.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        Ok(Self(s.to_owned()))
    }

    /// A legacy 索引号 of another scheme, kept exactly as printed (imported items).
    pub fn legacy(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() || s.chars().count() > 64 || s.chars().any(char::is_control) {
            return Err("索引号不能为空、不能超过 64 个字符".into());
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 后段码 (`YYYY-NNNNN`), which result lists may show alone.
    pub fn tail(&self) -> &str {
        self.0.rsplit_once('/').map_or(&self.0, |(_, t)| t)
    }
}

impl fmt::Display for IndexNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_examples() {
        for ok in [
            "000014349/2017-00110",
            "11441700007280420Y/2021-00050",
            "11620622013933539B/2021-03844",
            "113708280043326001/2024-02411",
            "053533505/2021-00106",
        ] {
            assert_eq!(IndexNo::parse(ok).unwrap().as_str(), ok);
        }
        for local in [
            "0142768-8/2022-00185",
            "4311280016/2019-02310",
            "11341702486344515H/202110-00013",
        ] {
            assert!(IndexNo::parse(local).is_err(), "{local} is a local variant");
            assert_eq!(IndexNo::legacy(local).unwrap().as_str(), local);
        }
        let n = IndexNo::new("11441700007280420y", 2026, 7).unwrap();
        assert_eq!(n.as_str(), "11441700007280420Y/2026-00007");
        assert_eq!(n.tail(), "2026-00007");
        assert!(
            IndexNo::new("11441700007280420O", 2026, 1).is_err(),
            "O is not used in credit codes"
        );
        assert!(IndexNo::new("000014349", 2026, 100_000).is_err());
        assert!(IndexNo::new("0142768-8", 2026, 1).is_err());
    }
}
