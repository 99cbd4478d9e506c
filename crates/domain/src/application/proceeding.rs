//! The 行政复议/行政诉讼 register and table 4 (applications.md §11).

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::vocab::{Disposition, labelled};
use crate::calendar::WorkingCalendar;

labelled! {
    ProceedingKind {
        AdministrativeReview = ("administrative_review", "行政复议"),
        Litigation = ("litigation", "行政诉讼"),
    }
}

labelled! {
    LitigationPath {
        Direct = ("direct", "未经复议直接起诉"),
        AfterReview = ("after_review", "复议后起诉"),
    }
}

labelled! {
    SubjectKind {
        ApplicationDecision = ("application_decision", "对依申请公开答复不服"),
        FailureToReply = ("failure_to_reply", "未按期答复"),
        ProactiveDisclosure = ("proactive_disclosure", "主动公开"),
        ThirdPartyChallenge = ("third_party_challenge", "第三方对公开决定不服"),
        Other = ("other", "其他"),
    }
}

labelled! {
    AgencyRole {
        Respondent = ("respondent", "被申请人"),
        Defendant = ("defendant", "被告"),
        CoDefendant = ("co_defendant", "共同被告"),
        ThirdParty = ("third_party", "第三人"),
    }
}

labelled! {
    Procedure {
        Ordinary = ("ordinary", "普通程序"),
        Simple = ("simple", "简易程序"),
    }
}

labelled! {
    /// The four table-4 categories (§11.2).
    ResultCategory {
        Upheld = ("upheld", "结果维持"),
        Corrected = ("corrected", "结果纠正"),
        Other = ("other", "其他结果"),
        Pending = ("pending", "尚未审结"),
    }
}

/// A register entry (§11.1). The applicant or plaintiff is personal data (restricted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proceeding {
    pub kind: ProceedingKind,
    pub path: Option<LitigationPath>,
    pub subject: SubjectKind,
    pub case_number: String,
    pub body: String,
    pub instance: String,
    pub agency_role: AgencyRole,
    pub procedure: Procedure,
    pub plaintiff: String,
    pub filed_on: NaiveDate,
    pub notified_on: Option<NaiveDate>,
    pub raw_result: String,
    pub result: ResultCategory,
    pub result_on: Option<NaiveDate>,
    pub follow_up: String,
}

impl Proceeding {
    /// The agency's deadline to answer and submit evidence: 复议 10 working days (普通程序) or 5
    /// (简易程序) after receiving the copy (复议法 Art. 48, 54); 诉讼 15 days (诉讼法 Art. 67).
    pub fn answer_due(&self, cal: &WorkingCalendar) -> Option<NaiveDate> {
        let from = self.notified_on?;
        match self.kind {
            ProceedingKind::AdministrativeReview => {
                let wd = if self.procedure == Procedure::Simple {
                    5
                } else {
                    10
                };
                cal.add_working_days(from, wd, false)
            }
            ProceedingKind::Litigation => from.checked_add_days(Days::new(15)),
        }
    }

    /// Problems with the entry, as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.kind == ProceedingKind::Litigation && self.path.is_none() {
            out.push((
                "path",
                "行政诉讼须选择“未经复议直接起诉”或“复议后起诉”".to_owned(),
            ));
        }
        if self.kind == ProceedingKind::AdministrativeReview && self.path.is_some() {
            out.push(("path", "行政复议没有起诉方式，请留空".to_owned()));
        }
        if self.body.trim().is_empty() {
            out.push(("body", "请填写复议机关或人民法院名称".to_owned()));
        }
        if self.result != ResultCategory::Pending && self.result_on.is_none() {
            out.push(("result_on", "已审结的，请填写结果日期".to_owned()));
        }
        if let Some(r) = self.result_on
            && r < self.filed_on
        {
            out.push(("result_on", "结果日期不能早于立案（申请）日期".to_owned()));
        }
        if let Some(n) = self.notified_on
            && n < self.filed_on
        {
            out.push((
                "notified_on",
                "收到副本日期不能早于立案（申请）日期".to_owned(),
            ));
        }
        out
    }

    /// The 复议前置 warning of §11.1: a direct lawsuit against a refusal decided on or after
    /// 2024-01-01. `decided` is the linked decision's disposition and letter date.
    pub fn preliminary_review_warning(
        &self,
        decided: Option<(Disposition, NaiveDate)>,
        preliminary: &[Disposition],
    ) -> Option<String> {
        let (disp, on) = decided?;
        let cutoff = NaiveDate::from_ymd_opt(2024, 1, 1)?;
        (self.kind == ProceedingKind::Litigation
            && self.path == Some(LitigationPath::Direct)
            && preliminary.contains(&disp)
            && on >= cutoff)
            .then(|| {
                "该答复属于不予公开（含部分不予公开），依据《中华人民共和国行政复议法》第二十三条第一款第（四）项，应当先申请行政复议；请核实起诉情况".to_owned()
            })
    }
}

