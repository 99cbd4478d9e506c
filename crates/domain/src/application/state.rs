//! The case state machine of applications.md §12: what each event requires, what it changes,
//! and the deadline that results.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::deadline::{Deadline, Due, Pause, Rules, covered, due_date};
use super::vocab::{Channel, Disposition, State, labelled};
use crate::calendar::WorkingCalendar;

/// Who may trigger an event (§12.1); the service maps these onto staff roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Who {
    /// Registers applications and confirms receipt (公开办).
    Registrar,
    /// The official handling the case (经办人: the assigned handler, or the 公开办).
    CaseOfficer,
    /// The head of the 政府信息公开工作机构 (公开办负责人).
    OfficeHead,
}

labelled! {
    /// Whom a consultation goes to (§6).
    ConsultationKind {
        ThirdParty = ("third_party", "第三方"),
        Agency = ("agency", "其他机关"),
    }
}

labelled! {
    /// 信息处理费 methods (§7.2): one per application.
    FeeMethod {
        PerItem = ("per_item", "按件计收"),
        PerPage = ("per_page", "按量计收"),
    }
}

labelled! {
    /// How the final letter reached the applicant; decides the compliance time point (§8.6).
    DeliveryKind {
        Signed = ("signed", "直接送达（签收）"),
        Posted = ("posted", "邮政寄送（交邮）"),
        Electronic = ("electronic", "电子送达"),
    }
}

/// The 补正 notice and what came of it (§4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// The day the notice was dispatched.
    pub notice_on: NaiveDate,
    /// The day the applicant received it (the period counts from the day after).
    pub notice_received_on: NaiveDate,
    /// 需要补正的事项.
    pub items: String,
    /// The guidance and explanation given (指导和释明).
    pub guidance: String,
    pub period_wd: u32,
    /// The last day of the correction period (moved by extensions).
    pub due: NaiveDate,
    /// The notice went out after the 7-working-day limit.
    pub late: bool,
    /// Extensions of the correction period: (new due date, reason).
    pub extended: Vec<(NaiveDate, String)>,
    /// The day the corrected application was received.
    pub received_on: Option<NaiveDate>,
}

/// A consultation of a third party or another agency (§6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    pub kind: ConsultationKind,
    pub party: String,
    pub dispatched_on: NaiveDate,
    pub party_received_on: Option<NaiveDate>,
    /// 15 working days from the party's receipt.
    pub party_due: Option<NaiveDate>,
    /// The pause ends here (reply or lapse).
    pub ended_on: Option<NaiveDate>,
    pub opinion: String,
    pub objected: bool,
    pub lapsed: bool,
    /// The reply period (round) it belongs to; a correction starts a new round.
    pub round: u32,
}

/// An approved extension (§5.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub on: NaiveDate,
    pub wd: u32,
    pub reason: String,
    pub round: u32,
    /// The reply deadline after this extension (for the 延期答复告知书).
    #[serde(default)]
    pub due_after: Option<NaiveDate>,
    /// That deadline lies in a year whose holiday notice was not loaded.
    #[serde(default)]
    pub provisional: bool,
}

/// A fee notice (§7.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeNotice {
    pub method: FeeMethod,
    /// The item's ordinal in the month (per item) or the number of pages (per volume).
    pub units: u32,
    pub amount_yuan: u64,
    pub notice_on: NaiveDate,
    pub received_on: NaiveDate,
    pub payment_due: NaiveDate,
    pub paid_on: Option<NaiveDate>,
    pub receipt_no: String,
    pub round: u32,
}

/// An Art. 35 request for reasons (§5.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub requested_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub accepted: Option<bool>,
}

/// One withheld part of a partial disclosure (Art. 37).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    pub what: String,
    pub reason: String,
    pub basis: String,
}

/// The decision on the application (§8.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub disposition: Disposition,
    /// 法律依据: article and item.
    pub basis: String,
    /// 理由 (and, for 不掌握/不属于本机关, the responsible agency where known).
    pub reasons: String,
    /// What is provided, or how, where and when to obtain it.
    pub provided: String,
    pub withheld: Vec<Withheld>,
    pub letter_no: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub on_spot: bool,
    /// The letter settings in force when the reply was issued (the letter never changes after).
    #[serde(default)]
    pub letters: Option<super::letter::LetterSettings>,
    /// Whether the reply carries the 复议前置 notice (decided when it was issued).
    #[serde(default)]
    pub preliminary_review: Option<bool>,
}

/// How and when the final letter was delivered (§8.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub kind: DeliveryKind,
    pub on: NaiveDate,
    pub proof: String,
    /// Delivered (signed for, posted, sent) on or before the deadline.
    pub timely: bool,
}

