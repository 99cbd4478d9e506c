//! Disclosure applications (依申请公开): intake (public form and staff registration), the public
//! status page, case handling through the domain state machine, dashboards, table 3, reminders,
//! year-end carry-over records and deadline recomputation when the calendar changes.
//!
//! Personal data (the applicant's identity and contact details) is shown only to the disclosure
//! office (公开办, 公开办负责人) and the case's handler; everyone else sees it masked; it never
//! reaches public pages, the audit log or the logs.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use gongkai_domain::application::{
    Applicant, ApplicantKind, ApplicantType, Case, Channel, Command, Consultation, CountedCase,
    Deadline, Disposition, IdType, LetterSettings, Medium, Request, RequestDelivery, Rules, State,
    Table3, Who, event_label, per_item_fee, per_page_fee, table3,
};
use gongkai_domain::{Action, AgencyId, DivisionId, Role, UserId, WorkingCalendar, hex};
use gongkai_store::{
    ApplicationEvent, ApplicationFile, ApplicationFilter, ApplicationRow, Reminder, User,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use gongkai_domain::application as app;

use crate::{Actor, FieldError, Result, Service, ServiceError};

/// How many online submissions one address may make per hour, and status look-ups per hour.
pub const INTAKE_PER_HOUR: i64 = 5;
pub const STATUS_LOOKUPS_PER_HOUR: i64 = 30;
const HOUR_MS: i64 = 60 * 60 * 1000;

/// The application form (public and staff), as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    pub agency_id: String,
    pub kind: String,
    pub applicant_type: String,
    pub name: String,
    pub id_type: String,
    pub id_number: String,
    pub employer: String,
    pub legal_rep: String,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub postal_address: String,
    pub postcode: String,
    pub info_title: String,
    pub doc_number: String,
    pub index_no: String,
    pub description: String,
    pub medium: String,
    pub delivery: String,
    pub accept_alternative: String,
    pub purpose: String,
    pub needs_assistance: String,
    pub fee_waiver_requested: String,
    /// Staff registration only: the channel and the dates.
    pub channel: String,
    pub submitted_on: String,
    pub received_on: String,
    /// A one-time token of the staff form: submitting the same form twice (a browser refresh)
    /// registers the application once.
    pub form_token: String,
}

fn two() -> u32 {
    2
}

/// Per-agency settings of the application module (applications.md §14).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ApplicationSettings {
    pub accepts_applications: bool,
    pub rules: Rules,
    pub letters: LetterSettings,
    /// Letter numbers read “{prefix}〔{year}〕{n}号”.
    pub letter_prefix: String,
    /// `letters.preliminary_review_dispositions` (ids).
    pub preliminary: Vec<String>,
    /// The mailbox that receives this agency's deadline reminders (when SMTP is configured).
    pub reminder_email: String,
    /// Art. 44 (§8.5): suggest proactive disclosure when this many applications for similar
    /// information were granted (0 = never; default 2).
    #[serde(default = "two")]
    pub publish_hint_threshold: u32,
}

/// What the applicant is told after an online submission.
#[derive(Clone, Debug, Serialize)]
pub struct Submitted {
    pub id: i64,
    pub case_no: String,
    /// Shown once; only its hash is stored.
    pub query_code: String,
    pub agency_name: String,
    pub state_label: &'static str,
    pub receipt_date: Option<NaiveDate>,
}

/// The public status page: no personal data.
#[derive(Clone, Debug, Serialize)]
pub struct PublicStatus {
    pub case_no: String,
    pub agency_name: String,
    pub submitted_on: NaiveDate,
    pub state: &'static str,
    pub state_label: &'static str,
    pub receipt_date: Option<NaiveDate>,
    pub deadline: Deadline,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub delivered_on: Option<NaiveDate>,
    pub correction_items: Option<String>,
}

/// One line of a case's history.
#[derive(Clone, Debug, Serialize)]
pub struct EventView {
    pub at: i64,
    pub kind: String,
    pub label: &'static str,
    pub actor: String,
    pub role: String,
    pub note: String,
    pub due_before: Option<String>,
    pub due_after: Option<String>,
    pub calendar_version: i64,
}

/// An earlier application that may be a repeat or duplicate.
#[derive(Clone, Debug, Serialize)]
pub struct SimilarView {
    pub id: i64,
    pub case_no: String,
    pub summary: String,
    pub state_label: &'static str,
    pub receipt_date: Option<String>,
    pub disposition: Option<String>,
    pub same_applicant: bool,
    /// Text similarity in percent.
    pub similarity: u32,
}

/// A case as the back office shows it.
#[derive(Clone, Debug, Serialize)]
pub struct CaseView {
    pub id: i64,
    pub case_no: String,
    pub agency_id: AgencyId,
    pub agency_name: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub channel_label: &'static str,
    pub receipt_rule: &'static str,
    pub submitted_at: i64,
    pub personal_visible: bool,
    pub applicant: Applicant,
    pub applicant_kind_label: &'static str,
    pub applicant_type: &'static str,
    pub applicant_type_label: &'static str,
    pub id_type_label: &'static str,
    pub request: Request,
    pub medium_label: &'static str,
    pub delivery_label: &'static str,
    pub case: Case,
    pub deadline: Deadline,
    pub overdue: bool,
    pub today: NaiveDate,
    pub handler_id: Option<UserId>,
    pub handler: Option<String>,
    pub division_id: Option<DivisionId>,
    pub division: Option<String>,
    pub events: Vec<EventView>,
    pub files: Vec<ApplicationFile>,
    pub similar: Vec<SimilarView>,
    pub actions: Vec<&'static str>,
    pub disposition_label: Option<String>,
    pub decision_label: Option<String>,
    pub open_consultations: Vec<(usize, Consultation)>,
    /// This application's ordinal among the applicant's items this month (per-item fee) and the
    /// fee it would carry.
    pub fee_item_ordinal: u32,
    pub fee_item_amount: u64,
    pub fees_enabled: bool,
    pub letters: Vec<(&'static str, &'static str)>,
    /// Art. 44: similar information was granted to this many applications (this one included);
    /// set when it reaches the agency's threshold.
    pub publish_hint: Option<usize>,
}

/// A line of a case list.
#[derive(Clone, Debug, Serialize)]
pub struct CaseLine {
    pub id: i64,
    pub case_no: String,
    pub summary: String,
    pub applicant: String,
    pub applicant_type_label: &'static str,
    pub state: &'static str,
    pub state_label: &'static str,
    pub receipt_date: Option<String>,
    pub due: Option<NaiveDate>,
    pub stopped: Option<&'static str>,
    pub overdue: bool,
    pub wd_left: Option<i64>,
    pub handler: Option<String>,
    pub disposition: Option<String>,
    pub closed_on: Option<NaiveDate>,
}

/// The dashboard of an agency's open cases.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Dashboard {
    pub awaiting_confirmation: Vec<CaseLine>,
    pub due_soon: Vec<CaseLine>,
    pub overdue: Vec<CaseLine>,
    pub paused_correction: Vec<CaseLine>,
    pub paused_consultation: Vec<CaseLine>,
    pub paused_payment: Vec<CaseLine>,
    pub awaiting_explanation: Vec<CaseLine>,
    pub under_review: Vec<CaseLine>,
    pub awaiting_delivery: Vec<CaseLine>,
    /// Periods that have run out and wait for the officer's confirmation (补正, 缴费, 征求意见).
    pub lapsed: Vec<CaseLine>,
    pub by_handler: Vec<(String, usize)>,
    pub by_division: Vec<(String, usize)>,
    pub reminders: Vec<Reminder>,
    pub open_total: usize,
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn checked(s: &str) -> bool {
    !s.trim().is_empty()
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// 8 characters from an alphabet without look-alikes (0/O, 1/I/L).
fn query_code() -> Result<String> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| internal(format!("getrandom: {e}")))?;
    Ok(b.iter()
        .map(|x| ALPHABET[usize::from(*x) % ALPHABET.len()] as char)
        .collect())
}

fn code_hash(case_no: &str, code: &str) -> String {
    hex(&Sha256::digest(
        format!("{case_no}\n{}", code.trim().to_uppercase()).as_bytes(),
    ))
}

/// The "same applicant" key (§7.3): the hash of the 证件号码 / 统一社会信用代码, or a key of
/// this case alone when none was given (people who share a name are never merged).
fn applicant_key(a: &Applicant, case_no: &str) -> String {
    let k = a
        .identity_key()
        .unwrap_or_else(|| format!("case:{case_no}"));
    hex(&Sha256::digest(k.as_bytes()))
}

/// The address a rate limit counts: IPv4 as is, IPv6 by its /64 (one subscriber's block).
fn limit_key(kind: &str, client_addr: &str) -> String {
    let addr = match client_addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some() => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => client_addr.to_owned(),
    };
    format!("{kind}:{}", hex(&Sha256::digest(addr.as_bytes())))
}

fn mask_middle(s: &str, keep_start: usize, keep_end: usize) -> String {
    let cs: Vec<char> = s.chars().collect();
    if cs.len() <= keep_start + keep_end {
        return "*".repeat(cs.len());
    }
    let mut out: String = cs[..keep_start].iter().collect();
    out.push_str(&"*".repeat(cs.len() - keep_start - keep_end));
    out.extend(&cs[cs.len() - keep_end..]);
    out
}

/// The applicant with identity and contact details masked (applications.md §15).
pub fn mask_applicant(a: &Applicant) -> Applicant {
    Applicant {
        name: a.masked_name(),
        id_number: gongkai_domain::pii::mask_digits(&a.id_number, 4, 4),
        phone: gongkai_domain::pii::mask_digits(&a.phone, 3, 4),
        email: a
            .email
            .split_once('@')
            .map(|(u, h)| format!("{}***@{h}", u.chars().next().unwrap_or('*')))
            .unwrap_or_default(),
        postal_address: a.postal_address.chars().take(6).collect::<String>()
            + if a.postal_address.chars().count() > 6 {
                "***"
            } else {
                ""
            },
        postcode: mask_middle(&a.postcode, 2, 0),
        contact_name: mask_middle(&a.contact_name, 1, 0),
        legal_rep: mask_middle(&a.legal_rep, 1, 0),
        employer: if a.employer.is_empty() {
            String::new()
        } else {
            "***".into()
        },
        ..a.clone()
    }
}

