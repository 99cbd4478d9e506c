//! The deadline engine of applications.md §13.1: working days on the official calendar, pauses
//! for consultation (and fees, if configured), extensions, and the Art. 35 delay date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;

/// The configurable periods and conventions of §14 that the deadline engine and the state
/// machine read. Local rules may only shorten the statutory periods ([`Rules::problems`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// `deadline.count_trigger_day` (default false: day 1 is the next working day).
    pub count_trigger_day: bool,
    /// `deadline.reply_wd` (20).
    pub reply_wd: u32,
    /// `deadline.extension_max_wd` (20).
    pub extension_max_wd: u32,
    /// `extension.max_count` (1).
    pub extension_max_count: u32,
    /// `deadline.correction_notice_wd` (7).
    pub correction_notice_wd: u32,
    /// `correction.default_period_wd` (10; a platform choice, not a legal rule).
    pub correction_default_period_wd: u32,
    /// `deadline.third_party_wd` (15).
    pub third_party_wd: u32,
    /// `deadline.pause_for_fee` (true).
    pub pause_for_fee: bool,
    /// `deadline.pause_for_explanation` (false).
    pub pause_for_explanation: bool,
    /// `deadline.reminder_offsets_wd` ([5, 2]).
    pub reminder_offsets_wd: Vec<u32>,
    /// `fees.enabled` (true).
    pub fees_enabled: bool,
    /// `report.close_date`: false = the final letter's date (default), true = the delivery date.
    pub close_on_delivery: bool,
    /// `receipt.online_rule`: false = staff confirmation (default), true = `auto_on_submit`.
    pub online_auto_confirm: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            count_trigger_day: false,
            reply_wd: 20,
            extension_max_wd: 20,
            extension_max_count: 1,
            correction_notice_wd: 7,
            correction_default_period_wd: 10,
            third_party_wd: 15,
            pause_for_fee: true,
            pause_for_explanation: false,
            reminder_offsets_wd: vec![5, 2],
            fees_enabled: true,
            close_on_delivery: false,
            online_auto_confirm: false,
        }
    }
}

/// The statutory periods: a local rule may be shorter, never longer (§5.4).
pub const STATUTORY_REPLY_WD: u32 = 20;
pub const STATUTORY_EXTENSION_WD: u32 = 20;
pub const STATUTORY_CORRECTION_NOTICE_WD: u32 = 7;
pub const STATUTORY_THIRD_PARTY_WD: u32 = 15;

impl Rules {
    /// What is wrong with a configuration, as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (field, v, max, what) in [
            ("reply_wd", self.reply_wd, STATUTORY_REPLY_WD, "答复期限"),
            (
                "extension_max_wd",
                self.extension_max_wd,
                STATUTORY_EXTENSION_WD,
                "延长期限",
            ),
            (
                "correction_notice_wd",
                self.correction_notice_wd,
                STATUTORY_CORRECTION_NOTICE_WD,
                "补正告知期限",
            ),
            (
                "third_party_wd",
                self.third_party_wd,
                STATUTORY_THIRD_PARTY_WD,
                "第三方答复期限",
            ),
        ] {
            if v == 0 || v > max {
                out.push((
                    field,
                    format!("{what}应为 1 至 {max} 个工作日：本地规定只能比法定期限更短"),
                ));
            }
        }
        if self.correction_default_period_wd == 0 || self.correction_default_period_wd > 60 {
            out.push((
                "correction_default_period_wd",
                "默认补正期限应为 1 至 60 个工作日".into(),
            ));
        }
        if self.extension_max_count == 0 || self.extension_max_count > 20 {
            out.push(("extension_max_count", "延期次数应为 1 至 20 次".into()));
        }
        if self.reminder_offsets_wd.iter().any(|&o| o == 0 || o > 20) {
            out.push((
                "reminder_offsets_wd",
                "提醒提前量应为 1 至 20 个工作日".into(),
            ));
        }
        out
    }
}

/// A stretch of the reply period that does not count: working days `d` with
/// `from < d <= to`; `to = None` while it is still running (§6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// The outcome of a due-date computation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Due {
    /// The last day of the period.
    On(NaiveDate),
    /// An open pause stops the clock with this many working days left.
    Paused { remaining_wd: u32 },
    /// Beyond the supported date range.
    OutOfRange,
}