/// Everything about a case that the rules read and change. Personal data and the request live
/// beside it (see the service); this is the procedural record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub state: State,
    pub channel: Channel,
    pub submitted_on: NaiveDate,
    pub receipt_date: Option<NaiveDate>,
    pub confirmation_method: String,
    /// 0 until a corrected application restarts the period, then 1.
    pub round: u32,
    pub period_start: Option<NaiveDate>,
    pub correction: Option<Correction>,
    pub consultations: Vec<Consultation>,
    pub extensions: Vec<Extension>,
    pub fee: Option<FeeNotice>,
    pub explanation: Option<Explanation>,
    pub delay_until: Option<NaiveDate>,
    pub decision: Option<Decision>,
    pub delivery: Option<DeliveryRecord>,
    pub disposition: Option<Disposition>,
    pub closed_on: Option<NaiveDate>,
    pub withdrawal_reason: String,
    /// For post: the day the letter arrived (the confirmation cannot be earlier).
    #[serde(default)]
    pub arrived_on: Option<NaiveDate>,
    /// The reason of an Art. 35 delay (for the 延迟答复告知书).
    #[serde(default)]
    pub delay_reason: String,
}

/// An event of §12.3 with its data. Dates are the days things happened (dispatch, receipt,
/// payment); none may lie in the future.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Command {
    ConfirmReceipt {
        on: NaiveDate,
        method: String,
    },
    Assign,
    AnswerOnSpot {
        decision: Decision,
    },
    RequestCorrection {
        on: NaiveDate,
        received_on: Option<NaiveDate>,
        items: String,
        guidance: String,
        period_wd: Option<u32>,
    },
    ExtendCorrection {
        extra_wd: u32,
        reason: String,
    },
    ReceiveCorrection {
        on: NaiveDate,
    },
    CorrectionLapsed,
    StartConsultation {
        kind: ConsultationKind,
        party: String,
        on: NaiveDate,
    },
    ConsultationReceived {
        index: usize,
        on: NaiveDate,
    },
    ConsultationAnswered {
        index: usize,
        on: NaiveDate,
        opinion: String,
        objected: bool,
    },
    ConsultationLapsed {
        index: usize,
    },
    ApproveExtension {
        on: NaiveDate,
        wd: u32,
        reason: String,
    },
    RequestExplanation {
        on: NaiveDate,
    },
    ExplanationReceived {
        on: NaiveDate,
        accepted: bool,
    },
    SetDelay {
        until: NaiveDate,
        reason: String,
    },
    IssueFeeNotice {
        on: NaiveDate,
        received_on: Option<NaiveDate>,
        method: FeeMethod,
        units: u32,
        amount_yuan: u64,
    },
    FeePaid {
        on: NaiveDate,
        receipt_no: String,
    },
    FeeLapsed,
    SubmitDraft {
        decision: Decision,
    },
    ReturnDraft {
        opinion: String,
    },
    ApproveDecision {
        on: NaiveDate,
        letter_no: String,
    },
    Deliver {
        kind: DeliveryKind,
        on: NaiveDate,
        proof: String,
    },
    Withdraw {
        on: NaiveDate,
        reason: String,
    },
    Archive,
}

impl Command {
    /// The event id of §12.3.
    pub fn id(&self) -> &'static str {
        match self {
            Command::ConfirmReceipt { .. } => "confirm_receipt",
            Command::Assign => "assign",
            Command::AnswerOnSpot { .. } => "answer_on_spot",
            Command::RequestCorrection { .. } => "request_correction",
            Command::ExtendCorrection { .. } => "extend_correction_period",
            Command::ReceiveCorrection { .. } => "receive_correction",
            Command::CorrectionLapsed => "correction_lapsed",
            Command::StartConsultation { .. } => "start_consultation",
            Command::ConsultationReceived { .. } => "consultation_received",
            Command::ConsultationAnswered { .. } => "consultation_answered",
            Command::ConsultationLapsed { .. } => "consultation_lapsed",
            Command::ApproveExtension { .. } => "approve_extension",
            Command::RequestExplanation { .. } => "request_explanation",
            Command::ExplanationReceived { .. } => "explanation_received",
            Command::SetDelay { .. } => "set_delay_period",
            Command::IssueFeeNotice { .. } => "issue_fee_notice",
            Command::FeePaid { .. } => "fee_paid",
            Command::FeeLapsed => "fee_lapsed",
            Command::SubmitDraft { .. } => "submit_draft",
            Command::ReturnDraft { .. } => "return_draft",
            Command::ApproveDecision { .. } => "approve_decision",
            Command::Deliver { .. } => "deliver",
            Command::Withdraw { .. } => "withdraw",
            Command::Archive => "archive",
        }
    }

    /// The Chinese name shown in the case history.
    pub fn label(&self) -> &'static str {
        event_label(self.id())
    }

    /// Who may trigger it (§12.3).
    pub fn who(&self) -> Who {
        match self {
            // A withdrawal closes the case without a reply: recorded by the office itself.
            Command::ConfirmReceipt { .. } | Command::Assign | Command::Withdraw { .. } => {
                Who::Registrar
            }
            Command::ApproveExtension { .. }
            | Command::SetDelay { .. }
            | Command::IssueFeeNotice { .. }
            | Command::ReturnDraft { .. }
            | Command::ApproveDecision { .. } => Who::OfficeHead,
            _ => Who::CaseOfficer,
        }
    }
}

