//! The 行政复议/行政诉讼 register (applications.md §11) and table 4; reply letters as .docx.

use std::io::Cursor;

use chrono::NaiveDate;
use docx_rs::{AlignmentType, Docx, PageMargin, Paragraph, Run, RunFonts};
use gongkai_domain::application::{
    AgencyRole, Case, Letter, LitigationPath, Procedure, Proceeding, ProceedingKind,
    ResultCategory, SubjectKind, Table4, table4,
};
use gongkai_domain::{Action, AgencyId, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, FieldError, Result, Service, ServiceError};

/// The register form, as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProceedingForm {
    pub kind: String,
    pub path: String,
    pub subject: String,
    pub case_number: String,
    pub body: String,
    pub instance: String,
    pub agency_role: String,
    pub procedure: String,
    pub plaintiff: String,
    pub filed_on: String,
    pub notified_on: String,
    pub raw_result: String,
    pub result: String,
    pub result_on: String,
    pub follow_up: String,
    /// The linked application's case number (optional).
    pub application_case_no: String,
}

/// A register entry as the back office shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ProceedingView {
    pub id: i64,
    pub p: Proceeding,
    pub kind_label: &'static str,
    pub path_label: &'static str,
    pub subject_label: &'static str,
    pub role_label: &'static str,
    pub procedure_label: &'static str,
    pub result_label: &'static str,
    pub answer_due: Option<NaiveDate>,
    pub application_id: Option<i64>,
    pub application_case_no: Option<String>,
    pub warning: Option<String>,
    pub form: ProceedingForm,
}

/// A case number for comparison: no spaces, ASCII brackets for full-width ones.
fn case_number_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '［' | '〔' | '【' => '[',
            '］' | '〕' | '】' => ']',
            c => c,
        })
        .collect()
}

