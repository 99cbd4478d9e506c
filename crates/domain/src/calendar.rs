//! The working-day calendar (工作日历, `../shared/spec/calendar.md`): weekends, the official
//! holidays (放假) and adjusted working days (调休上班日) of the 国务院办公厅 notices, and the
//! counting rules for periods in working days.
//!
//! The shipped data (`data/cn-holidays.tsv`, 2019–2026) is only the seed: the platform keeps the
//! calendar in its database so administrators can add a year's notice without a release.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;

/// The shipped national calendar, 2019-01-01 to 2026-12-31.
pub const SHIPPED_TSV: &str = include_str!("../data/cn-holidays.tsv");

/// The header line of the TSV format.
pub const TSV_HEADER: &str = "date\tkind\tname";

/// Festival names used in the notices (a name outside the list is a warning, not an error).
pub const KNOWN_NAMES: [&str; 10] = [
    "元旦",
    "春节",
    "清明节",
    "劳动节",
    "端午节",
    "中秋节",
    "国庆节",
    "国庆节、中秋节",
    "中秋节、国庆节",
    "其他",
];

/// A listed day: a day off, or an adjusted working day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 放假: a day off named in a notice, even on Monday–Friday.
    Holiday,
    /// 调休上班日: a Saturday or Sunday declared a working day.
    Workday,
}

impl DayKind {
    pub const fn id(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// One row of the calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

/// A problem in a calendar file, by line (1-based; the header is line 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TsvIssue {
    pub line: usize,
    pub message: String,
}

/// A parsed calendar file: its rows, and warnings that do not stop an import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedTsv {
    pub days: Vec<CalendarDay>,
    pub warnings: Vec<TsvIssue>,
}