/// The Chinese name of an event id (also for events recorded by the service itself).
pub fn event_label(id: &str) -> &'static str {
    match id {
        "submit" => "网上提交申请",
        "register_direct" => "登记申请",
        "register_pending" => "登记申请（待确认收到）",
        "rules_changed" => "期限规则变更，重新计算期限",
        "carried_over" => "年底未办结，结转下年度",
        "export" => "导出案卷",
        "confirm_receipt" => "确认收到申请",
        "assign" => "分办",
        "answer_on_spot" => "当场答复",
        "request_correction" => "发出补正通知",
        "extend_correction_period" => "延长补正期限",
        "receive_correction" => "收到补正申请",
        "correction_lapsed" => "逾期未补正，视为放弃申请",
        "start_consultation" => "发出征求意见",
        "consultation_received" => "被征求意见方签收",
        "consultation_answered" => "收到征求意见答复",
        "consultation_lapsed" => "征求意见期满未答复",
        "approve_extension" => "批准延长答复期限",
        "request_explanation" => "要求说明理由",
        "explanation_received" => "收到理由说明",
        "set_delay_period" => "确定延迟答复期限",
        "issue_fee_notice" => "发出收费通知",
        "fee_paid" => "已缴费",
        "fee_lapsed" => "逾期未缴费，视为放弃申请",
        "submit_draft" => "提交答复稿审核",
        "return_draft" => "退回答复稿",
        "approve_decision" => "审核签发答复",
        "deliver" => "送达答复",
        "withdraw" => "申请人撤回申请",
        "archive" => "归档",
        "calendar_changed" => "工作日历变更，重新计算期限",
        "change_applicant_type" => "更正申请人类型",
        _ => "其他事项",
    }
}

/// Why a command was refused, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

fn refuse<T>(msg: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(msg.into()))
}