fn fe(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn date_field(
    v: &str,
    field: &'static str,
    what: &str,
    required: bool,
    errs: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    if v.trim().is_empty() {
        if required {
            errs.push(fe(field, format!("请填写{what}（YYYY-MM-DD）")));
        }
        return None;
    }
    let d = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
    if d.is_none() {
        errs.push(fe(
            field,
            format!("{what}格式应为 YYYY-MM-DD，例如 2026-03-02"),
        ));
    }
    d
}

fn to_form(p: &Proceeding, case_no: Option<String>) -> ProceedingForm {
    ProceedingForm {
        kind: p.kind.id().into(),
        path: p.path.map(|x| x.id().to_owned()).unwrap_or_default(),
        subject: p.subject.id().into(),
        case_number: p.case_number.clone(),
        body: p.body.clone(),
        instance: p.instance.clone(),
        agency_role: p.agency_role.id().into(),
        procedure: p.procedure.id().into(),
        plaintiff: p.plaintiff.clone(),
        filed_on: p.filed_on.to_string(),
        notified_on: p.notified_on.map(|d| d.to_string()).unwrap_or_default(),
        raw_result: p.raw_result.clone(),
        result: p.result.id().into(),
        result_on: p.result_on.map(|d| d.to_string()).unwrap_or_default(),
        follow_up: p.follow_up.clone(),
        application_case_no: case_no.unwrap_or_default(),
    }
}

impl Service {
    fn read_proceeding(f: &ProceedingForm, today: NaiveDate) -> Result<Proceeding> {
        let mut errs = Vec::new();
        let kind = ProceedingKind::parse(&f.kind);
        if kind.is_none() {
            errs.push(fe(
                "kind",
                format!("请选择类别：{}", ProceedingKind::accepted()),
            ));
        }
        let path = if f.path.trim().is_empty() {
            None
        } else {
            let p = LitigationPath::parse(&f.path);
            if p.is_none() {
                errs.push(fe(
                    "path",
                    format!("起诉方式可选：{}", LitigationPath::accepted()),
                ));
            }
            p
        };
        let subject = SubjectKind::parse(&f.subject).unwrap_or(SubjectKind::ApplicationDecision);
        let agency_role = AgencyRole::parse(&f.agency_role).unwrap_or(match kind {
            Some(ProceedingKind::Litigation) => AgencyRole::Defendant,
            _ => AgencyRole::Respondent,
        });
        let procedure = Procedure::parse(&f.procedure).unwrap_or(Procedure::Ordinary);
        let result = ResultCategory::parse(&f.result).unwrap_or(ResultCategory::Pending);
        let filed_on = date_field(&f.filed_on, "filed_on", "申请（立案）日期", true, &mut errs);
        let notified_on = date_field(
            &f.notified_on,
            "notified_on",
            "收到副本日期",
            false,
            &mut errs,
        );
        let result_on = date_field(&f.result_on, "result_on", "结果日期", false, &mut errs);
        for (field, v, max) in [
            ("case_number", &f.case_number, 100),
            ("body", &f.body, 100),
            ("plaintiff", &f.plaintiff, 100),
            ("raw_result", &f.raw_result, 2000),
            ("follow_up", &f.follow_up, 2000),
        ] {
            if v.chars().count() > max {
                errs.push(fe(field, format!("不能超过 {max} 个字")));
            }
        }
        let (Some(kind), Some(filed_on)) = (kind, filed_on) else {
            return Err(ServiceError::Invalid(errs));
        };
        let p = Proceeding {
            kind,
            path,
            subject,
            case_number: f.case_number.trim().into(),
            body: f.body.trim().into(),
            instance: f.instance.trim().into(),
            agency_role,
            procedure,
            plaintiff: f.plaintiff.trim().into(),
            filed_on,
            notified_on,
            raw_result: f.raw_result.trim().into(),
            result,
            result_on,
            follow_up: f.follow_up.trim().into(),
        };
        errs.extend(p.problems().into_iter().map(|(f, m)| fe(f, m)));
        for (field, d, what) in [
            ("filed_on", Some(p.filed_on), "申请（立案）日期"),
            ("notified_on", p.notified_on, "收到副本日期"),
            ("result_on", p.result_on, "结果日期"),
        ] {
            if d.is_some_and(|d| d > today) && !errs.iter().any(|e| e.field == field) {
                errs.push(fe(field, format!("{what}不能晚于今天")));
            }
        }
        if errs.is_empty() {
            Ok(p)
        } else {
            Err(ServiceError::Invalid(errs))
        }
    }

    /// Creates (`id = None`) or updates a register entry.
    pub async fn save_proceeding(
        &self,
        actor: &Actor,
        agency: AgencyId,
        id: Option<i64>,
        f: &ProceedingForm,
    ) -> Result<i64> {
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::ManageProceedings, agency)
            .await?;
        let p = Self::read_proceeding(f, self.clock.today())?;
        if !p.case_number.is_empty() {
            for other in self.store.proceedings(agency).await? {
                if Some(other.id) == id {
                    continue;
                }
                if let Ok(o) = serde_json::from_str::<Proceeding>(&other.json)
                    && o.kind == p.kind
                    && case_number_key(&o.case_number) == case_number_key(&p.case_number)
                {
                    return Err(ServiceError::field(
                        "case_number",
                        format!(
                            "本机关已登记过案号“{}”的{}；同一案件只登记一次，请修改原登记",
                            p.case_number,
                            p.kind.label()
                        ),
                    ));
                }
            }
        }
        let app = if f.application_case_no.trim().is_empty() {
            None
        } else {
            match self
                .store
                .application_by_case_no(f.application_case_no.trim())
                .await?
            {
                Some(a) if a.agency_id == agency => Some(a.id),
                _ => {
                    return Err(ServiceError::field(
                        "application_case_no",
                        "本机关没有这个申请编号；不关联申请请留空",
                    ));
                }
            }
        };
        let json = serde_json::to_string(&p).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let now = self.now_ms();
        let filed = p.filed_on.to_string();
        let mut tx = self.store.begin().await?;
        let id = match id {
            Some(id) => {
                let old = self
                    .store
                    .proceeding(id)
                    .await?
                    .filter(|r| r.agency_id == agency)
                    .ok_or_else(|| ServiceError::NotFound("该登记".into()))?;
                tx.update_proceeding(old.id, app, p.kind.id(), &filed, p.result.id(), &json, now)
                    .await?;
                old.id
            }
            None => {
                tx.insert_proceeding(agency, app, p.kind.id(), &filed, p.result.id(), &json, now)
                    .await?
            }
        };
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "proceeding.save",
            ("proceeding", id.to_string()),
            json!({ "kind": p.kind.id(), "path": p.path.map(LitigationPath::id), "case_number": p.case_number, "result": p.result.id(), "application_id": app }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The register of an agency; the applicant or plaintiff is masked for readers outside
    /// the disclosure office.
    pub async fn proceedings(
        &self,
        actor: &Actor,
        agency: AgencyId,
    ) -> Result<Vec<ProceedingView>> {
        self.authorize_overview(actor, agency).await?;
        let office = match actor {
            Actor::User(u) => {
                u.agency_id == agency
                    && u.roles
                        .iter()
                        .any(|r| matches!(r, Role::Office | Role::OfficeHead))
            }
            Actor::System => true,
        };
        let cal = self.calendar().await?;
        let settings = self.application_settings(agency).await?;
        let pre = Self::preliminary(&settings);
        let mut out = Vec::new();
        for r in self.store.proceedings(agency).await? {
            let mut p: Proceeding =
                serde_json::from_str(&r.json).map_err(|e| ServiceError::Internal(e.to_string()))?;
            let (case_no, decided) = match r.application_id {
                Some(a) => match self.store.application(a).await? {
                    Some(row) => {
                        let case: Case = serde_json::from_str(&row.case_json)
                            .map_err(|e| ServiceError::Internal(e.to_string()))?;
                        let decided = case
                            .decision
                            .as_ref()
                            .and_then(|d| d.issued_on.map(|on| (d.disposition, on)));
                        (Some(row.case_no), decided)
                    }
                    None => (None, None),
                },
                None => (None, None),
            };
            let warning = p.preliminary_review_warning(decided, &pre);
            if !office {
                let mut cs = p.plaintiff.chars();
                p.plaintiff = cs
                    .next()
                    .map(|c| format!("{c}{}", "*".repeat(cs.count().max(1))))
                    .unwrap_or_default();
            }
            out.push(ProceedingView {
                id: r.id,
                kind_label: p.kind.label(),
                path_label: p.path.map_or("", LitigationPath::label),
                subject_label: p.subject.label(),
                role_label: p.agency_role.label(),
                procedure_label: p.procedure.label(),
                result_label: p.result.label(),
                answer_due: p.answer_due(&cal),
                application_id: r.application_id,
                form: to_form(&p, case_no.clone()),
                application_case_no: case_no,
                warning,
                p,
            });
        }
        Ok(out)
    }

    /// Table 4 of the annual report for `year` from the register (§11.3).
    pub async fn proceedings_table4(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
    ) -> Result<Table4> {
        let ps: Vec<Proceeding> = self
            .proceedings(actor, agency)
            .await?
            .into_iter()
            .map(|v| v.p)
            .collect();
        Ok(table4(&ps, year))
    }
}

fn run(text: &str, font: &str, half_points: usize) -> Run {
    // Control characters (pasted from other programs) would make the document unreadable.
    Run::new()
        .add_text(gongkai_domain::application::clean(text))
        .fonts(
            RunFonts::new()
                .east_asia(font)
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman"),
        )
        .size(half_points)
}

/// A letter as a Word document in 公文 layout (A4; 小标宋 title, 仿宋 三号 body).
pub fn letter_docx(l: &Letter) -> Result<Vec<u8>> {
    let body = |text: &str| {
        Paragraph::new()
            .add_run(run(text, "仿宋_GB2312", 32))
            .indent(
                None,
                Some(docx_rs::SpecialIndentType::FirstLine(640)),
                None,
                None,
            )
    };
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1587)
                .right(1474),
        )
        .default_fonts(RunFonts::new().east_asia("仿宋_GB2312"));
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(run(&l.title, "方正小标宋简体", 44))
            .align(AlignmentType::Center),
    );
    if !l.letter_no.is_empty() {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(&l.letter_no, "仿宋_GB2312", 32))
                .align(AlignmentType::Center),
        );
    }
    doc = doc.add_paragraph(Paragraph::new().add_run(run(
        &format!("{}：", gongkai_domain::application::clean(&l.addressee)),
        "仿宋_GB2312",
        32,
    )));
    // One Word paragraph per line; control characters (which Word refuses) are dropped.
    for p in &l.paragraphs {
        for line in gongkai_domain::application::clean(p).lines() {
            if !line.trim().is_empty() {
                doc = doc.add_paragraph(body(line.trim()));
            }
        }
    }
    if !l.withheld.is_empty() {
        doc = doc.add_paragraph(body("不予公开的内容及理由："));
        for (i, w) in l.withheld.iter().enumerate() {
            doc = doc.add_paragraph(body(&format!(
                "{}. {}：{}{}",
                i + 1,
                w.what,
                w.reason,
                if w.basis.is_empty() {
                    String::new()
                } else {
                    format!("（依据：{}）", w.basis)
                }
            )));
        }
    }
    if !l.remedies.is_empty() {
        doc = doc.add_paragraph(body(&l.remedies));
    }
    if !l.contact.is_empty() {
        doc = doc.add_paragraph(body(&format!("联系方式：{}", l.contact)));
    }
    doc = doc.add_paragraph(Paragraph::new());
    for line in [
        l.agency.clone(),
        l.date.format("%Y年%-m月%-d日").to_string(),
    ] {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(&line, "仿宋_GB2312", 32))
                .align(AlignmentType::Right),
        );
    }
    let mut buf = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| ServiceError::Internal(format!("docx: {e}")))?;
    Ok(buf.into_inner())
}