/// The first working day `t`, not paused, at which `limit_wd` counted days have been consumed
/// since `start` (§13.1). With `count_trigger_day`, `start` itself counts when it is a working
/// day.
pub fn due_date(
    cal: &WorkingCalendar,
    start: NaiveDate,
    limit_wd: u32,
    pauses: &[Pause],
    count_trigger_day: bool,
) -> Due {
    let paused = |d: NaiveDate| {
        pauses
            .iter()
            .any(|p| d > p.from && p.to.is_none_or(|t| d <= t))
    };
    let open_from = pauses
        .iter()
        .filter(|p| p.to.is_none())
        .map(|p| p.from)
        .min();
    if limit_wd == 0 {
        return Due::On(start);
    }
    let mut consumed = 0;
    if count_trigger_day && cal.is_working_day(start) && !paused(start) {
        consumed = 1;
        if consumed == limit_wd {
            return Due::On(start);
        }
    }
    let mut d = start;
    // 40 years of days: far beyond any real period, bounded against absurd inputs.
    for _ in 0..(366 * 40) {
        let Some(next) = d.succ_opt() else {
            return Due::OutOfRange;
        };
        d = next;
        if open_from.is_some_and(|f| d > f) {
            return Due::Paused {
                remaining_wd: limit_wd - consumed,
            };
        }
        if cal.is_working_day(d) && !paused(d) {
            consumed += 1;
            if consumed == limit_wd {
                return Due::On(d);
            }
        }
    }
    Due::OutOfRange
}

/// A case's deadline as shown to staff and on the public status page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The reply deadline (under the agency's rules).
    pub due: Option<NaiveDate>,
    /// The statutory deadline when the agency's local period is shorter (§5.4).
    pub statutory_due: Option<NaiveDate>,
    /// Why the clock is stopped, when it is.
    pub stopped: Option<&'static str>,
    /// Working days left when the clock is paused.
    pub remaining_wd: Option<u32>,
    /// The date is computed on a year whose holiday notice is not loaded yet (§13.8).
    pub provisional: bool,
    /// The last day for the 补正 notice (while it may still be sent).
    pub correction_notice_due: Option<NaiveDate>,
    /// The end of the applicant's correction period.
    pub correction_due: Option<NaiveDate>,
    /// The last day for paying a fee.
    pub payment_due: Option<NaiveDate>,
    /// The Art. 35 delay date replaced the period.
    pub delayed: bool,
    /// Working days of approved extensions in the current period.
    pub extension_wd: u32,
}

impl Deadline {
    /// Whether `today` is past the reply deadline.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.due.is_some_and(|d| today > d)
    }
}

/// Whether every year from `a` to `b` has its holiday notice loaded.
pub(crate) fn covered(cal: &WorkingCalendar, a: NaiveDate, b: NaiveDate) -> bool {
    (a.year()..=b.year()).all(|y| cal.covers(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn example_4_pause_for_consultation() {
        let cal = WorkingCalendar::shipped();
        let start = d("2024-09-10");
        assert_eq!(
            due_date(&cal, start, 20, &[], false),
            Due::On(d("2024-10-14"))
        );
        let answered = Pause {
            from: d("2024-09-20"),
            to: Some(d("2024-10-11")),
        };
        assert_eq!(
            cal.working_days_between(d("2024-09-20"), d("2024-10-11")),
            11
        );
        assert_eq!(
            due_date(&cal, start, 20, &[answered], false),
            Due::On(d("2024-10-29"))
        );
        let silent = Pause {
            to: Some(d("2024-10-17")),
            ..answered
        };
        assert_eq!(
            due_date(&cal, start, 20, &[silent], false),
            Due::On(d("2024-11-05"))
        );
        let open = Pause {
            to: None,
            ..answered
        };
        assert_eq!(
            due_date(&cal, start, 20, &[open], false),
            Due::Paused { remaining_wd: 13 }
        );
    }

    #[test]
    fn overlapping_pauses_count_once() {
        let cal = WorkingCalendar::shipped();
        let a = Pause {
            from: d("2024-09-20"),
            to: Some(d("2024-10-11")),
        };
        let b = Pause {
            from: d("2024-09-25"),
            to: Some(d("2024-10-09")),
        };
        assert_eq!(
            due_date(&cal, d("2024-09-10"), 20, &[a, b], false),
            Due::On(d("2024-10-29"))
        );
    }

    #[test]
    fn local_rules_may_only_be_shorter() {
        assert!(Rules::default().problems().is_empty());
        let r = Rules {
            reply_wd: 25,
            ..Rules::default()
        };
        assert_eq!(r.problems()[0].0, "reply_wd");
    }
}