fn cn(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

impl Case {
    /// A case submitted online or sent by letter, e-mail or fax: not yet confirmed.
    pub fn submitted(channel: Channel, on: NaiveDate) -> Self {
        Self {
            state: State::Submitted,
            channel,
            submitted_on: on,
            receipt_date: None,
            confirmation_method: String::new(),
            round: 0,
            period_start: None,
            correction: None,
            consultations: Vec::new(),
            extensions: Vec::new(),
            fee: None,
            explanation: None,
            delay_until: None,
            decision: None,
            delivery: None,
            disposition: None,
            closed_on: None,
            withdrawal_reason: String::new(),
            arrived_on: None,
            delay_reason: String::new(),
        }
    }

    /// A case registered with its date of receipt (`register_direct`: handed in, signed for).
    pub fn registered(channel: Channel, submitted_on: NaiveDate, receipt: NaiveDate) -> Self {
        Self {
            state: State::Registered,
            receipt_date: Some(receipt),
            period_start: Some(receipt),
            ..Self::submitted(channel, submitted_on)
        }
    }

    fn open_consultations(&self) -> impl Iterator<Item = &Consultation> {
        self.consultations
            .iter()
            .filter(move |c| c.round == self.round && c.ended_on.is_none())
    }

    fn extension_wd(&self) -> u32 {
        self.extensions
            .iter()
            .filter(|e| e.round == self.round)
            .map(|e| e.wd)
            .sum()
    }

    fn pauses(&self, rules: &Rules) -> Vec<(Pause, &'static str)> {
        let mut out: Vec<(Pause, &'static str)> = self
            .consultations
            .iter()
            .filter(|c| c.round == self.round)
            .map(|c| {
                (
                    Pause {
                        from: c.dispatched_on,
                        to: c.ended_on,
                    },
                    "征求意见中，期限暂停计算",
                )
            })
            .collect();
        if rules.pause_for_fee
            && let Some(f) = self.fee.as_ref().filter(|f| f.round == self.round)
        {
            out.push((
                Pause {
                    from: f.notice_on,
                    to: f.paid_on,
                },
                "待申请人缴费，期限暂停计算",
            ));
        }
        if rules.pause_for_explanation
            && let Some(e) = &self.explanation
        {
            out.push((
                Pause {
                    from: e.requested_on,
                    to: e.received_on,
                },
                "待申请人说明理由，期限暂停计算",
            ));
        }
        out
    }

    /// The deadline under `rules` on `cal` (§13.1).
    pub fn deadline(&self, cal: &WorkingCalendar, rules: &Rules) -> Deadline {
        let mut out = Deadline::default();
        let (Some(receipt), Some(start)) = (self.receipt_date, self.period_start) else {
            return out;
        };
        if !self.state.is_open() {
            return out;
        }
        if self.correction.is_none() && matches!(self.state, State::Registered | State::InProgress)
        {
            out.correction_notice_due =
                cal.add_working_days(receipt, rules.correction_notice_wd, rules.count_trigger_day);
        }
        out.payment_due = self
            .fee
            .as_ref()
            .filter(|f| f.paid_on.is_none() && self.state == State::AwaitingPayment)
            .map(|f| f.payment_due);
        if self.state == State::AwaitingCorrection {
            out.stopped = Some("待申请人补正，答复期限自收到补正申请之日起重新计算");
            out.correction_due = self.correction.as_ref().map(|c| c.due);
            return out;
        }
        out.extension_wd = self.extension_wd();
        if let Some(d) = self.delay_until {
            out.due = Some(d);
            out.delayed = true;
            return out;
        }
        let pauses = self.pauses(rules);
        let plain: Vec<Pause> = pauses.iter().map(|p| p.0).collect();
        let limit = rules.reply_wd + out.extension_wd;
        match due_date(cal, start, limit, &plain, rules.count_trigger_day) {
            Due::On(d) => {
                out.due = Some(d);
                out.provisional = !covered(cal, start, d);
            }
            Due::Paused { remaining_wd } => {
                out.remaining_wd = Some(remaining_wd);
                out.stopped = pauses.iter().find(|p| p.0.to.is_none()).map(|p| p.1);
            }
            Due::OutOfRange => {}
        }
        if rules.reply_wd < super::deadline::STATUTORY_REPLY_WD
            && let Due::On(d) = due_date(
                cal,
                start,
                super::deadline::STATUTORY_REPLY_WD + out.extension_wd,
                &plain,
                rules.count_trigger_day,
            )
        {
            out.statutory_due = Some(d);
        }
        out
    }

    /// Applies `cmd` on `today`. On success returns warnings to show (e.g. a late 补正 notice);
    /// on refusal the case is unchanged.
    pub fn apply(
        &mut self,
        cmd: &Command,
        today: NaiveDate,
        cal: &WorkingCalendar,
        rules: &Rules,
    ) -> Result<Vec<String>, Refusal> {
        let mut next = self.clone();
        let warnings = next.step(cmd, today, cal, rules)?;
        *self = next;
        Ok(warnings)
    }

    fn not_in_state(&self, cmd: &Command) -> Refusal {
        Refusal(format!(
            "当前状态为“{}”，不能“{}”",
            self.state.label(),
            cmd.label()
        ))
    }

    fn check_date(&self, what: &str, on: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
        if on > today {
            return refuse(format!("{what}（{}）不能晚于今天", cn(on)));
        }
        if let Some(r) = self.receipt_date
            && on < r
        {
            return refuse(format!(
                "{what}（{}）不能早于收到申请之日（{}）",
                cn(on),
                cn(r)
            ));
        }
        Ok(())
    }

    /// Steps the law allows only within the reply period.
    fn refuse_after_due(
        &self,
        what: &str,
        today: NaiveDate,
        cal: &WorkingCalendar,
        rules: &Rules,
    ) -> Result<(), Refusal> {
        match self.deadline(cal, rules).due {
            Some(due) if today > due => refuse(format!(
                "答复期限已于 {} 届满，不能再{what}；请尽快作出答复",
                cn(due)
            )),
            _ => Ok(()),
        }
    }

    fn close(&mut self, disposition: Disposition, on: NaiveDate) {
        self.state = State::Closed;
        self.disposition = Some(disposition);
        self.closed_on = Some(on);
    }

    #[allow(clippy::too_many_lines)]
    fn step(
        &mut self,
        cmd: &Command,
        today: NaiveDate,
        cal: &WorkingCalendar,
        rules: &Rules,
    ) -> Result<Vec<String>, Refusal> {
        use State as S;
        let mut warnings = Vec::new();
        match cmd {
            Command::ConfirmReceipt { on, method } => {
                if self.state != S::Submitted {
                    return Err(self.not_in_state(cmd));
                }
                if *on > today || *on < self.submitted_on {
                    return refuse(format!(
                        "确认日期应在提交之日（{}）与今天之间",
                        cn(self.submitted_on)
                    ));
                }
                if let Some(a) = self.arrived_on
                    && *on < a
                {
                    return refuse(format!("确认日期不能早于信件到达之日（{}）", cn(a)));
                }
                if method.trim().is_empty() {
                    return refuse("请写明确认方式，例如“电话确认”“平台消息”“回复邮件”");
                }
                if !cal.is_working_day(*on) {
                    return refuse(format!(
                        "{} 不是工作日：非工作日收到的申请于下一个工作日确认，确认之日为收到申请之日",
                        cn(*on)
                    ));
                }
                self.state = S::Registered;
                self.receipt_date = Some(*on);
                self.period_start = Some(*on);
                method.trim().clone_into(&mut self.confirmation_method);
            }
            Command::Assign => {
                if !self.state.is_open() || self.state == S::Submitted {
                    return Err(self.not_in_state(cmd));
                }
                if self.state == S::Registered {
                    self.state = S::InProgress;
                }
            }
            Command::AnswerOnSpot { decision } => {
                if self.state != S::Registered {
                    return Err(self.not_in_state(cmd));
                }
                let receipt = self.receipt_date.unwrap_or(today);
                if receipt != today {
                    return refuse(format!(
                        "当场答复只能在收到申请当日（{}）作出；其他情况请按办理流程拟稿、审核、送达",
                        cn(receipt)
                    ));
                }
                if !matches!(
                    decision.disposition,
                    Disposition::Granted
                        | Disposition::UnableNotHeld
                        | Disposition::NotProcessedPublication
                ) {
                    return refuse(
                        "当场答复只用于予以公开、本机关不掌握和告知公开出版物获取途径；其他答复须拟稿并经公开办负责人审核签发",
                    );
                }
                validate_decision(self, decision)?;
                let mut d = decision.clone();
                d.on_spot = true;
                d.issued_on = Some(today);
                self.decision = Some(d);
                self.close(decision.disposition, today);
            }
            Command::RequestCorrection {
                on,
                received_on,
                items,
                guidance,
                period_wd,
            } => {
                if !matches!(self.state, S::Registered | S::InProgress) {
                    return Err(self.not_in_state(cmd));
                }
                if let Some(c) = &self.correction {
                    return refuse(format!(
                        "补正应一次性告知（条例第三十条）：本申请已于{}发出补正通知，不能再次要求补正；补正后仍不明确的，请以“补正后申请内容仍不明确”作出答复",
                        cn(c.notice_on)
                    ));
                }
                self.check_date("补正通知发出日期", *on, today)?;
                let received = received_on.unwrap_or(*on);
                if received < *on || received > today {
                    return refuse("申请人收到补正通知的日期应在发出日期与今天之间");
                }
                if items.trim().is_empty() {
                    return refuse("请逐项写明需要补正的事项（条例第三十条）");
                }
                let period = period_wd.unwrap_or(rules.correction_default_period_wd);
                if !(1..=60).contains(&period) {
                    return refuse("补正期限应为 1 至 60 个工作日");
                }
                let receipt = self.receipt_date.unwrap_or(*on);
                let limit = cal.add_working_days(
                    receipt,
                    rules.correction_notice_wd,
                    rules.count_trigger_day,
                );
                let late = limit.is_some_and(|l| *on > l);
                if late && let Some(l) = limit {
                    warnings.push(format!(
                        "补正通知应自收到申请之日起 {} 个工作日内发出（最迟 {}），本次已逾期，将标记为逾期告知",
                        rules.correction_notice_wd,
                        cn(l)
                    ));
                }
                let Some(due) = cal.add_working_days(received, period, false) else {
                    return refuse("补正期限超出可计算的日期范围");
                };
                self.correction = Some(Correction {
                    notice_on: *on,
                    notice_received_on: received,
                    items: items.trim().to_owned(),
                    guidance: guidance.trim().to_owned(),
                    period_wd: period,
                    due,
                    late,
                    extended: Vec::new(),
                    received_on: None,
                });
                self.state = S::AwaitingCorrection;
            }
            Command::ExtendCorrection { extra_wd, reason } => {
                if self.state != S::AwaitingCorrection {
                    return Err(self.not_in_state(cmd));
                }
                if reason.trim().is_empty() {
                    return refuse("延长补正期限须写明申请人的正当理由");
                }
                if !(1..=60).contains(extra_wd) {
                    return refuse("延长的补正期限应为 1 至 60 个工作日");
                }
                let Some(c) = self.correction.as_mut() else {
                    return Err(self.not_in_state(cmd));
                };
                let Some(due) = cal.add_working_days(c.due, *extra_wd, false) else {
                    return refuse("补正期限超出可计算的日期范围");
                };
                c.due = due;
                c.extended.push((due, reason.trim().to_owned()));
            }
            Command::ReceiveCorrection { on } => {
                if self.state != S::AwaitingCorrection {
                    return Err(self.not_in_state(cmd));
                }
                let Some(c) = self.correction.as_mut() else {
                    return Err(self.not_in_state(cmd));
                };
                if *on > today || *on < c.notice_on {
                    return refuse(format!(
                        "收到补正申请的日期应在补正通知发出之日（{}）与今天之间",
                        cn(c.notice_on)
                    ));
                }
                if *on > c.due {
                    warnings.push(format!(
                        "补正期限已于 {} 届满；逾期补正的，应有正当理由并记录在案",
                        cn(c.due)
                    ));
                }
                c.received_on = Some(*on);
                self.round += 1;
                self.period_start = Some(*on);
                self.delay_until = None;
                self.state = S::InProgress;
            }
            Command::CorrectionLapsed => {
                if self.state != S::AwaitingCorrection {
                    return Err(self.not_in_state(cmd));
                }
                let due = self.correction.as_ref().map_or(today, |c| c.due);
                if today <= due {
                    return refuse(format!(
                        "补正期限至 {} 届满，届满前不能按逾期未补正处理",
                        cn(due)
                    ));
                }
                let Some(day_after) = due.checked_add_days(Days::new(1)) else {
                    return refuse("日期超出范围");
                };
                self.close(Disposition::OtherOverdueCorrection, day_after);
            }
            Command::StartConsultation { kind, party, on } => {
                if !matches!(self.state, S::InProgress | S::Consulting) {
                    return Err(self.not_in_state(cmd));
                }
                if party.trim().is_empty() {
                    return refuse("请填写被征求意见的第三方或机关名称");
                }
                self.check_date("征求意见书发出日期", *on, today)?;
                if self.period_start.is_some_and(|p| *on < p) {
                    return refuse("征求意见书发出日期不能早于本次答复期限的起算日");
                }
                self.consultations.push(Consultation {
                    kind: *kind,
                    party: party.trim().to_owned(),
                    dispatched_on: *on,
                    party_received_on: None,
                    party_due: None,
                    ended_on: None,
                    opinion: String::new(),
                    objected: false,
                    lapsed: false,
                    round: self.round,
                });
                self.state = S::Consulting;
            }
            Command::ConsultationReceived { index, on } => {
                let wd = rules.third_party_wd;
                let c = self.open_consultation(*index, cmd)?;
                if *on < c.dispatched_on || *on > today {
                    return refuse("签收日期应在发出日期与今天之间");
                }
                c.party_received_on = Some(*on);
                c.party_due = cal.add_working_days(*on, wd, false);
            }
            Command::ConsultationAnswered {
                index,
                on,
                opinion,
                objected,
            } => {
                let c = self.open_consultation(*index, cmd)?;
                if *on < c.dispatched_on || *on > today {
                    return refuse("收到答复的日期应在发出日期与今天之间");
                }
                if opinion.trim().is_empty() {
                    return refuse("请摘要记录对方的意见");
                }
                c.ended_on = Some(*on);
                opinion.trim().clone_into(&mut c.opinion);
                c.objected = *objected;
                self.resume_after_consultation();
            }
            Command::ConsultationLapsed { index } => {
                let c = self.open_consultation(*index, cmd)?;
                let Some(due) = c.party_due else {
                    return refuse("请先记录对方签收征求意见书的日期，才能计算其答复期限");
                };
                if today <= due {
                    return refuse(format!(
                        "对方的答复期限至 {} 届满，届满前不能按期满处理",
                        cn(due)
                    ));
                }
                c.ended_on = Some(due);
                c.lapsed = true;
                self.resume_after_consultation();
            }
            Command::ApproveExtension { on, wd, reason } => {
                if !self.state.is_open()
                    || matches!(self.state, S::Submitted | S::AwaitingCorrection)
                {
                    return Err(self.not_in_state(cmd));
                }
                if reason.trim().is_empty() {
                    return refuse("请写明延长答复期限的理由（将写入延期答复告知书）");
                }
                self.check_date("批准日期", *on, today)?;
                if let Some(due) = self.deadline(cal, rules).due
                    && (*on > due || today > due)
                {
                    return refuse(format!(
                        "答复期限已于 {} 届满，届满后不能再延长（条例第三十三条）",
                        cn(due)
                    ));
                }
                let used = self.extension_wd();
                let count = self
                    .extensions
                    .iter()
                    .filter(|e| e.round == self.round)
                    .count();
                if count >= rules.extension_max_count as usize {
                    return refuse(format!(
                        "本申请已延长过答复期限，按规定最多延长 {} 次",
                        rules.extension_max_count
                    ));
                }
                if *wd == 0 {
                    return refuse("请填写延长的工作日数（1 个以上）");
                }
                if *wd > rules.extension_max_wd || used + wd > rules.extension_max_wd {
                    return refuse(format!(
                        "延长的期限最长不得超过 {} 个工作日（已延长 {} 个工作日）",
                        rules.extension_max_wd, used
                    ));
                }
                self.extensions.push(Extension {
                    on: *on,
                    wd: *wd,
                    reason: reason.trim().to_owned(),
                    round: self.round,
                    due_after: None,
                    provisional: false,
                });
                let after = self.deadline(cal, rules);
                if let Some(e) = self.extensions.last_mut() {
                    e.due_after = after.due;
                    e.provisional = after.provisional;
                }
            }
            Command::RequestExplanation { on } => {
                if self.state != S::InProgress {
                    return Err(self.not_in_state(cmd));
                }
                self.refuse_after_due("要求说明理由", today, cal, rules)?;
                if self.explanation.is_some() {
                    return refuse("已要求申请人说明理由，不能重复要求");
                }
                self.check_date("通知日期", *on, today)?;
                self.explanation = Some(Explanation {
                    requested_on: *on,
                    received_on: None,
                    accepted: None,
                });
                self.state = S::AwaitingExplanation;
            }
            Command::ExplanationReceived { on, accepted } => {
                if self.state != S::AwaitingExplanation {
                    return Err(self.not_in_state(cmd));
                }
                let Some(e) = self.explanation.as_mut() else {
                    return Err(self.not_in_state(cmd));
                };
                if *on < e.requested_on || *on > today {
                    return refuse("收到说明的日期应在通知日期与今天之间");
                }
                e.received_on = Some(*on);
                e.accepted = Some(*accepted);
                self.state = S::InProgress;
            }
            Command::SetDelay { until, reason } => {
                if self.state != S::InProgress {
                    return Err(self.not_in_state(cmd));
                }
                if self.explanation.as_ref().and_then(|e| e.accepted) != Some(true) {
                    return refuse(
                        "只有在申请人说明理由且理由合理、但无法按期答复时，才能确定延迟答复期限（条例第三十五条）",
                    );
                }
                if reason.trim().is_empty() {
                    return refuse("请写明延迟答复的理由（将写入延迟答复告知书）");
                }
                self.refuse_after_due("确定延迟答复期限", today, cal, rules)?;
                let current = self.deadline(cal, rules).due;
                if *until <= today || current.is_some_and(|d| *until <= d) {
                    return refuse("延迟答复的日期应晚于今天和现有答复期限");
                }
                if (*until - today).num_days() > 366 {
                    return refuse("延迟答复的期限应当合理，不能超过一年");
                }
                self.delay_until = Some(*until);
                reason.trim().clone_into(&mut self.delay_reason);
            }
            Command::IssueFeeNotice {
                on,
                received_on,
                method,
                units,
                amount_yuan,
            } => {
                if self.state != S::InProgress {
                    return Err(self.not_in_state(cmd));
                }
                if !rules.fees_enabled {
                    return refuse("本机关未启用信息处理费");
                }
                if self.fee.is_some() {
                    return refuse("本申请已发出过收费通知，不能重复收费");
                }
                if let Some(due) = self.deadline(cal, rules).due
                    && today > due
                {
                    return refuse(format!(
                        "收费通知应在答复期限内发出，答复期限已于 {} 届满",
                        cn(due)
                    ));
                }
                self.check_date("收费通知发出日期", *on, today)?;
                let received = received_on.unwrap_or(*on);
                if received < *on || received > today {
                    return refuse("申请人收到收费通知的日期应在发出日期与今天之间");
                }
                if *amount_yuan == 0 {
                    return refuse(
                        "按标准计算的收费金额为 0 元（同一申请人一个自然月内 10 件以下、或 30 页以下不收费），不应发出收费通知",
                    );
                }
                let Some(payment_due) = cal.add_working_days(received, 20, false) else {
                    return refuse("缴费期限超出可计算的日期范围");
                };
                self.fee = Some(FeeNotice {
                    method: *method,
                    units: *units,
                    amount_yuan: *amount_yuan,
                    notice_on: *on,
                    received_on: received,
                    payment_due,
                    paid_on: None,
                    receipt_no: String::new(),
                    round: self.round,
                });
                self.state = S::AwaitingPayment;
            }
            Command::FeePaid { on, receipt_no } => {
                if self.state != S::AwaitingPayment {
                    return Err(self.not_in_state(cmd));
                }
                let Some(f) = self.fee.as_mut() else {
                    return Err(self.not_in_state(cmd));
                };
                if *on < f.notice_on || *on > today {
                    return refuse("缴费日期应在收费通知发出之日与今天之间");
                }
                if *on > f.payment_due {
                    warnings.push(format!("缴费期限已于 {} 届满", cn(f.payment_due)));
                }
                f.paid_on = Some(*on);
                receipt_no.trim().clone_into(&mut f.receipt_no);
                self.state = S::InProgress;
            }
            Command::FeeLapsed => {
                if self.state != S::AwaitingPayment {
                    return Err(self.not_in_state(cmd));
                }
                let due = self.fee.as_ref().map_or(today, |f| f.payment_due);
                if today <= due {
                    return refuse(format!(
                        "缴费期限至 {} 届满，届满前不能按逾期未缴费处理",
                        cn(due)
                    ));
                }
                let Some(day_after) = due.checked_add_days(Days::new(1)) else {
                    return refuse("日期超出范围");
                };
                self.close(Disposition::OtherOverdueFee, day_after);
            }
            Command::SubmitDraft { decision } => {
                if self.state != S::InProgress {
                    return Err(self.not_in_state(cmd));
                }
                validate_decision(self, decision)?;
                if decision.disposition == Disposition::DeniedThirdPartyRights
                    && !self.consultations.iter().any(|c| c.objected)
                {
                    warnings.push(
                        "以保护第三方合法权益不予公开的，一般应先书面征求第三方意见（条例第三十二条）"
                            .into(),
                    );
                }
                let mut d = decision.clone();
                d.letter_no = None;
                d.issued_on = None;
                d.on_spot = false;
                self.decision = Some(d);
                self.state = S::UnderReview;
            }
            Command::ReturnDraft { opinion } => {
                if self.state != S::UnderReview {
                    return Err(self.not_in_state(cmd));
                }
                if opinion.trim().is_empty() {
                    return refuse("退回时请写明修改意见");
                }
                self.state = S::InProgress;
            }
            Command::ApproveDecision { on, letter_no } => {
                if self.state != S::UnderReview {
                    return Err(self.not_in_state(cmd));
                }
                self.check_date("签发日期", *on, today)?;
                if letter_no.trim().is_empty() {
                    return refuse("答复书须有文号");
                }
                let Some(d) = self.decision.as_mut() else {
                    return Err(self.not_in_state(cmd));
                };
                d.letter_no = Some(letter_no.trim().to_owned());
                d.issued_on = Some(*on);
                self.state = S::Decided;
            }
            Command::Deliver { kind, on, proof } => {
                if self.state != S::Decided {
                    return Err(self.not_in_state(cmd));
                }
                let Some(d) = self.decision.clone() else {
                    return Err(self.not_in_state(cmd));
                };
                let issued = d.issued_on.unwrap_or(*on);
                if *on < issued || *on > today {
                    return refuse(format!("送达日期应在签发之日（{}）与今天之间", cn(issued)));
                }
                let due = self.deadline(cal, rules).due;
                let timely = due.is_none_or(|due| *on <= due);
                if !timely && let Some(due) = due {
                    warnings.push(format!(
                        "答复期限为 {}，本次{}晚于期限，将记录为逾期答复",
                        cn(due),
                        match kind {
                            DeliveryKind::Signed => "签收",
                            DeliveryKind::Posted => "交邮",
                            DeliveryKind::Electronic => "发送",
                        }
                    ));
                }
                self.delivery = Some(DeliveryRecord {
                    kind: *kind,
                    on: *on,
                    proof: proof.trim().to_owned(),
                    timely,
                });
                let closed = if rules.close_on_delivery { *on } else { issued };
                self.close(d.disposition, closed);
            }
            Command::Withdraw { on, reason } => {
                if !self.state.is_open() {
                    return Err(self.not_in_state(cmd));
                }
                let earliest = self.receipt_date.unwrap_or(self.submitted_on);
                if *on > today || *on < earliest {
                    return refuse(format!(
                        "撤回日期应在{}与今天之间",
                        if self.receipt_date.is_some() {
                            format!("收到申请之日（{}）", cn(earliest))
                        } else {
                            format!("提交之日（{}）", cn(earliest))
                        }
                    ));
                }
                if reason.trim().is_empty() {
                    return refuse("请记录撤回的方式，例如“申请人书面撤回（附撤回书）”");
                }
                reason.trim().clone_into(&mut self.withdrawal_reason);
                self.close(Disposition::OtherOther, *on);
            }
            Command::Archive => {
                if self.state != S::Closed {
                    return Err(self.not_in_state(cmd));
                }
                self.state = S::Archived;
            }
        }
        Ok(warnings)
    }

    fn open_consultation(
        &mut self,
        index: usize,
        cmd: &Command,
    ) -> Result<&mut Consultation, Refusal> {
        if self.state != State::Consulting {
            return Err(self.not_in_state(cmd));
        }
        let round = self.round;
        match self.consultations.get_mut(index) {
            Some(c) if c.round == round && c.ended_on.is_none() => Ok(c),
            _ => refuse("该征求意见已结束或不存在"),
        }
    }

    fn resume_after_consultation(&mut self) {
        if self.open_consultations().next().is_none() {
            self.state = State::InProgress;
        }
    }
}

fn validate_decision(case: &Case, d: &Decision) -> Result<(), Refusal> {
    if !d.disposition.decidable() {
        return refuse("“逾期不补正”“逾期未缴费”由期限届满处理，不能作为答复选择");
    }
    if d.basis.trim().is_empty() {
        return refuse(
            "请写明法律依据，例如“《中华人民共和国政府信息公开条例》第三十六条第（二）项”",
        );
    }
    if d.disposition.needs_reasons() && d.reasons.trim().is_empty() {
        return refuse(format!(
            "“{}”须说明理由（条例第三十六条、第三十七条）",
            d.disposition.full_label()
        ));
    }
    if matches!(
        d.disposition,
        Disposition::Granted | Disposition::PartiallyGranted
    ) && d.provided.trim().is_empty()
    {
        return refuse("请写明提供的信息内容，或获取信息的方式、途径和时间（条例第三十六条）");
    }
    if d.disposition == Disposition::PartiallyGranted
        && (d.withheld.is_empty()
            || d.withheld
                .iter()
                .any(|w| w.what.trim().is_empty() || w.reason.trim().is_empty()))
    {
        return refuse("部分公开的，须逐项写明不予公开的内容及理由（条例第三十七条）");
    }
    if d.disposition == Disposition::UnableStillUnclear
        && case
            .correction
            .as_ref()
            .and_then(|c| c.received_on)
            .is_none()
    {
        return refuse("“补正后申请内容仍不明确”只适用于已收到补正申请的案件");
    }
    if d.disposition == Disposition::NotProcessedExcessive
        && case.explanation.as_ref().and_then(|e| e.accepted) != Some(false)
    {
        return refuse(
            "“无正当理由大量反复申请”须先要求申请人说明理由，并认定理由不合理（条例第三十五条）",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