/// The procedural record with free text that may name people removed (readers outside the
/// office see the steps and dates, not who was consulted or what was written).
fn mask_case(mut c: Case) -> Case {
    c.confirmation_method.clear();
    c.withdrawal_reason.clear();
    c.delay_reason.clear();
    for x in &mut c.consultations {
        "（已隐藏）".clone_into(&mut x.party);
        x.opinion.clear();
    }
    if let Some(d) = c.decision.as_mut() {
        d.reasons.clear();
        d.provided.clear();
        d.withheld.clear();
    }
    if let Some(x) = c.correction.as_mut() {
        x.guidance.clear();
    }
    if let Some(d) = c.delivery.as_mut() {
        d.proof.clear();
    }
    if let Some(f) = c.fee.as_mut() {
        f.receipt_no.clear();
    }
    c
}

/// Character-bigram Jaccard similarity in percent (repeat/duplicate hints).
fn similarity(a: &str, b: &str) -> u32 {
    let grams = |s: &str| {
        let cs: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
        cs.windows(2)
            .map(|w| (w[0], w[1]))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (x, y) = (grams(a), grams(b));
    if x.is_empty() || y.is_empty() {
        return 0;
    }
    let inter = x.intersection(&y).count();
    let union = x.union(&y).count();
    u32::try_from(inter * 100 / union).unwrap_or(0)
}

/// Parses the form into the domain types; `strict` for the public form.
fn read_form(f: &ApplicationForm, strict: bool) -> Result<(Applicant, Request)> {
    let mut errs = Vec::new();
    let mut pick = |field: &'static str, v: &str, what: &str, accepted: String| {
        if v.trim().is_empty() {
            None
        } else {
            let r = match field {
                "kind" => ApplicantKind::parse(v).map(|_| ()),
                "applicant_type" => ApplicantType::parse(v).map(|_| ()),
                "id_type" => IdType::parse(v).map(|_| ()),
                "medium" => Medium::parse(v).map(|_| ()),
                _ => RequestDelivery::parse(v).map(|_| ()),
            };
            if r.is_none() {
                errs.push(err(field, format!("{what}无效，可选：{accepted}")));
            }
            r
        }
    };
    pick("kind", &f.kind, "申请人类型", ApplicantKind::accepted());
    pick(
        "applicant_type",
        &f.applicant_type,
        "组织类别",
        ApplicantType::accepted(),
    );
    pick("id_type", &f.id_type, "证件类型", IdType::accepted());
    pick("medium", &f.medium, "信息载体", Medium::accepted());
    pick(
        "delivery",
        &f.delivery,
        "获取方式",
        RequestDelivery::accepted(),
    );
    let applicant = Applicant {
        kind: ApplicantKind::parse(&f.kind),
        applicant_type: ApplicantType::parse(&f.applicant_type),
        name: f.name.clone(),
        id_type: IdType::parse(&f.id_type),
        id_number: f.id_number.clone(),
        employer: f.employer.clone(),
        legal_rep: f.legal_rep.clone(),
        contact_name: f.contact_name.clone(),
        phone: f.phone.clone(),
        email: f.email.clone(),
        postal_address: f.postal_address.clone(),
        postcode: f.postcode.clone(),
    }
    .normalised();
    let request = Request {
        info_title: f.info_title.clone(),
        doc_number: f.doc_number.clone(),
        index_no: f.index_no.clone(),
        description: f.description.clone(),
        medium: Medium::parse(&f.medium),
        delivery: RequestDelivery::parse(&f.delivery),
        accept_alternative: checked(&f.accept_alternative),
        purpose: f.purpose.clone(),
        needs_assistance: checked(&f.needs_assistance),
        fee_waiver_requested: checked(&f.fee_waiver_requested),
    }
    .normalised();
    for p in applicant
        .problems(request.delivery, strict)
        .into_iter()
        .chain(request.problems(strict))
    {
        if !errs.iter().any(|e| e.field == p.field) {
            errs.push(err(p.field, p.message));
        }
    }
    if errs.is_empty() {
        Ok((applicant, request))
    } else {
        Err(ServiceError::Invalid(errs))
    }
}

fn too_many() -> ServiceError {
    ServiceError::Refused(format!(
        "同一网络地址一小时内最多提交 {INTAKE_PER_HOUR} 件申请，请稍后再试；如需提交更多申请，请与受理机关联系"
    ))
}

fn state_of(row: &ApplicationRow) -> State {
    State::parse(&row.state).unwrap_or(State::Submitted)
}

fn has(actor: &Actor, roles: &[Role]) -> bool {
    match actor {
        Actor::User(u) => u.roles.iter().any(|r| roles.contains(r)),
        Actor::System => true,
    }
}

const OFFICE: [Role; 2] = [Role::Office, Role::OfficeHead];

impl Service {
    /// The agency's application settings (defaults per applications.md §14; the 复议机关 defaults
    /// to the parent agency's name, or the agency itself at the top).
    pub async fn application_settings(&self, agency: AgencyId) -> Result<ApplicationSettings> {
        let a = self.agency_or_404(agency).await?;
        let stored = self
            .store
            .setting(&format!("applications.settings.{agency}"))
            .await?;
        let mut s: ApplicationSettings = match stored {
            Some(v) => serde_json::from_str(&v).map_err(internal)?,
            None => ApplicationSettings {
                accepts_applications: true,
                publish_hint_threshold: 2,
                preliminary: gongkai_domain::application::default_preliminary()
                    .iter()
                    .map(|d| d.id().to_owned())
                    .collect(),
                ..ApplicationSettings::default()
            },
        };
        a.name.clone_into(&mut s.letters.agency_name);
        if s.letters.review_body.trim().is_empty() {
            s.letters.review_body = match a.parent_id {
                Some(p) => self.agency_or_404(p).await?.name,
                None => a.name.clone(),
            };
        }
        if s.letters.court.trim().is_empty() {
            "有管辖权的人民法院".clone_into(&mut s.letters.court);
        }
        if s.letter_prefix.trim().is_empty() {
            s.letter_prefix = format!("{}依申请公开", a.name);
        }
        // Default contact and address: the 政府信息公开工作机构 of the agency's 指南.
        if (s.letters.contact.trim().is_empty() || s.letters.address.trim().is_empty())
            && let Some(g) = self.guide(agency).await?
        {
            if s.letters.contact.trim().is_empty() && !g.office_phone.trim().is_empty() {
                format!("{} {}", g.office_name.trim(), g.office_phone.trim())
                    .trim()
                    .clone_into(&mut s.letters.contact);
            }
            if s.letters.address.trim().is_empty() {
                g.office_address.trim().clone_into(&mut s.letters.address);
            }
        }

        Ok(s)
    }

    /// The dispositions whose reply carries the 复议前置 notice: every refusal (复议法 Art.
    /// 23(四) is not configurable), plus partial disclosure and Art. 36(七) replies as the
    /// agency decides (the spec marks their scope unverified).
    pub(crate) fn preliminary(s: &ApplicationSettings) -> Vec<Disposition> {
        let mut out: Vec<Disposition> = Disposition::ALL
            .iter()
            .copied()
            .filter(|d| d.is_denial() && *d != Disposition::DeniedAdministrativeQuery)
            .collect();
        for d in s.preliminary.iter().filter_map(|d| Disposition::parse(d)) {
            if !out.contains(&d) {
                out.push(d);
            }
        }
        out
    }