fn weekday_zh(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

/// 1月1日; 5月1日、2日; 10月1日至3日 — the fixed-date days of 《全国年节及纪念日放假办法》.
fn is_fixed_holiday(d: NaiveDate) -> bool {
    matches!((d.month(), d.day()), (1, 1) | (5, 1 | 2) | (10, 1..=3))
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Reads a calendar file in the format of calendar.md §1.1 and checks it (§4.3): every error is
/// reported with its line; warnings (a `workday` on Monday–Friday, an unknown name) do not stop
/// the import.
pub fn parse_tsv(text: &str) -> Result<ParsedTsv, Vec<TsvIssue>> {
    let mut errors = Vec::new();
    let mut out = ParsedTsv::default();
    let text = text.strip_prefix('\u{feff}').map_or(text, |t| {
        errors.push(TsvIssue {
            line: 1,
            message: "文件不应以 BOM 开头（请保存为无 BOM 的 UTF-8）".into(),
        });
        t
    });
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_end_matches('\r') == TSV_HEADER => {}
        Some((_, h)) => errors.push(TsvIssue {
            line: 1,
            message: format!(
                "第一行应为表头“date<TAB>kind<TAB>name”，现为“{}”",
                h.chars().take(40).collect::<String>()
            ),
        }),
        None => errors.push(TsvIssue {
            line: 1,
            message: "文件为空".into(),
        }),
    }
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut last: Option<NaiveDate> = None;
    for (i, raw) in lines {
        let line = i + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = l.split('\t').collect();
        if cols.len() != 3 {
            errors.push(TsvIssue {
                line,
                message: format!("应有 3 列（以 TAB 分隔），现为 {} 列", cols.len()),
            });
            continue;
        }
        let Ok(date) = NaiveDate::parse_from_str(cols[0], "%Y-%m-%d") else {
            errors.push(TsvIssue {
                line,
                message: format!("日期“{}”应写作 YYYY-MM-DD", cols[0]),
            });
            continue;
        };
        if cols[0].len() != 10 {
            errors.push(TsvIssue {
                line,
                message: format!("日期“{}”应写作 YYYY-MM-DD（月、日两位）", cols[0]),
            });
            continue;
        }
        let Some(kind) = DayKind::parse(cols[1]) else {
            errors.push(TsvIssue {
                line,
                message: format!(
                    "类型“{}”应为 holiday（放假）或 workday（调休上班）",
                    cols[1]
                ),
            });
            continue;
        };
        let name = cols[2].trim();
        if name.is_empty() {
            errors.push(TsvIssue {
                line,
                message: "请填写节日名称（第三列）".into(),
            });
            continue;
        }
        if let Some(prev) = seen.insert(date, line) {
            errors.push(TsvIssue {
                line,
                message: format!("日期 {date} 重复（第 {prev} 行已有）"),
            });
            continue;
        }
        if let Some(p) = last
            && date < p
        {
            errors.push(TsvIssue {
                line,
                message: format!("日期应按升序排列：{date} 在 {p} 之后"),
            });
        }
        last = Some(date);
        if kind == DayKind::Workday && !is_weekend(date) {
            out.warnings.push(TsvIssue {
                line,
                message: format!(
                    "{date}（{}）本就是工作日，标为调休上班日不起作用",
                    weekday_zh(date)
                ),
            });
        }
        if !KNOWN_NAMES.contains(&name) {
            out.warnings.push(TsvIssue {
                line,
                message: format!("节日名称“{name}”不在常见名称之列，请核对通知原文"),
            });
        }
        out.days.push(CalendarDay {
            date,
            kind,
            name: name.to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The working-day calendar used for every statutory period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    days: BTreeMap<NaiveDate, DayKind>,
    years: BTreeSet<i32>,
    /// In years without a loaded notice, also treat the fixed-date statutory holidays (1月1日;
    /// 5月1日、2日; 10月1日至3日) as days off (calendar.md §4.2; a forecasting rule the spec marks
    /// unverified, hence switchable). On by default, as in the spec's example.
    provisional_fixed_holidays: bool,
}

/// The largest number of working days a period may have (a guard against absurd inputs).
pub const MAX_WORKING_DAYS: u32 = 10_000;

impl WorkingCalendar {
    /// A calendar from listed days. Years with at least one listed day count as covered.
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        let days: BTreeMap<NaiveDate, DayKind> = days.into_iter().collect();
        let years = days.keys().map(Datelike::year).collect();
        Self {
            days,
            years,
            provisional_fixed_holidays: true,
        }
    }

    /// Whether provisional years count the fixed-date statutory holidays as days off.
    #[must_use]
    pub fn with_provisional_fixed_holidays(mut self, on: bool) -> Self {
        self.provisional_fixed_holidays = on;
        self
    }

    /// The shipped national calendar (2019–2026).
    pub fn shipped() -> Self {
        let parsed = parse_tsv(SHIPPED_TSV).unwrap_or_default();
        Self::new(parsed.days.into_iter().map(|d| (d.date, d.kind)))
    }

    /// Whether a notice for the year has been loaded. Deadlines in other years are provisional:
    /// computed with weekends only, to be recomputed when the notice is entered.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The listed kind of a date, if any.
    pub fn listed(&self, d: NaiveDate) -> Option<DayKind> {
        self.days.get(&d).copied()
    }

    /// calendar.md §3.1.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.days.get(&d) {
            Some(DayKind::Workday) => true,
            Some(DayKind::Holiday) => false,
            None if self.provisional_fixed_holidays
                && !self.covers(d.year())
                && is_fixed_holiday(d) =>
            {
                false
            }
            None => !is_weekend(d),
        }
    }

    /// The N-th working day after `trigger` (§3.2): day 1 is the first working day after the
    /// trigger date, unless `count_trigger_day` and the trigger date is itself a working day.
    /// `n = 0` returns the trigger date. `None` beyond the supported date range.
    pub fn add_working_days(
        &self,
        trigger: NaiveDate,
        n: u32,
        count_trigger_day: bool,
    ) -> Option<NaiveDate> {
        let n = n.min(MAX_WORKING_DAYS);
        let mut d = trigger;
        let mut k = 0;
        if count_trigger_day && n > 0 && self.is_working_day(d) {
            k = 1;
        }
        while k < n {
            d = d.checked_add_days(Days::new(1))?;
            if self.is_working_day(d) {
                k += 1;
            }
        }
        Some(d)
    }

    /// Working days `d` with `a < d <= b` (§3.3); 0 when `b <= a`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        let mut n = 0;
        let mut d = a;
        while d < b {
            match d.checked_add_days(Days::new(1)) {
                Some(next) => d = next,
                None => break,
            }
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// The listed days in a year, in date order.
    pub fn days_in(&self, year: i32) -> Vec<(NaiveDate, DayKind)> {
        self.days
            .iter()
            .filter(|(d, _)| d.year() == year)
            .map(|(d, k)| (*d, *k))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_shipped_file_parses_cleanly() {
        let p = parse_tsv(SHIPPED_TSV).unwrap();
        assert_eq!(p.days.len(), 282);
        assert_eq!(
            p.days.iter().filter(|x| x.kind == DayKind::Holiday).count(),
            230
        );
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let c = WorkingCalendar::shipped();
        assert!(c.covers(2019) && c.covers(2026) && !c.covers(2027));
    }

    #[test]
    fn the_spec_test_vectors() {
        let c = WorkingCalendar::shipped();
        let cases = [
            ("2026-02-13", 20, false, "2026-03-19"),
            ("2026-02-13", 7, false, "2026-03-02"),
            ("2026-02-13", 20, true, "2026-03-18"),
            ("2025-09-26", 20, false, "2025-10-30"),
            ("2025-04-21", 7, false, "2025-04-29"),
            ("2025-05-09", 20, false, "2025-06-09"),
            ("2024-09-10", 20, false, "2024-10-14"),
            ("2026-04-13", 40, false, "2026-06-10"),
            ("2025-12-22", 20, false, "2026-01-20"),
            ("2025-06-30", 20, false, "2025-07-28"),
            ("2020-01-23", 2, false, "2020-02-04"),
        ];
        for (t, n, ctd, want) in cases {
            assert_eq!(
                c.add_working_days(d(t), n, ctd),
                Some(d(want)),
                "{t} + {n} (count trigger day: {ctd})"
            );
        }
        assert_eq!(c.working_days_between(d("2024-09-20"), d("2024-10-11")), 11);
        // A provisional year (calendar.md §4.2): weekends and 2027-01-01 off.
        assert_eq!(
            c.add_working_days(d("2026-12-14"), 20, false),
            Some(d("2027-01-12"))
        );
        let weekends = WorkingCalendar::shipped().with_provisional_fixed_holidays(false);
        assert_eq!(
            weekends.add_working_days(d("2026-12-14"), 20, false),
            Some(d("2027-01-11"))
        );
        // Listed days override the weekday rule both ways.
        assert!(
            c.is_working_day(d("2026-02-14")),
            "2026-02-14 is an adjusted working day"
        );
        assert!(!c.is_working_day(d("2026-02-16")));
    }

    #[test]
    fn bad_files_are_refused_with_line_numbers() {
        let e = parse_tsv("date\tkind\tname\n2027-01-01\tholiday\t元旦\n2027-01-01\tholiday\t元旦\n2027-13-01\tholiday\t元旦\n2027-02-01\toff\t春节\n2027-02-02\tholiday\n").unwrap_err();
        let lines: Vec<_> = e.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(e[0].message.contains("重复"));
        assert!(e[1].message.contains("YYYY-MM-DD"));
        assert!(e[2].message.contains("holiday"));
        assert!(e[3].message.contains("3 列"));
        assert!(
            parse_tsv("日期\t类型\t名称\n").unwrap_err()[0]
                .message
                .contains("表头")
        );
        assert!(parse_tsv("").is_err());
        let w =
            parse_tsv("date\tkind\tname\n2027-01-04\tworkday\t元旦\n2027-01-05\tholiday\t腊八\n")
                .unwrap();
        assert_eq!(w.warnings.len(), 2);
        assert!(
            parse_tsv("date\tkind\tname\n2027-02-01\tholiday\t春节\n2027-01-01\tholiday\t元旦\n")
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn deadlines_never_fall_on_a_day_off_and_never_move_earlier(
            days in 0i64..3000, n in 1u32..60, extra in 0u32..30, later in 0u64..10,
        ) {
            let c = WorkingCalendar::shipped();
            let t = d("2019-01-01") + chrono::Duration::days(days);
            let due = c.add_working_days(t, n, false).unwrap();
            prop_assert!(c.is_working_day(due));
            prop_assert!(due > t);
            prop_assert_eq!(c.working_days_between(t, due), i64::from(n));
            let more = c.add_working_days(t, n + extra, false).unwrap();
            prop_assert!(more >= due);
            let t2 = t.checked_add_days(Days::new(later)).unwrap();
            prop_assert!(c.add_working_days(t2, n, false).unwrap() >= due);
            let counted = c.add_working_days(t, n, true).unwrap();
            prop_assert!(counted <= due);
        }
    }
}