/// Table 4: 15 integers — 行政复议, then 未经复议直接起诉, then 复议后起诉, each
/// {结果维持, 结果纠正, 其他结果, 尚未审结, 总计}.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Table4 {
    pub year: i32,
    pub cells: [u64; 15],
}

/// The two cells of table 4 (as indices 0–14) a proceeding is counted in for `year`: its
/// result category and the block's 总计 (§11.3, default `t4.count_rule`: filed in the year,
/// categorised by the status on 31 December). `None` when it does not count in that year.
pub fn cells_of(p: &Proceeding, year: i32) -> Option<[usize; 2]> {
    if p.filed_on.year() != year {
        return None;
    }
    let block = match (p.kind, p.path) {
        (ProceedingKind::AdministrativeReview, _) => 0,
        (ProceedingKind::Litigation, Some(LitigationPath::AfterReview)) => 10,
        (ProceedingKind::Litigation, _) => 5,
    };
    let decided_in_time = p.result_on.is_some_and(|d| d.year() <= year);
    let cat = if decided_in_time {
        p.result
    } else {
        ResultCategory::Pending
    };
    let i = match cat {
        ResultCategory::Upheld => 0,
        ResultCategory::Corrected => 1,
        ResultCategory::Other => 2,
        ResultCategory::Pending => 3,
    };
    Some([block + i, block + 4])
}

/// Counts proceedings filed in `year`, categorised by their status on 31 December (§11.3,
/// default `t4.count_rule`).
pub fn table4(proceedings: &[Proceeding], year: i32) -> Table4 {
    let mut cells = [0u64; 15];
    for p in proceedings {
        for i in cells_of(p, year).into_iter().flatten() {
            cells[i] += 1;
        }
    }
    Table4 { year, cells }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn p(
        kind: ProceedingKind,
        path: Option<LitigationPath>,
        filed: &str,
        result: ResultCategory,
        on: Option<&str>,
    ) -> Proceeding {
        Proceeding {
            kind,
            path,
            subject: SubjectKind::ApplicationDecision,
            case_number: "（2025）复001".into(),
            body: "某市人民政府".into(),
            instance: String::new(),
            agency_role: AgencyRole::Respondent,
            procedure: Procedure::Ordinary,
            plaintiff: "张三".into(),
            filed_on: d(filed),
            notified_on: Some(d(filed)),
            raw_result: String::new(),
            result,
            result_on: on.map(d),
            follow_up: String::new(),
        }
    }

    #[test]
    fn table_4_blocks_and_year_end_status() {
        use ProceedingKind::*;
        let ps = [
            p(
                AdministrativeReview,
                None,
                "2025-03-01",
                ResultCategory::Upheld,
                Some("2025-05-01"),
            ),
            p(
                AdministrativeReview,
                None,
                "2025-11-01",
                ResultCategory::Corrected,
                Some("2026-01-10"),
            ),
            p(
                Litigation,
                Some(LitigationPath::Direct),
                "2025-06-01",
                ResultCategory::Corrected,
                Some("2025-10-01"),
            ),
            p(
                Litigation,
                Some(LitigationPath::AfterReview),
                "2025-07-01",
                ResultCategory::Other,
                Some("2025-08-01"),
            ),
            p(
                Litigation,
                Some(LitigationPath::AfterReview),
                "2024-07-01",
                ResultCategory::Other,
                Some("2025-08-01"),
            ),
        ];
        let t = table4(&ps, 2025);
        assert_eq!(t.cells, [1, 0, 0, 1, 2, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1]);
    }

    #[test]
    fn answer_deadlines() {
        let cal = WorkingCalendar::shipped();
        let mut r = p(
            ProceedingKind::AdministrativeReview,
            None,
            "2025-09-26",
            ResultCategory::Pending,
            None,
        );
        assert_eq!(r.answer_due(&cal), Some(d("2025-10-16")));
        r.procedure = Procedure::Simple;
        assert_eq!(r.answer_due(&cal), Some(d("2025-10-10")));
        r.kind = ProceedingKind::Litigation;
        assert_eq!(r.answer_due(&cal), Some(d("2025-10-11")));
    }

    #[test]
    fn preliminary_review_warning() {
        let l = p(
            ProceedingKind::Litigation,
            Some(LitigationPath::Direct),
            "2025-03-01",
            ResultCategory::Pending,
            None,
        );
        let pre = [
            Disposition::DeniedStateSecret,
            Disposition::PartiallyGranted,
        ];
        assert!(
            l.preliminary_review_warning(
                Some((Disposition::PartiallyGranted, d("2024-02-01"))),
                &pre
            )
            .is_some()
        );
        assert!(
            l.preliminary_review_warning(
                Some((Disposition::PartiallyGranted, d("2023-12-29"))),
                &pre
            )
            .is_none()
        );
        assert!(
            l.preliminary_review_warning(Some((Disposition::Granted, d("2024-02-01"))), &pre)
                .is_none()
        );
    }
}