    /// Saves the settings; local periods may only be shorter than the statutory ones.
    pub async fn save_application_settings(
        &self,
        actor: &Actor,
        agency: AgencyId,
        s: &ApplicationSettings,
    ) -> Result<()> {
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::ManageProceedings, agency)
            .await?;
        let mut errs: Vec<FieldError> = s
            .rules
            .problems()
            .into_iter()
            .map(|(f, m)| err(f, m))
            .collect();
        for d in &s.preliminary {
            if Disposition::parse(d).is_none() {
                errs.push(err("preliminary", format!("未知的办理结果“{d}”")));
            }
        }
        if !s.reminder_email.trim().is_empty()
            && s.reminder_email.trim().parse::<lettre::Address>().is_err()
        {
            errs.push(err(
                "reminder_email",
                "提醒邮箱格式不正确，例如 gongkaiban@example.gov.cn",
            ));
        }
        if s.letters.review_body.chars().count() > 100 || s.letters.court.chars().count() > 100 {
            errs.push(err(
                "review_body",
                "复议机关、人民法院名称不能超过 100 个字",
            ));
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let v = serde_json::to_string(s).map_err(internal)?;
        let mut tx = self.store.begin().await?;
        tx.set_setting(&format!("applications.settings.{agency}"), &v)
            .await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "application.settings",
            ("agency", agency.to_string()),
            serde_json::to_value(s).map_err(internal)?,
        )
        .await?;
        tx.commit().await?;
        // Periods and conventions may have changed: open deadlines follow, each change recorded.
        if let Err(e) = self
            .recompute_deadlines(actor, Some(agency), "rules_changed")
            .await
        {
            // The settings are saved; the next change or calendar import recomputes again.
            tracing::warn!(error = %e, "recomputing deadlines after a settings change failed");
        }
        Ok(())
    }

    /// Agencies that take online applications, for the public form.
    pub async fn agencies_accepting_applications(&self) -> Result<Vec<gongkai_store::Agency>> {
        let mut out = Vec::new();
        for a in self.store.agencies().await? {
            if self.application_settings(a.id).await?.accepts_applications {
                out.push(a);
            }
        }
        Ok(out)
    }

    async fn new_case_no(
        &self,
        tx: &mut gongkai_store::Tx,
        agency: AgencyId,
        year: i32,
    ) -> Result<String> {
        let n = tx
            .next_index_serial(&format!("application:{agency}"), year)
            .await?;
        Ok(format!("{year}-{:03}-{n:04}", agency.0))
    }

    /// The public online form (Art. 29, §2.2): validated strictly, rate-limited per address,
    /// answered with a case number and a query code.
    pub async fn submit_application(
        &self,
        f: &ApplicationForm,
        client_addr: &str,
    ) -> Result<Submitted> {
        let agency = f.agency_id.trim().parse::<i64>().ok().map(AgencyId);
        let a = match agency {
            Some(id) => self.store.agency(id).await?,
            None => None,
        };
        let Some(a) = a else {
            // Say everything that is wrong at once, not the agency first.
            let mut errs = vec![err("agency_id", "请选择受理机关")];
            if let Err(ServiceError::Invalid(more)) = read_form(f, true) {
                errs.extend(more);
            }
            return Err(ServiceError::Invalid(errs));
        };
        let agency = a.id;
        let settings = self.application_settings(agency).await?;
        if !settings.accepts_applications {
            return Err(ServiceError::field(
                "agency_id",
                "该机关不通过本平台受理申请，请查阅其政府信息公开指南",
            ));
        }
        let addr = limit_key("intake", client_addr);
        let now = self.now_ms();
        if self.store.intake_attempts(&addr, now - HOUR_MS).await? >= INTAKE_PER_HOUR {
            return Err(too_many());
        }
        let (applicant, request) = read_form(f, true)?;
        let today = self.clock.today();
        let mut case = Case::submitted(Channel::Online, today);
        let cal = self.calendar().await?;
        if settings.rules.online_auto_confirm && cal.is_working_day(today) {
            case.apply(
                &Command::ConfirmReceipt {
                    on: today,
                    method: "平台自动确认".into(),
                },
                today,
                &cal,
                &settings.rules,
            )
            .map_err(|r| ServiceError::Refused(r.0))?;
        }
        let code = query_code()?;
        let mut tx = self.store.begin().await?;
        tx.record_intake_attempt(&addr, now, now - 24 * HOUR_MS)
            .await?;
        // Counted again inside the (serialised) write transaction, so a burst of parallel
        // submissions cannot all pass the check above.
        if tx.intake_attempts(&addr, now - HOUR_MS).await? > INTAKE_PER_HOUR {
            return Err(too_many());
        }
        let case_no = self.new_case_no(&mut tx, agency, today.year()).await?;
        let id = self
            .insert_case(
                &mut tx,
                &Actor::System,
                "submit",
                agency,
                &case_no,
                &code,
                &applicant,
                &request,
                &case,
                &cal,
                &settings.rules,
                None,
            )
            .await?;
        tx.commit().await?;
        tracing::info!(case_no, "application submitted online");
        Ok(Submitted {
            id,
            case_no,
            query_code: code,
            agency_name: a.name,
            state_label: case.state.label(),
            receipt_date: case.receipt_date,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_case(
        &self,
        tx: &mut gongkai_store::Tx,
        actor: &Actor,
        kind: &str,
        agency: AgencyId,
        case_no: &str,
        code: &str,
        applicant: &Applicant,
        request: &Request,
        case: &Case,
        cal: &WorkingCalendar,
        rules: &Rules,
        note: Option<&str>,
    ) -> Result<i64> {
        let now = self.now_ms();
        let due = case.deadline(cal, rules).due.map(|d| d.to_string());
        let version = self.calendar_version().await?;
        let row = ApplicationRow {
            id: 0,
            agency_id: agency,
            case_no: case_no.to_owned(),
            query_hash: code_hash(case_no, code),
            channel: case.channel.id().to_owned(),
            state: case.state.id().to_owned(),
            applicant_type: applicant
                .applicant_type
                .unwrap_or(ApplicantType::NaturalPerson)
                .id()
                .to_owned(),
            applicant_key: applicant_key(applicant, case_no),
            applicant_json: serde_json::to_string(applicant).map_err(internal)?,
            request_json: serde_json::to_string(request).map_err(internal)?,
            case_json: serde_json::to_string(case).map_err(internal)?,
            summary: request.summary(),
            receipt_date: case.receipt_date.map(|d| d.to_string()),
            due_date: due.clone(),
            closed_on: None,
            disposition: None,
            handler_id: None,
            division_id: None,
            calendar_version: version,
            submitted_at: now,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        let id = tx.insert_application(&row).await?;
        tx.insert_application_event(&ApplicationEvent {
            id: 0,
            application_id: id,
            kind: kind.to_owned(),
            actor: actor_name(actor),
            role: actor_role(actor),
            at: now,
            detail_json: json!({ "channel": case.channel.id(), "note": note.unwrap_or_default() })
                .to_string(),
            due_before: None,
            due_after: due,
            calendar_version: version,
        })
        .await?;
        self.audit(
            tx,
            actor,
            Some(agency),
            &format!("application.{kind}"),
            ("application", id.to_string()),
            json!({ "case_no": case_no, "channel": case.channel.id(), "state": case.state.id() }),
        )
        .await?;
        Ok(id)
    }

    /// The latest calendar revision (recorded with every computed deadline).
    pub async fn calendar_version(&self) -> Result<i64> {
        Ok(self
            .store
            .calendar_revisions()
            .await?
            .iter()
            .map(|r| r.id)
            .max()
            .unwrap_or(0))
    }

    /// Staff registration of a counter, letter, fax or e-mail application (§3). In-person and
    /// signed-for post are registered with their date of receipt; the others wait for the
    /// confirmation with the applicant. Returns the case id and the query code for the
    /// applicant.
    pub async fn register_application(
        &self,
        actor: &Actor,
        agency: AgencyId,
        f: &ApplicationForm,
    ) -> Result<(i64, String, String)> {
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::HandleApplications, agency)
            .await?;
        if !has(actor, &OFFICE) {
            return Err(ServiceError::Refused(
                "申请由公开办登记；经办人办理分派给自己的申请".into(),
            ));
        }
        let Some(channel) = Channel::parse(&f.channel) else {
            return Err(ServiceError::field(
                "channel",
                format!("请选择申请渠道：{}", Channel::accepted()),
            ));
        };
        let today = self.clock.today();
        let mut errs = Vec::new();
        let submitted = if f.submitted_on.trim().is_empty() {
            Some(today)
        } else {
            parse_date(&f.submitted_on)
        };
        let Some(submitted) = submitted.filter(|d| *d <= today) else {
            return Err(ServiceError::field(
                "submitted_on",
                "提交（寄出、发送）日期格式应为 YYYY-MM-DD，且不能晚于今天",
            ));
        };
        let received = if channel.receipt_on_arrival() {
            let r = if f.received_on.trim().is_empty() {
                Some(today)
            } else {
                parse_date(&f.received_on)
            };
            match r.filter(|d| *d <= today && *d >= submitted) {
                Some(r) => Some(r),
                None => {
                    errs.push(err(
                        "received_on",
                        "收到（签收）日期格式应为 YYYY-MM-DD，不能早于提交日期、不能晚于今天",
                    ));
                    None
                }
            }
        } else {
            None
        };
        let parsed = read_form(f, false);
        let (applicant, request) = match parsed {
            Ok(v) => v,
            Err(ServiceError::Invalid(mut e)) => {
                e.extend(errs);
                return Err(ServiceError::Invalid(e));
            }
            Err(e) => return Err(e),
        };
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let settings = self.application_settings(agency).await?;
        let cal = self.calendar().await?;
        let mut case = match received {
            Some(r) => Case::registered(channel, submitted, r),
            None => Case::submitted(channel, submitted),
        };
        if received.is_none() && !f.received_on.trim().is_empty() {
            // Letters, faxes and e-mails: the day it arrived (confirmation cannot be earlier).
            match parse_date(&f.received_on).filter(|d| *d <= today && *d >= submitted) {
                Some(a) => case.arrived_on = Some(a),
                None => {
                    return Err(ServiceError::field(
                        "received_on",
                        "到达日期格式应为 YYYY-MM-DD，不能早于提交（寄出）日期、不能晚于今天",
                    ));
                }
            }
        }
        let code = query_code()?;
        let mut tx = self.store.begin().await?;
        if !f.form_token.trim().is_empty() {
            let key = limit_key("form", f.form_token.trim());
            if tx.intake_attempts(&key, 0).await? > 0 {
                return Err(ServiceError::Refused(
                    "这张登记表已经提交过，申请已登记，请勿重复提交；可在“依申请公开”列表中查看"
                        .into(),
                ));
            }
            let now = self.now_ms();
            tx.record_intake_attempt(&key, now, now - 24 * HOUR_MS)
                .await?;
        }
        let year = received.unwrap_or(today).year();
        let case_no = self.new_case_no(&mut tx, agency, year).await?;
        let kind = if received.is_some() {
            "register_direct"
        } else {
            "register_pending"
        };
        let id = self
            .insert_case(
                &mut tx,
                actor,
                kind,
                agency,
                &case_no,
                &code,
                &applicant,
                &request,
                &case,
                &cal,
                &settings.rules,
                Some(channel.receipt_rule()),
            )
            .await?;
        tx.commit().await?;
        Ok((id, case_no, code))
    }

    /// The public status page (case number + query code). Look-ups are rate-limited per address.
    pub async fn application_status(
        &self,
        case_no: &str,
        code: &str,
        client_addr: &str,
    ) -> Result<PublicStatus> {
        if case_no.trim().is_empty() || code.trim().is_empty() {
            return Err(ServiceError::Refused(
                "请填写申请编号和查询码（提交申请时页面上显示的 8 位字母数字）".into(),
            ));
        }
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let code = code.as_str();
        let addr = limit_key("status", client_addr);
        let now = self.now_ms();
        if self.store.intake_attempts(&addr, now - HOUR_MS).await? >= STATUS_LOOKUPS_PER_HOUR {
            return Err(ServiceError::Refused("查询过于频繁，请一小时后再试".into()));
        }
        let not_found = || {
            ServiceError::Refused(
                "申请编号或查询码不正确。请核对提交申请时显示的申请编号和 8 位查询码（不区分大小写）".into(),
            )
        };
        let row = self.store.application_by_case_no(case_no.trim()).await?;
        let Some(row) = row.filter(|r| r.query_hash == code_hash(&r.case_no, code)) else {
            let mut tx = self.store.begin().await?;
            tx.record_intake_attempt(&addr, now, now - 24 * HOUR_MS)
                .await?;
            tx.commit().await?;
            return Err(not_found());
        };
        let case: Case = serde_json::from_str(&row.case_json).map_err(internal)?;
        let agency = self.agency_or_404(row.agency_id).await?;
        let settings = self.application_settings(row.agency_id).await?;
        let cal = self.calendar().await?;
        Ok(PublicStatus {
            case_no: row.case_no,
            agency_name: agency.name,
            submitted_on: case.submitted_on,
            state: case.state.id(),
            state_label: case.state.label(),
            receipt_date: case.receipt_date,
            deadline: case.deadline(&cal, &settings.rules),
            closed_on: case.closed_on,
            outcome: case.disposition.map(Disposition::public_label),
            delivered_on: case.delivery.as_ref().map(|d| d.on),
            correction_items: case
                .correction
                .as_ref()
                .filter(|_| case.state == State::AwaitingCorrection)
                .map(|c| c.items.clone()),
        })
    }

    async fn row_or_404(&self, id: i64) -> Result<ApplicationRow> {
        self.store
            .application(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该申请".into()))
    }

    /// May `actor` see this case, and its personal data?
    async fn case_access(&self, actor: &Actor, row: &ApplicationRow) -> Result<bool> {
        self.authorize(actor, Action::ViewApplications, row.agency_id)
            .await?;
        let Actor::User(u) = actor else {
            return Ok(true);
        };
        let own = u.agency_id == row.agency_id;
        let office = own && has(actor, &OFFICE);
        let handler = row.handler_id == Some(u.id);
        let reads_all = has(actor, &[Role::Leader, Role::Supervisor]) || office;
        if !reads_all && !handler {
            return Err(ServiceError::Forbidden {
                action: Action::ViewApplications,
            });
        }
        Ok(office || handler)
    }

    /// Checks that `actor` may trigger an event of `who` on the case.
    async fn may_act(&self, actor: &Actor, row: &ApplicationRow, who: Who) -> Result<()> {
        match who {
            Who::OfficeHead => {
                self.authorize(actor, Action::ApproveApplications, row.agency_id)
                    .await
            }
            Who::Registrar => {
                self.authorize(actor, Action::HandleApplications, row.agency_id)
                    .await?;
                if has(actor, &OFFICE) {
                    Ok(())
                } else {
                    Err(ServiceError::Refused(
                        "此操作由公开办办理（登记、确认收到、分办）".into(),
                    ))
                }
            }
            Who::CaseOfficer => {
                self.authorize(actor, Action::HandleApplications, row.agency_id)
                    .await?;
                let handler = matches!(actor, Actor::User(u) if row.handler_id == Some(u.id));
                if has(actor, &OFFICE) || handler {
                    Ok(())
                } else {
                    Err(ServiceError::Refused(
                        "该申请未分派给您办理；如需办理请联系公开办分办".into(),
                    ))
                }
            }
        }
    }

    /// A case for the back office.
    pub async fn application(&self, actor: &Actor, id: i64) -> Result<CaseView> {
        let row = self.row_or_404(id).await?;
        let personal_visible = self.case_access(actor, &row).await?;
        self.case_view(actor, row, personal_visible).await
    }

    async fn user_name(&self, id: Option<UserId>) -> Result<Option<String>> {
        Ok(match id {
            Some(id) => self.store.user(id).await?.map(|u| u.display_name),
            None => None,
        })
    }

    #[allow(clippy::too_many_lines)]
    async fn case_view(
        &self,
        actor: &Actor,
        row: ApplicationRow,
        personal_visible: bool,
    ) -> Result<CaseView> {
        let agency = self.agency_or_404(row.agency_id).await?;
        let settings = self.application_settings(row.agency_id).await?;
        let cal = self.calendar().await?;
        let today = self.clock.today();
        let case: Case = serde_json::from_str(&row.case_json).map_err(internal)?;
        let applicant: Applicant = serde_json::from_str(&row.applicant_json).map_err(internal)?;
        let request: Request = serde_json::from_str(&row.request_json).map_err(internal)?;
        let deadline = case.deadline(&cal, &settings.rules);
        let events = self
            .store
            .application_events(row.id)
            .await?
            .into_iter()
            .map(|e| EventView {
                at: e.at,
                label: event_label(&e.kind),
                note: event_note(&e.detail_json),
                kind: e.kind,
                actor: e.actor,
                role: e.role,
                due_before: e.due_before,
                due_after: e.due_after,
                calendar_version: e.calendar_version,
            })
            .collect();
        // Repeat/duplicate hints: the same applicant, or a similar request, at this agency —
        // for the disclosure office only (they link a person's requests).
        let office = match actor {
            Actor::User(u) => u.agency_id == row.agency_id && has(actor, &OFFICE),
            Actor::System => true,
        };
        let mut similar = Vec::new();
        let others = if office {
            self.store.agency_applications(row.agency_id).await?
        } else {
            Vec::new()
        };
        for other in others {
            if other.id == row.id {
                continue;
            }
            let same = other.applicant_key == row.applicant_key;
            let sim = similarity(&other.summary, &row.summary);
            if same || sim >= 60 {
                similar.push(SimilarView {
                    id: other.id,
                    case_no: other.case_no.clone(),
                    summary: other.summary.clone(),
                    state_label: state_of(&other).label(),
                    receipt_date: other.receipt_date.clone(),
                    disposition: other
                        .disposition
                        .as_deref()
                        .and_then(Disposition::parse)
                        .map(Disposition::full_label),
                    same_applicant: same,
                    similarity: sim,
                });
            }
        }
        similar.sort_by(|a, b| {
            (b.same_applicant, b.similarity).cmp(&(a.same_applicant, a.similarity))
        });
        let granted = |d: Option<&str>| {
            matches!(
                d.and_then(Disposition::parse),
                Some(Disposition::Granted | Disposition::PartiallyGranted)
            )
        };
        let granted_like = similar
            .iter()
            .filter(|x| x.similarity >= 60)
            .filter(|x| {
                x.disposition.as_deref().is_some_and(|l| {
                    l == Disposition::Granted.full_label()
                        || l == Disposition::PartiallyGranted.full_label()
                })
            })
            .count()
            + usize::from(granted(row.disposition.as_deref()));
        let threshold = settings.publish_hint_threshold as usize;
        let publish_hint = (threshold > 0 && granted_like >= threshold).then_some(granted_like);
        similar.truncate(10);
        let ordinal = self.item_ordinal(&row, &case).await?;
        let actions = allowed_actions(actor, &row, &case, &settings.rules);
        let mut letters = Vec::new();
        if case.correction.is_some() {
            letters.push(("correction", "补正通知书"));
        }
        if !case.extensions.is_empty() {
            letters.push(("extension", "延期答复告知书"));
        }
        if case.fee.is_some() {
            letters.push(("fee", "收费通知"));
        }
        if case.explanation.is_some() {
            letters.push(("explanation", "说明理由通知书"));
        }
        if case.delay_until.is_some() {
            letters.push(("delay", "延迟答复告知书"));
        }
        if case.state == State::UnderReview {
            letters.push(("reply", "答复书送审稿"));
        }
        if case
            .decision
            .as_ref()
            .is_some_and(|d| d.issued_on.is_some())
            || matches!(
                case.disposition,
                Some(Disposition::OtherOverdueCorrection | Disposition::OtherOverdueFee)
            )
        {
            letters.push(("reply", "答复书（告知书）"));
        }
        let round = case.round;
        let open_consultations = case
            .consultations
            .iter()
            .enumerate()
            .filter(|(_, c)| c.round == round && c.ended_on.is_none())
            .map(|(i, c)| (i, c.clone()))
            .collect();
        Ok(CaseView {
            id: row.id,
            case_no: row.case_no.clone(),
            agency_id: row.agency_id,
            agency_name: agency.name,
            state: case.state.id(),
            state_label: case.state.label(),
            channel_label: case.channel.label(),
            receipt_rule: case.channel.receipt_rule(),
            submitted_at: row.submitted_at,
            personal_visible,
            applicant_kind_label: applicant.kind.map_or("", ApplicantKind::label),
            applicant_type: applicant.applicant_type.map_or("", ApplicantType::id),
            applicant_type_label: applicant.applicant_type.map_or("", ApplicantType::label),
            id_type_label: applicant.id_type.map_or("", IdType::label),
            applicant: if personal_visible {
                applicant
            } else {
                mask_applicant(&applicant)
            },
            medium_label: request.medium.map_or("", Medium::label),
            delivery_label: request.delivery.map_or("", RequestDelivery::label),
            request,
            overdue: deadline.overdue(today),
            deadline,
            today,
            handler_id: row.handler_id,
            handler: self.user_name(row.handler_id).await?,
            division_id: row.division_id,
            division: match row.division_id {
                Some(d) => self.store.division(d).await?.map(|d| d.name),
                None => None,
            },
            events: if personal_visible {
                events
            } else {
                events
                    .into_iter()
                    .map(|e| EventView {
                        note: String::new(),
                        ..e
                    })
                    .collect()
            },
            files: {
                let mut files = self.store.application_files(row.id).await?;
                if !personal_visible {
                    for f in &mut files {
                        "（已隐藏）".clone_into(&mut f.name);
                    }
                }
                files
            },
            similar,
            actions,
            disposition_label: case.disposition.map(Disposition::full_label),
            decision_label: case.decision.as_ref().map(|d| d.disposition.full_label()),
            open_consultations: if personal_visible {
                open_consultations
            } else {
                Vec::new()
            },
            fee_item_ordinal: ordinal,
            fee_item_amount: per_item_fee(ordinal),
            fees_enabled: settings.rules.fees_enabled,
            letters: if personal_visible {
                letters
            } else {
                Vec::new()
            },
            publish_hint,
            case: if personal_visible {
                case
            } else {
                mask_case(case)
            },
        })
    }

    /// The application's ordinal among the same applicant's applications received by this
    /// agency in the same calendar month (§7.3, by date of receipt then registration).
    async fn item_ordinal(&self, row: &ApplicationRow, case: &Case) -> Result<u32> {
        let Some(receipt) = case.receipt_date else {
            return Ok(0);
        };
        let month = receipt.format("%Y-%m").to_string();
        let mut same: Vec<(String, i64)> = self
            .store
            .applications_of(row.agency_id, &row.applicant_key)
            .await?
            .into_iter()
            .filter_map(|r| r.receipt_date.map(|d| (d, r.id)))
            .filter(|(d, _)| d.starts_with(&month))
            .collect();
        same.sort();
        Ok(same
            .iter()
            .position(|(_, id)| *id == row.id)
            .map_or(0, |p| u32::try_from(p + 1).unwrap_or(u32::MAX)))
    }

    /// Applies an event of the state machine to a case (§12.3), with its permission, the
    /// four-eyes rule for the final approval, letter numbers and fee amounts filled in by the
    /// platform, the deadline recomputed and the event recorded and audited. Returns warnings.
    pub async fn act_on_application(
        &self,
        actor: &Actor,
        id: i64,
        cmd: Command,
    ) -> Result<Vec<String>> {
        let row = self.row_or_404(id).await?;
        self.may_act(actor, &row, cmd.who()).await?;
        let settings = self.application_settings(row.agency_id).await?;
        let rules = &settings.rules;
        let cal = self.calendar().await?;
        let today = self.clock.today();
        let mut case: Case = serde_json::from_str(&row.case_json).map_err(internal)?;
        let mut tx = self.store.begin().await?;
        let cmd = match cmd {
            Command::ApproveDecision { .. } => {
                let events = self.store.application_events(id).await?;
                let submitter = events
                    .iter()
                    .rev()
                    .find(|e| e.kind == "submit_draft")
                    .map(|e| e.actor.clone());
                // The history names people "显示名（用户名）"; the user name is the stable part.
                if let Actor::User(u) = actor
                    && submitter.as_deref().is_some_and(|s| {
                        s == u.username || s.ends_with(&format!("（{}）", u.username))
                    })
                {
                    return Err(ServiceError::Refused(
                        "答复稿须由他人审核签发：提交人不能签发自己提交的答复稿".into(),
                    ));
                }
                let n = tx
                    .next_index_serial(&format!("letter:{}", row.agency_id), today.year())
                    .await?;
                Command::ApproveDecision {
                    on: today,
                    letter_no: format!("{}〔{}〕{}号", settings.letter_prefix, today.year(), n),
                }
            }
            Command::ApproveExtension { wd, reason, .. } => Command::ApproveExtension {
                // Approval is dated when it is recorded: no back-dating past the deadline.
                on: today,
                wd,
                reason,
            },
            Command::AnswerOnSpot { mut decision } => {
                let n = tx
                    .next_index_serial(&format!("letter:{}", row.agency_id), today.year())
                    .await?;
                decision.letter_no = Some(format!(
                    "{}〔{}〕{}号",
                    settings.letter_prefix,
                    today.year(),
                    n
                ));
                Command::AnswerOnSpot { decision }
            }
            Command::IssueFeeNotice {
                on,
                received_on,
                method,
                units,
                ..
            } => {
                let units = match method {
                    gongkai_domain::application::FeeMethod::PerItem => {
                        self.item_ordinal(&row, &case).await?
                    }
                    gongkai_domain::application::FeeMethod::PerPage => units,
                };
                let amount_yuan = match method {
                    gongkai_domain::application::FeeMethod::PerItem => per_item_fee(units),
                    gongkai_domain::application::FeeMethod::PerPage => per_page_fee(units),
                };
                Command::IssueFeeNotice {
                    on,
                    received_on,
                    method,
                    units,
                    amount_yuan,
                }
            }
            other => other,
        };
        let before = case.deadline(&cal, rules).due;
        let mut warnings = case
            .apply(&cmd, today, &cal, rules)
            .map_err(|r| ServiceError::Refused(r.0))?;
        if matches!(
            cmd,
            Command::ApproveDecision { .. } | Command::AnswerOnSpot { .. }
        ) && let Some(d) = case.decision.as_mut()
        {
            // The letter is frozen as issued: later changes of the settings do not alter it.
            d.letters = Some(settings.letters.clone());
            d.preliminary_review = Some(Self::preliminary(&settings).contains(&d.disposition));
        }
        if matches!(cmd, Command::Archive) && self.store.application_files(id).await?.is_empty() {
            warnings.push(
                "案卷中没有上传任何材料（申请书、身份证明、送达回执等）；已归档，请补充上传，以便复议、诉讼时举证".into(),
            );
        }
        let after = case.deadline(&cal, rules);
        self.save_case(&mut tx, actor, &row, &case, &after, cmd.id(), &cmd, before)
            .await?;
        tx.commit().await?;
        Ok(warnings)
    }

    #[allow(clippy::too_many_arguments)]
    async fn save_case(
        &self,
        tx: &mut gongkai_store::Tx,
        actor: &Actor,
        row: &ApplicationRow,
        case: &Case,
        after: &Deadline,
        kind: &str,
        detail: &impl Serialize,
        before: Option<NaiveDate>,
    ) -> Result<()> {
        let now = self.now_ms();
        let version = self.calendar_version().await?;
        let mut next = row.clone();
        case.state.id().clone_into(&mut next.state);
        next.case_json = serde_json::to_string(case).map_err(internal)?;
        next.receipt_date = case.receipt_date.map(|d| d.to_string());
        next.due_date = after.due.map(|d| d.to_string());
        next.closed_on = case.closed_on.map(|d| d.to_string());
        next.disposition = case.disposition.map(|d| d.id().to_owned());
        next.calendar_version = version;
        next.updated_at = now;
        if !tx.update_application(&next).await? {
            return Err(ServiceError::Refused(
                "该申请刚被他人修改，请刷新页面后重试".into(),
            ));
        }
        let detail = serde_json::to_value(detail).map_err(internal)?;
        tx.insert_application_event(&ApplicationEvent {
            id: 0,
            application_id: row.id,
            kind: kind.to_owned(),
            actor: actor_name(actor),
            role: actor_role(actor),
            at: now,
            detail_json: detail.to_string(),
            due_before: before.map(|d| d.to_string()),
            due_after: after.due.map(|d| d.to_string()),
            calendar_version: version,
        })
        .await?;
        self.audit(
            tx,
            actor,
            Some(row.agency_id),
            &format!("application.{kind}"),
            ("application", row.id.to_string()),
            json!({
                "case_no": row.case_no,
                "state": [row.state, case.state.id()],
                "due": [before.map(|d| d.to_string()), after.due.map(|d| d.to_string())],
                "calendar_version": version,
            }),
        )
        .await?;
        Ok(())
    }

    /// Assigns the handler (经办人) and division; `registered` cases move to `in_progress`.
    pub async fn assign_application(
        &self,
        actor: &Actor,
        id: i64,
        handler: Option<UserId>,
        division: Option<DivisionId>,
    ) -> Result<()> {
        let row = self.row_or_404(id).await?;
        self.may_act(actor, &row, Who::Registrar).await?;
        if let Some(h) = handler {
            let u = self.store.user(h).await?;
            let ok = u.as_ref().is_some_and(|u| {
                u.agency_id == row.agency_id
                    && !u.disabled
                    && u.roles
                        .iter()
                        .any(|r| matches!(r, Role::Drafter | Role::Office | Role::OfficeHead))
            });
            if !ok {
                return Err(ServiceError::field(
                    "handler_id",
                    "经办人须是本机关在用的经办人或公开办账号",
                ));
            }
        }
        if let Some(d) = division
            && self
                .store
                .division(d)
                .await?
                .is_none_or(|d| d.agency_id != row.agency_id)
        {
            return Err(ServiceError::field("division_id", "请选择本机关的处室"));
        }
        let settings = self.application_settings(row.agency_id).await?;
        let cal = self.calendar().await?;
        let mut case: Case = serde_json::from_str(&row.case_json).map_err(internal)?;
        let before = case.deadline(&cal, &settings.rules).due;
        case.apply(&Command::Assign, self.clock.today(), &cal, &settings.rules)
            .map_err(|r| ServiceError::Refused(r.0))?;
        let after = case.deadline(&cal, &settings.rules);
        let mut next = row.clone();
        next.handler_id = handler;
        next.division_id = division;
        let mut tx = self.store.begin().await?;
        self.save_case(
            &mut tx,
            actor,
            &next,
            &case,
            &after,
            "assign",
            &json!({ "handler": self.user_name(handler).await?, "division_id": division.map(|d| d.0) }),
            before,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Corrects the applicant type after registration, with a reason (§1.2 rule 4).
    pub async fn change_applicant_type(
        &self,
        actor: &Actor,
        id: i64,
        new_type: &str,
        reason: &str,
    ) -> Result<()> {
        let row = self.row_or_404(id).await?;
        self.may_act(actor, &row, Who::Registrar).await?;
        let Some(t) = ApplicantType::parse(new_type) else {
            return Err(ServiceError::field(
                "applicant_type",
                format!("请选择申请人类型：{}", ApplicantType::accepted()),
            ));
        };
        if reason.trim().is_empty() {
            return Err(ServiceError::field("reason", "更正申请人类型须写明理由"));
        }
        let mut applicant: Applicant =
            serde_json::from_str(&row.applicant_json).map_err(internal)?;
        let old = applicant.applicant_type;
        applicant.applicant_type = Some(t);
        applicant.kind = Some(if t == ApplicantType::NaturalPerson {
            ApplicantKind::NaturalPerson
        } else {
            ApplicantKind::Organisation
        });
        let mut next = row.clone();
        t.id().clone_into(&mut next.applicant_type);
        next.applicant_json = serde_json::to_string(&applicant).map_err(internal)?;
        let case: Case = serde_json::from_str(&row.case_json).map_err(internal)?;
        let settings = self.application_settings(row.agency_id).await?;
        let cal = self.calendar().await?;
        let dl = case.deadline(&cal, &settings.rules);
        let mut tx = self.store.begin().await?;
        self.save_case(
            &mut tx,
            actor,
            &next,
            &case,
            &dl,
            "change_applicant_type",
            &json!({ "from": old.map(ApplicantType::id), "to": t.id(), "reason": reason.trim() }),
            dl.due,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches a document to a case (identity proof, scans of letters, postal receipts).
    pub async fn attach_application_file(
        &self,
        actor: &Actor,
        id: i64,
        name: &str,
        bytes: &[u8],
    ) -> Result<ApplicationFile> {
        let row = self.row_or_404(id).await?;
        self.may_act(actor, &row, Who::CaseOfficer).await?;
        let (name, mime, sha) = self.store_file(name, bytes).await?;
        let mut f = ApplicationFile {
            id: 0,
            application_id: id,
            name,
            content_type: mime.to_owned(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: sha,
            actor: actor.label(),
            created_at: self.now_ms(),
        };
        let mut tx = self.store.begin().await?;
        f.id = tx.insert_application_file(&f).await?;
        self.audit(
            &mut tx,
            actor,
            Some(row.agency_id),
            "application.attach",
            ("application", id.to_string()),
            json!({ "case_no": row.case_no, "size": f.size, "sha256": f.sha256 }),
        )
        .await?;
        tx.commit().await?;
        Ok(f)
    }

    /// A case document's bytes, for those who may see the case's personal data.
    pub async fn application_file(
        &self,
        actor: &Actor,
        file_id: i64,
    ) -> Result<(ApplicationFile, Vec<u8>)> {
        let f = self
            .store
            .application_file(file_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该文件".into()))?;
        let row = self.row_or_404(f.application_id).await?;
        if !self.case_access(actor, &row).await? {
            return Err(ServiceError::Forbidden {
                action: Action::HandleApplications,
            });
        }
        let bytes = self.read_file(&f.sha256).await?;
        Ok((f, bytes))
    }

    /// A letter of the case: `reply`, `correction`, `extension` or `fee` (§8).
    pub async fn application_letter(
        &self,
        actor: &Actor,
        id: i64,
        kind: &str,
    ) -> Result<gongkai_domain::application::Letter> {
        let row = self.row_or_404(id).await?;
        if !self.case_access(actor, &row).await? {
            return Err(ServiceError::Forbidden {
                action: Action::HandleApplications,
            });
        }
        let settings = self.application_settings(row.agency_id).await?;

        let case: Case = serde_json::from_str(&row.case_json).map_err(internal)?;
        let applicant: Applicant = serde_json::from_str(&row.applicant_json).map_err(internal)?;
        let request: Request = serde_json::from_str(&row.request_json).map_err(internal)?;
        let none = || ServiceError::NotFound("该文书".into());
        if let Some(i) = kind.strip_prefix("consultation-") {
            let i: usize = i.parse().map_err(|_| none())?;
            return app::consultation_letter(&case, &request, &settings.letters, i)
                .ok_or_else(none);
        }
        match kind {
            "reply" if case.state == State::UnderReview => {
                // The draft as the signer sees it before signing (送审稿).
                let mut draft = case.clone();
                if let Some(d) = draft.decision.as_mut() {
                    d.issued_on = Some(self.clock.today());
                    d.letter_no = Some("（签发时编号）".into());
                }
                app::letter_for(
                    &draft,
                    &applicant,
                    &request,
                    &settings.letters,
                    &Self::preliminary(&settings),
                )
                .map(|mut l| {
                    l.title.push_str("（送审稿）");
                    l
                })
                .map_err(|r| ServiceError::Refused(r.0))
            }
            "delay" => {
                app::delay_notice(&case, &applicant, &request, &settings.letters).ok_or_else(none)
            }
            "explanation" => {
                app::explanation_notice(&case, &applicant, &request, &settings.letters)
                    .ok_or_else(none)
            }
            "reply" => app::letter_for(
                &case,
                &applicant,
                &request,
                &settings.letters,
                &Self::preliminary(&settings),
            )
            .map_err(|r| ServiceError::Refused(r.0)),
            "correction" => app::correction_notice(&case, &applicant, &request, &settings.letters)
                .ok_or_else(none),
            "extension" => {
                let fallback = case.deadline(&self.calendar().await?, &settings.rules).due;
                app::extension_notice(&case, &applicant, &request, &settings.letters, fallback)
                    .ok_or_else(none)
            }
            "fee" => {
                app::fee_notice(&case, &applicant, &request, &settings.letters).ok_or_else(none)
            }
            _ => Err(none()),
        }
    }

    /// The agency's cases by filter; a 经办人 without office roles sees only their own.
    pub async fn applications(
        &self,
        actor: &Actor,
        agency: AgencyId,
        mut filter: ApplicationFilter,
        page: i64,
    ) -> Result<(Vec<CaseLine>, i64)> {
        self.authorize(actor, Action::ViewApplications, agency)
            .await?;
        if let Actor::User(u) = actor
            && !(u.agency_id == agency && has(actor, &OFFICE))
            && !has(actor, &[Role::Leader, Role::Supervisor])
        {
            filter.handler = Some(u.id);
        }
        filter.agency = Some(agency);
        let per = 50;
        let (rows, total) = self
            .store
            .applications(&filter, (page.max(1) - 1) * per, per)
            .await?;
        let settings = self.application_settings(agency).await?;
        let cal = self.calendar().await?;
        let personal =
            matches!(actor, Actor::User(u) if u.agency_id == agency) && has(actor, &OFFICE);
        let mut out = Vec::new();
        for r in rows {
            out.push(self.case_line(&r, &cal, &settings.rules, personal).await?);
        }
        Ok((out, total))
    }

    async fn case_line(
        &self,
        r: &ApplicationRow,
        cal: &WorkingCalendar,
        rules: &Rules,
        personal: bool,
    ) -> Result<CaseLine> {
        let case: Case = serde_json::from_str(&r.case_json).map_err(internal)?;
        let applicant: Applicant = serde_json::from_str(&r.applicant_json).map_err(internal)?;
        let dl = case.deadline(cal, rules);
        let today = self.clock.today();
        Ok(CaseLine {
            id: r.id,
            case_no: r.case_no.clone(),
            summary: r.summary.clone(),
            applicant: if personal {
                applicant.name.clone()
            } else {
                applicant.masked_name()
            },
            applicant_type_label: applicant.applicant_type.map_or("", ApplicantType::label),
            state: case.state.id(),
            state_label: case.state.label(),
            receipt_date: r.receipt_date.clone(),
            due: dl.due,
            stopped: dl.stopped,
            overdue: dl.overdue(today),
            wd_left: dl
                .due
                .filter(|d| *d >= today)
                .map(|d| cal.working_days_between(today, d)),
            handler: self.user_name(r.handler_id).await?,
            disposition: case.disposition.map(Disposition::full_label),
            closed_on: case.closed_on,
        })
    }

    /// The dashboard (§4 of the issue): due within 5 working days, overdue, paused, awaiting
    /// review or delivery, lapsed periods, workload per handler and division, reminders.
    pub async fn application_dashboard(
        &self,
        actor: &Actor,
        agency: AgencyId,
    ) -> Result<Dashboard> {
        self.authorize(actor, Action::ViewApplications, agency)
            .await?;
        let settings = self.application_settings(agency).await?;
        let cal = self.calendar().await?;
        let today = self.clock.today();
        let own_only = match actor {
            Actor::User(u) => {
                !(has(actor, &[Role::Leader, Role::Supervisor])
                    || u.agency_id == agency && has(actor, &OFFICE))
            }
            Actor::System => false,
        };
        let personal =
            matches!(actor, Actor::User(u) if u.agency_id == agency) && has(actor, &OFFICE);
        let mut d = Dashboard::default();
        let mut handlers: BTreeMap<String, usize> = BTreeMap::new();
        let mut divisions: BTreeMap<String, usize> = BTreeMap::new();
        for r in self.store.agency_applications(agency).await? {
            if own_only && !matches!(actor, Actor::User(u) if r.handler_id == Some(u.id)) {
                continue;
            }
            let case: Case = serde_json::from_str(&r.case_json).map_err(internal)?;
            if !case.state.is_open() {
                continue;
            }
            d.open_total += 1;
            let line = self.case_line(&r, &cal, &settings.rules, personal).await?;
            *handlers
                .entry(line.handler.clone().unwrap_or_else(|| "未分办".into()))
                .or_default() += 1;
            let div = match r.division_id {
                Some(id) => self.store.division(id).await?.map(|x| x.name),
                None => None,
            };
            *divisions
                .entry(div.unwrap_or_else(|| "未指定处室".into()))
                .or_default() += 1;
            let lapsed = match case.state {
                State::AwaitingCorrection => {
                    case.correction.as_ref().is_some_and(|c| today > c.due)
                }
                State::AwaitingPayment => case.fee.as_ref().is_some_and(|f| today > f.payment_due),
                State::Consulting => case
                    .consultations
                    .iter()
                    .any(|c| c.ended_on.is_none() && c.party_due.is_some_and(|p| today > p)),
                _ => false,
            };
            if lapsed {
                d.lapsed.push(line.clone());
            }
            if line.overdue {
                d.overdue.push(line.clone());
            } else if line.wd_left.is_some_and(|w| w <= 5) {
                d.due_soon.push(line.clone());
            }
            match case.state {
                State::Submitted => d.awaiting_confirmation.push(line),
                State::AwaitingCorrection => d.paused_correction.push(line),
                State::Consulting => d.paused_consultation.push(line),
                State::AwaitingPayment => d.paused_payment.push(line),
                State::AwaitingExplanation => d.awaiting_explanation.push(line),
                State::UnderReview => d.under_review.push(line),
                State::Decided => d.awaiting_delivery.push(line),
                _ => {}
            }
        }
        d.by_handler = handlers.into_iter().collect();
        d.by_division = divisions.into_iter().collect();
        d.reminders = self
            .store
            .reminders(agency, self.now_ms() - 14 * 24 * HOUR_MS)
            .await?;
        if own_only {
            let mine: Vec<i64> = d.overdue.iter().chain(&d.due_soon).map(|l| l.id).collect();
            d.reminders.retain(|r| mine.contains(&r.application_id));
        }
        Ok(d)
    }

    /// Table 3 of the annual report for `year`, computed from the cases (§9, §10).
    pub async fn application_table3(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
        format_2019: bool,
    ) -> Result<Table3> {
        self.authorize_overview(actor, agency).await?;
        let rows = self.store.agency_applications(agency).await?;
        let cases: Vec<CountedCase> = rows
            .iter()
            .map(|r| CountedCase {
                applicant_type: ApplicantType::parse(&r.applicant_type)
                    .unwrap_or(ApplicantType::NaturalPerson),
                receipt_date: r.receipt_date.as_deref().and_then(parse_date),
                closed_on: r.closed_on.as_deref().and_then(parse_date),
                disposition: r.disposition.as_deref().and_then(Disposition::parse),
            })
            .collect();
        Ok(table3(&cases, year, format_2019))
    }

    /// Scheduled work (every server tick): reminders before and after deadlines and for lapsed
    /// periods, and the year-end carry-over record of every case open at the end of a year.
    /// Returns how many new reminders fired. E-mail is not sent by this build; reminders are
    /// shown on the dashboard and written to the log without personal data.
    pub async fn run_application_jobs(&self) -> Result<usize> {
        let cal = self.calendar().await?;
        let today = self.clock.today();
        let mut fired = 0;
        let mut settings_cache: BTreeMap<i64, ApplicationSettings> = BTreeMap::new();
        let mut to_mail: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for r in self.store.open_applications().await? {
            let settings = match settings_cache.get(&r.agency_id.0) {
                Some(s) => s.clone(),
                None => {
                    let s = self.application_settings(r.agency_id).await?;
                    settings_cache.insert(r.agency_id.0, s.clone());
                    s
                }
            };
            let Ok(case) = serde_json::from_str::<Case>(&r.case_json) else {
                tracing::error!(
                    case_no = r.case_no,
                    "unreadable case record; skipped by the reminder job"
                );
                continue;
            };
            let dl = case.deadline(&cal, &settings.rules);
            let mut new = Vec::new();
            if let Some(due) = dl.due {
                if today > due {
                    new.push((
                        "overdue".to_owned(),
                        due,
                        format!("申请 {} 已超过答复期限（{}），请尽快答复", r.case_no, due),
                    ));
                } else {
                    let left = cal.working_days_between(today, due);
                    let mut offsets = settings.rules.reminder_offsets_wd.clone();
                    offsets.sort_unstable();
                    if let Some(o) = offsets.iter().find(|o| left <= i64::from(**o)) {
                        new.push((
                            format!("due_in_{o}"),
                            due,
                            format!(
                                "申请 {} 距答复期限（{}）还有 {} 个工作日",
                                r.case_no, due, left
                            ),
                        ));
                    }
                }
            }
            if case.state == State::Submitted {
                let since = case.arrived_on.unwrap_or(case.submitted_on);
                if cal.working_days_between(since, today) >= 1 {
                    new.push((
                        "confirm_receipt".into(),
                        since,
                        format!(
                            "申请 {} 自 {} 起待确认收到：须与申请人确认，确认之日为收到申请之日",
                            r.case_no, since
                        ),
                    ));
                }
            }
            if let Some(c) = case
                .correction
                .as_ref()
                .filter(|_| case.state == State::AwaitingCorrection)
                && today > c.due
            {
                new.push((
                    "correction_lapsed".into(),
                    c.due,
                    format!(
                        "申请 {} 的补正期限已于 {} 届满，请确认是否按逾期未补正处理",
                        r.case_no, c.due
                    ),
                ));
            }
            if let Some(f) = case
                .fee
                .as_ref()
                .filter(|_| case.state == State::AwaitingPayment)
                && today > f.payment_due
            {
                new.push((
                    "fee_lapsed".into(),
                    f.payment_due,
                    format!(
                        "申请 {} 的缴费期限已于 {} 届满，请确认是否按逾期未缴费处理",
                        r.case_no, f.payment_due
                    ),
                ));
            }
            for c in &case.consultations {
                if let Some(p) = c.party_due.filter(|p| c.ended_on.is_none() && today > *p) {
                    new.push((
                        "consultation_lapsed".into(),
                        p,
                        format!(
                            "申请 {} 的征求意见期限已于 {} 届满，请记录答复或按期满处理",
                            r.case_no, p
                        ),
                    ));
                }
            }
            let carry_year = case
                .receipt_date
                .filter(|d| d.year() < today.year())
                .map(|_| today.year() - 1);
            if new.is_empty() && carry_year.is_none() {
                // Nothing to record: no write transaction on every tick for every open case.
                continue;
            }
            let mut tx = self.store.begin().await?;
            for (kind, due, message) in new {
                let rem = Reminder {
                    application_id: r.id,
                    kind: kind.clone(),
                    due_date: due.to_string(),
                    message,
                    at: self.now_ms(),
                };
                if tx.insert_reminder(&rem).await? {
                    fired += 1;
                    tracing::info!(case_no = r.case_no, kind, due = %due, "application reminder");
                    to_mail.entry(r.agency_id.0).or_default().push(rem.message);
                }
            }
            // Year end (§10.2): a case open at the end of 31 December is carried over; record it
            // once on the case (the counting itself follows from the dates).
            if let Some(y) = carry_year {
                let rem = Reminder {
                    application_id: r.id,
                    kind: "carried_over".into(),
                    due_date: format!("{y}-12-31"),
                    message: format!("申请 {} 结转至 {} 年继续办理", r.case_no, y + 1),
                    at: self.now_ms(),
                };
                if tx.insert_reminder(&rem).await? {
                    tx.insert_application_event(&ApplicationEvent {
                        id: 0,
                        application_id: r.id,
                        kind: "carried_over".into(),
                        actor: "系统".into(),
                        role: String::new(),
                        at: self.now_ms(),
                        detail_json: json!({ "note": format!("{y} 年底未办结，计入 {y} 年“结转下年度继续办理”和 {} 年“上年结转”", y + 1) }).to_string(),
                        due_before: dl.due.map(|d| d.to_string()),
                        due_after: dl.due.map(|d| d.to_string()),
                        calendar_version: r.calendar_version,
                    })
                    .await?;
                }
            }
            tx.commit().await?;
        }
        self.mail_reminders(&settings_cache, to_mail).await;
        Ok(fired)
    }

    /// E-mails each agency's new reminders to its reminder mailbox, one message per agency and
    /// run; without SMTP or a mailbox they stay on the dashboard and in the log. A failed
    /// delivery is logged (the reminders remain on the dashboard).
    async fn mail_reminders(
        &self,
        settings: &BTreeMap<i64, ApplicationSettings>,
        to_mail: BTreeMap<i64, Vec<String>>,
    ) {
        for (agency, messages) in to_mail {
            let to = settings
                .get(&agency)
                .map(|s| s.reminder_email.trim().to_owned())
                .unwrap_or_default();
            if !self.mail_configured() || to.is_empty() {
                tracing::info!(
                    agency,
                    count = messages.len(),
                    "reminders not e-mailed (no SMTP server or no reminder mailbox configured)"
                );
                continue;
            }
            let body = format!(
                "以下依申请公开事项需要办理：\n\n{}\n\n请登录工作台“依申请公开”查看。本邮件由政府信息公开平台自动发送。\n",
                messages
                    .iter()
                    .map(|m| format!("· {m}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            let subject = format!("【依申请公开提醒】{} 件事项需要办理", messages.len());
            match self.send_mail(&to, &subject, &body).await {
                Ok(()) => tracing::info!(agency, count = messages.len(), "reminders e-mailed"),
                Err(e) => tracing::warn!(agency, error = %e, "reminder e-mail failed"),
            }
        }
    }

    /// Recomputes the deadline of every open case on the current calendar and records each
    /// change on the case (calendar.md §4.4). Returns how many deadlines moved.
    pub async fn recompute_application_deadlines(&self, actor: &Actor) -> Result<usize> {
        self.recompute_deadlines(actor, None, "calendar_changed")
            .await
    }

    /// Recomputes open deadlines (of one agency or all) and records each move as `kind`. A case
    /// changed by someone at the same moment is skipped (its own event recomputed it).
    async fn recompute_deadlines(
        &self,
        actor: &Actor,
        agency: Option<AgencyId>,
        kind: &str,
    ) -> Result<usize> {
        let cal = self.calendar().await?;
        let version = self.calendar_version().await?;
        let mut moved = 0;
        for r in self.store.open_applications().await? {
            if agency.is_some_and(|a| a != r.agency_id) {
                continue;
            }
            let settings = self.application_settings(r.agency_id).await?;
            let case: Case = serde_json::from_str(&r.case_json).map_err(internal)?;
            let dl = case.deadline(&cal, &settings.rules);
            let new_due = dl.due.map(|d| d.to_string());
            if new_due == r.due_date && r.calendar_version == version {
                continue;
            }
            let mut tx = self.store.begin().await?;
            if new_due == r.due_date {
                let mut next = r.clone();
                next.calendar_version = version;
                tx.update_application(&next).await?;
            } else {
                let before = r.due_date.as_deref().and_then(parse_date);
                match self
                    .save_case(
                        &mut tx,
                        actor,
                        &r,
                        &case,
                        &dl,
                        kind,
                        &json!({ "calendar_version": version, "provisional": dl.provisional }),
                        before,
                    )
                    .await
                {
                    Ok(()) => moved += 1,
                    Err(ServiceError::Refused(_)) => continue,
                    Err(e) => return Err(e),
                }
            }
            tx.commit().await?;
        }
        Ok(moved)
    }

    /// The open cases assigned to `actor` in `agency` (我办理的).
    pub async fn my_applications(&self, actor: &Actor, agency: AgencyId) -> Result<Vec<CaseLine>> {
        self.authorize(actor, Action::HandleApplications, agency)
            .await?;
        let Actor::User(u) = actor else {
            return Ok(Vec::new());
        };
        let filter = ApplicationFilter {
            agency: Some(agency),
            handler: Some(u.id),
            states: State::ALL
                .iter()
                .filter(|s| s.is_open())
                .map(|s| s.id().to_owned())
                .collect(),
            ..ApplicationFilter::default()
        };
        self.lines_of(agency, &filter).await
    }

    /// Up to 200 cases by filter as list lines (with personal data: office and handler lists).
    async fn lines_of(
        &self,
        agency: AgencyId,
        filter: &ApplicationFilter,
    ) -> Result<Vec<CaseLine>> {
        let (rows, _) = self.store.applications(filter, 0, 200).await?;
        let settings = self.application_settings(agency).await?;
        let cal = self.calendar().await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.case_line(&r, &cal, &settings.rules, true).await?);
        }
        Ok(out)
    }

    /// The cases waiting for the 公开办负责人: drafts to sign off.
    pub async fn approval_queue(&self, actor: &Actor, agency: AgencyId) -> Result<Vec<CaseLine>> {
        self.authorize(actor, Action::ApproveApplications, agency)
            .await?;
        let filter = ApplicationFilter {
            agency: Some(agency),
            states: vec![State::UnderReview.id().to_owned()],
            ..ApplicationFilter::default()
        };
        self.lines_of(agency, &filter).await
    }

    /// The case file (案卷, §15) as one ZIP: the record and history, every letter as .docx, and
    /// every uploaded document — available at once for a 复议 or lawsuit. Only for those who may
    /// see the case's personal data.
    pub async fn application_dossier(&self, actor: &Actor, id: i64) -> Result<(String, Vec<u8>)> {
        use std::fmt::Write as _;
        use std::io::Write as _;
        let view = self.application(actor, id).await?;
        if !view.personal_visible {
            return Err(ServiceError::Forbidden {
                action: Action::HandleApplications,
            });
        }
        let mut record = format!(
            "申请编号：{}\n受理机关：{}\n状态：{}\n渠道：{}\n提交日期：{}\n收到申请之日：{}\n办结日期：{}\n办理结果：{}\n\n申请人：{}（{}）\n证件：{} {}\n联系电话：{}\n电子邮箱：{}\n通信地址：{} {}\n\n所需信息：{}\n文号：{}\n索引号：{}\n内容描述：{}\n载体 / 获取方式：{} / {}\n\n办理记录：\n",
            view.case_no,
            view.agency_name,
            view.state_label,
            view.channel_label,
            view.case.submitted_on,
            view.case
                .receipt_date
                .map_or_else(|| "待确认".into(), |d| d.to_string()),
            view.case
                .closed_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            view.disposition_label.clone().unwrap_or_default(),
            view.applicant.name,
            view.applicant_type_label,
            view.id_type_label,
            view.applicant.id_number,
            view.applicant.phone,
            view.applicant.email,
            view.applicant.postal_address,
            view.applicant.postcode,
            view.request.info_title,
            view.request.doc_number,
            view.request.index_no,
            view.request.description,
            view.medium_label,
            view.delivery_label,
        );
        for e in &view.events {
            let at = chrono::DateTime::from_timestamp_millis(e.at)
                .map(|t| {
                    t.with_timezone(&gongkai_domain::beijing())
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            let due = if e.due_before == e.due_after {
                String::new()
            } else {
                format!(
                    "；答复期限 {} → {}",
                    e.due_before.as_deref().unwrap_or("—"),
                    e.due_after.as_deref().unwrap_or("—")
                )
            };
            let _ = writeln!(
                record,
                "{at}  {}  {}（{}）  {}{due}",
                e.label, e.actor, e.role, e.note
            );
        }
        let fail = |e: &dyn std::fmt::Display| ServiceError::Internal(format!("dossier: {e}"));
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("00-案件记录.txt", opts)
            .map_err(|e| fail(&e))?;
        zip.write_all(record.as_bytes()).map_err(|e| fail(&e))?;
        let mut kinds: Vec<String> = view.letters.iter().map(|(k, _)| (*k).to_owned()).collect();
        for i in 0..view.case.consultations.len() {
            kinds.push(format!("consultation-{i}"));
        }
        for (n, kind) in kinds.iter().enumerate() {
            if let Ok(l) = self.application_letter(actor, id, kind).await {
                let bytes = crate::proceedings::letter_docx(&l)?;
                zip.start_file(format!("{:02}-{}.docx", n + 1, l.title), opts)
                    .map_err(|e| fail(&e))?;
                zip.write_all(&bytes).map_err(|e| fail(&e))?;
            }
        }
        for f in &view.files {
            let bytes = self.read_file(&f.sha256).await?;
            zip.start_file(format!("材料/{}-{}", f.id, f.name), opts)
                .map_err(|e| fail(&e))?;
            zip.write_all(&bytes).map_err(|e| fail(&e))?;
        }
        let out = zip.finish().map_err(|e| fail(&e))?.into_inner();
        let row = self.row_or_404(id).await?;
        let mut tx = self.store.begin().await?;
        self.audit(
            &mut tx,
            actor,
            Some(row.agency_id),
            "application.export",
            ("application", id.to_string()),
            json!({ "case_no": row.case_no, "bytes": out.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok((format!("案卷-{}.zip", view.case_no), out))
    }

    /// A fresh one-time token for the staff registration form.
    pub fn new_form_token() -> Result<String> {
        crate::crypto::random_token()
    }

    /// Whether `actor` may register applications for `agency` (the 公开办 and its head).
    pub async fn may_register(&self, actor: &Actor, agency: AgencyId) -> bool {
        self.can(actor, Action::HandleApplications, agency).await && has(actor, &OFFICE)
    }

    /// The settings for the settings page (the 公开办 and its head of the agency).
    pub async fn application_settings_for(
        &self,
        actor: &Actor,
        agency: AgencyId,
    ) -> Result<ApplicationSettings> {
        self.authorize(actor, Action::ManageProceedings, agency)
            .await?;
        self.application_settings(agency).await
    }

    /// Table 3/4 and the register are read by the office, its head, 分管领导 and 监督 — not by a
    /// 经办人, who sees only the cases assigned to them.
    pub(crate) async fn authorize_overview(&self, actor: &Actor, agency: AgencyId) -> Result<()> {
        self.authorize(actor, Action::ViewApplications, agency)
            .await?;
        if has(
            actor,
            &[
                Role::Office,
                Role::OfficeHead,
                Role::Leader,
                Role::Supervisor,
            ],
        ) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden {
                action: Action::ViewApplications,
            })
        }
    }

    /// Staff of the agency who may handle cases (for the assignment form).
    pub async fn application_handlers(&self, agency: AgencyId) -> Result<Vec<User>> {
        Ok(self
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| {
                u.agency_id == agency
                    && !u.disabled
                    && u.roles
                        .iter()
                        .any(|r| matches!(r, Role::Drafter | Role::Office | Role::OfficeHead))
            })
            .collect())
    }
}

/// Who did it, as the case history shows it (the display name of staff; 系统 for the platform).
fn actor_name(actor: &Actor) -> String {
    match actor {
        Actor::User(u) => format!("{}（{}）", u.display_name, u.username),
        Actor::System => "系统".into(),
    }
}

fn actor_role(actor: &Actor) -> String {
    match actor {
        Actor::User(u) => u
            .roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join("、"),
        Actor::System => "系统".into(),
    }
}

/// The label of a stored channel or fee method id (for notes).
fn method_label(v: &serde_json::Value) -> Option<String> {
    let m = v.get("method")?.as_str()?;
    Some(
        gongkai_domain::application::FeeMethod::parse(m)
            .map_or_else(|| m.to_owned(), |f| f.label().to_owned()),
    )
}

/// A short human note from an event's detail (reasons, opinions, dates) — never personal data.
fn event_note(detail: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(detail) else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(m) = method_label(&v) {
        parts.push(format!("方式：{m}"));
    }
    for (k, label) in [
        ("note", ""),
        ("reason", "理由："),
        ("opinion", "意见："),
        ("items", "补正事项："),
        ("party", "对象："),
        ("letter_no", "文号："),
        ("receipt_no", "票据："),
        ("handler", "经办人："),
        ("wd", "工作日："),
        ("amount_yuan", "金额（元）："),
        ("on", "日期："),
        ("until", "延迟至："),
    ] {
        if let Some(x) = v.get(k) {
            let s = match x {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            if !s.is_empty() {
                parts.push(format!("{label}{s}"));
            }
        }
    }
    if let Some(d) = v
        .get("decision")
        .and_then(|d| d.get("disposition"))
        .and_then(|d| d.as_str())
        && let Some(d) = Disposition::parse(d)
    {
        parts.push(format!("办理结果：{}", d.full_label()));
    }
    if let Some(d) = v.get("kind").and_then(|d| d.as_str()) {
        let label = gongkai_domain::application::ConsultationKind::parse(d)
            .map(gongkai_domain::application::ConsultationKind::label)
            .or_else(|| {
                gongkai_domain::application::DeliveryKind::parse(d)
                    .map(gongkai_domain::application::DeliveryKind::label)
            })
            .unwrap_or(d);
        parts.push(format!("方式：{label}"));
    }
    if let Some(a) = v.get("accepted").and_then(serde_json::Value::as_bool) {
        parts.push(format!("理由{}", if a { "合理" } else { "不合理" }));
    }
    parts.join("；")
}

/// The events `actor` may trigger on the case now (for showing forms; the rules decide).
fn allowed_actions(
    actor: &Actor,
    row: &ApplicationRow,
    case: &Case,
    rules: &Rules,
) -> Vec<&'static str> {
    use State as S;
    let own = match actor {
        Actor::User(u) => u.agency_id == row.agency_id,
        Actor::System => true,
    };
    if !own {
        return Vec::new();
    }
    let office = has(actor, &OFFICE);
    let head = has(actor, &[Role::OfficeHead]);
    let handler = matches!(actor, Actor::User(u) if row.handler_id == Some(u.id));
    let officer = office || handler;
    let mut out = Vec::new();
    let mut add = |ok: bool, id: &'static str| {
        if ok {
            out.push(id);
        }
    };
    let st = case.state;
    add(office && st == S::Submitted, "confirm_receipt");
    add(office && st.is_open() && st != S::Submitted, "assign");
    add(officer && st == S::Registered, "answer_on_spot");
    add(
        officer && matches!(st, S::Registered | S::InProgress) && case.correction.is_none(),
        "request_correction",
    );
    add(officer && st == S::AwaitingCorrection, "receive_correction");
    add(
        officer && st == S::AwaitingCorrection,
        "extend_correction_period",
    );
    add(officer && st == S::AwaitingCorrection, "correction_lapsed");
    add(
        officer && matches!(st, S::InProgress | S::Consulting),
        "start_consultation",
    );
    add(officer && st == S::Consulting, "consultation_received");
    add(officer && st == S::Consulting, "consultation_answered");
    add(officer && st == S::Consulting, "consultation_lapsed");
    add(
        head && st.is_open() && !matches!(st, S::Submitted | S::AwaitingCorrection),
        "approve_extension",
    );
    add(
        officer && st == S::InProgress && case.explanation.is_none(),
        "request_explanation",
    );
    add(
        officer && st == S::AwaitingExplanation,
        "explanation_received",
    );
    add(
        head && st == S::InProgress
            && case.explanation.as_ref().and_then(|e| e.accepted) == Some(true),
        "set_delay_period",
    );
    add(
        head && st == S::InProgress && case.fee.is_none() && rules.fees_enabled,
        "issue_fee_notice",
    );
    add(officer && st == S::AwaitingPayment, "fee_paid");
    add(officer && st == S::AwaitingPayment, "fee_lapsed");
    add(officer && st == S::InProgress, "submit_draft");
    add(head && st == S::UnderReview, "approve_decision");
    add(head && st == S::UnderReview, "return_draft");
    add(officer && st == S::Decided, "deliver");
    add(office && st.is_open(), "withdraw");
    add(officer && st == S::Closed, "archive");
    add(office && st.has_receipt(), "change_applicant_type");
    add(officer, "attach");
    out
}
