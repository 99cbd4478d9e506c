//! Letters to the applicant (applications.md §8): the final reply (答复书/告知书) from the
//! decision's template, with the remedies notice of §8.4, and the procedural notices (补正通知书,
//! 延期答复告知书, 收费通知). Text only; the service renders it to HTML and .docx.

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::state::{Case, Refusal, Withheld};
use super::vocab::{Applicant, Disposition, Request};

/// Per-agency letter settings (§14 `letters.*`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LetterSettings {
    /// The agency's name as it signs letters.
    pub agency_name: String,
    /// 复议机关 (`letters.review_body`).
    pub review_body: String,
    /// 人民法院 (`letters.court`).
    pub court: String,
    /// 联系人及电话.
    pub contact: String,
    /// 通信地址 of the office.
    pub address: String,
    /// 缴纳方式 of the 信息处理费 (stated in every 收费通知, §7.4).
    pub payment: String,
}

/// A letter ready to render: title, number, addressee, body paragraphs, withheld parts, remedies,
/// signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub kind: &'static str,
    pub title: String,
    pub letter_no: String,
    pub addressee: String,
    pub paragraphs: Vec<String>,
    pub withheld: Vec<Withheld>,
    pub remedies: String,
    pub agency: String,
    pub date: NaiveDate,
    pub contact: String,
}

fn cn(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// The remedies notice (§8.4): 复议前置 wording for the dispositions in `preliminary` decided on
/// or after 2024-01-01 (复议法 Art. 23(四)); the choice of 复议 or 诉讼 otherwise.
pub fn remedies_notice(
    disposition: Disposition,
    on: NaiveDate,
    preliminary: &[Disposition],
    s: &LetterSettings,
) -> String {
    let cutoff = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or(NaiveDate::MIN);
    if preliminary.contains(&disposition) && on >= cutoff {
        format!(
            "如对本答复不服，根据《中华人民共和国行政复议法》第二十三条的规定，应当先申请行政复议：可以自收到本答复之日起六十日内向{}申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。",
            s.review_body
        )
    } else {
        format!(
            "如对本答复不服，可以自收到本答复之日起六十日内向{}申请行政复议，也可以自收到本答复之日起六个月内向{}提起行政诉讼。",
            s.review_body, s.court
        )
    }
}

/// The default `letters.preliminary_review_dispositions`: every `denied_*` except
/// `denied_administrative_query`, plus `partially_granted` (§14).
pub fn default_preliminary() -> Vec<Disposition> {
    Disposition::ALL
        .iter()
        .copied()
        .filter(|d| {
            (d.is_denial() && *d != Disposition::DeniedAdministrativeQuery)
                || *d == Disposition::PartiallyGranted
        })
        .collect()
}

fn decision_sentence(d: Disposition) -> &'static str {
    use Disposition as D;
    match d {
        D::Granted => "经审查，您申请公开的政府信息属于可以公开的政府信息，本机关决定予以公开。",
        D::PartiallyGranted => {
            "经审查，您申请公开的政府信息中有部分内容可以公开，本机关决定对可以公开的部分予以公开，其余部分不予公开。"
        }
        D::DeniedStateSecret => "经审查，您申请公开的政府信息属于国家秘密，本机关决定不予公开。",
        D::DeniedProhibitedByLaw => {
            "经审查，您申请公开的政府信息属于法律、行政法规禁止公开的政府信息，本机关决定不予公开。"
        }
        D::DeniedSecurityStability => {
            "经审查，您申请公开的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，本机关决定不予公开。"
        }
        D::DeniedThirdPartyRights => {
            "经审查，您申请公开的政府信息涉及第三方合法权益，公开会对第三方合法权益造成损害，本机关决定不予公开。"
        }
        D::DeniedInternalAffairs => {
            "经审查，您申请公开的政府信息属于人事管理、后勤管理、内部工作流程等方面的内部事务信息，本机关决定不予公开。"
        }
        D::DeniedProcessInformation => {
            "经审查，您申请公开的政府信息属于本机关在履行行政管理职能过程中形成的过程性信息，本机关决定不予公开。"
        }
        D::DeniedEnforcementFiles => {
            "经审查，您申请公开的政府信息属于行政执法案卷信息，本机关决定不予公开。"
        }
        D::DeniedAdministrativeQuery => {
            "您申请获取的信息属于有关法律、行政法规对信息的获取有特别规定的信息，请依照有关法律、行政法规的规定办理。"
        }
        D::UnableNotHeld => "经检索，本机关没有您申请公开的政府信息，无法提供。",
        D::UnableNeedsCreation => {
            "您申请公开的信息需要本机关对现有政府信息进行加工、分析，本机关不予提供。"
        }
        D::UnableStillUnclear => "您提交的补正申请内容仍不明确，本机关无法提供。",
        D::NotProcessedPetition => {
            "您以政府信息公开申请的形式进行信访、投诉、举报等活动，本机关不作为政府信息公开申请处理。"
        }
        D::NotProcessedRepeated => {
            "本机关已就您提出的政府信息公开申请作出答复，您重复申请公开相同政府信息，本机关不予重复处理。"
        }
        D::NotProcessedPublication => {
            "您要求本机关提供政府公报、报刊、书籍等公开出版物，本机关不作为政府信息公开申请处理。"
        }
        D::NotProcessedExcessive => {
            "您申请公开政府信息的数量、频次明显超过合理范围，经要求说明理由，本机关认为理由不合理，决定不予处理。"
        }
        D::NotProcessedConfirmation => {
            "您要求本机关确认或者重新出具您已获取的信息，不属于政府信息公开申请，本机关不予处理。"
        }
        D::OtherOverdueCorrection => {
            "您无正当理由逾期未补正，视为放弃申请，本机关不再处理该政府信息公开申请。"
        }
        D::OtherOverdueFee => {
            "您逾期未按收费通知要求缴纳信息处理费，视为放弃申请，本机关不再处理该政府信息公开申请。"
        }
        D::OtherOther => "本机关对您的申请作出如下处理：",
    }
}

fn opening(case: &Case, request: &Request) -> Option<String> {
    opening_with(case, request, true)
}

fn opening_with(case: &Case, request: &Request, with_correction: bool) -> Option<String> {
    let receipt = case.receipt_date?;
    let mut s = format!("本机关于{}收到您提出的政府信息公开申请", cn(receipt));
    if let Some(c) = case
        .correction
        .as_ref()
        .and_then(|c| c.received_on)
        .filter(|_| with_correction)
    {
        let _ = write!(s, "，并于{}收到您的补正申请", cn(c));
    }
    let _ = write!(s, "，申请公开“{}”。", request_text(request));
    Some(s)
}

fn request_text(r: &Request) -> String {
    let mut parts = Vec::new();
    if !r.info_title.is_empty() {
        parts.push(r.info_title.clone());
    }
    if !r.doc_number.is_empty() {
        parts.push(format!("文号：{}", r.doc_number));
    }
    if !r.description.is_empty() {
        parts.push(r.description.clone());
    }
    parts.join("；")
}

/// The final letter of a decided (or on-the-spot / abandoned) case. Refused when an element
/// the spec requires (§8.1: applicant, date of receipt, decision, legal basis, remedies, agency)
/// is missing.
pub fn letter_for(
    case: &Case,
    applicant: &Applicant,
    request: &Request,
    s: &LetterSettings,
    preliminary: &[Disposition],
) -> Result<Letter, Refusal> {
    let missing = |what: &str| Refusal(format!("答复书缺少{what}，不能生成"));
    let frozen = case.decision.as_ref().and_then(|d| d.letters.clone());
    let s = frozen.as_ref().unwrap_or(s);
    let (disposition, basis, reasons, provided, withheld, letter_no, date) =
        match (&case.decision, case.disposition) {
            (Some(d), _) => (
                d.disposition,
                d.basis.clone(),
                d.reasons.clone(),
                d.provided.clone(),
                d.withheld.clone(),
                d.letter_no.clone().unwrap_or_default(),
                d.issued_on,
            ),
            (None, Some(disp)) => (
                disp,
                disp.usual_basis().to_owned(),
                case.withdrawal_reason.clone(),
                String::new(),
                Vec::new(),
                String::new(),
                case.closed_on,
            ),
            (None, None) => return Err(Refusal("本申请尚未作出答复".into())),
        };
    if applicant.name.trim().is_empty() {
        return Err(missing("申请人姓名或名称"));
    }
    let opening = opening(case, request).ok_or_else(|| missing("收到申请之日"))?;
    if basis.trim().is_empty() {
        return Err(missing("法律依据"));
    }
    if s.agency_name.trim().is_empty() {
        return Err(missing("机关名称"));
    }
    if s.review_body.trim().is_empty() || s.court.trim().is_empty() {
        return Err(Refusal(
            "请先在“依申请公开设置”中填写复议机关和人民法院，答复书须告知救济途径".into(),
        ));
    }
    let date = date.ok_or_else(|| Refusal("答复尚未签发，签发后才有落款日期".into()))?;
    let mut paragraphs = vec![opening, decision_sentence(disposition).to_owned()];
    if !provided.trim().is_empty() {
        paragraphs.push(provided.trim().to_owned());
    }
    if !reasons.trim().is_empty() {
        paragraphs.push(format!("理由：{}", reasons.trim()));
    }
    paragraphs.push(format!("依据：{}。", basis.trim().trim_end_matches('。')));
    let abandoned = matches!(
        disposition,
        Disposition::OtherOverdueCorrection | Disposition::OtherOverdueFee
    );
    let title = if disposition.id().starts_with("not_processed") || abandoned {
        "政府信息公开申请告知书"
    } else {
        "政府信息公开申请答复书"
    };
    Ok(Letter {
        kind: "reply",
        title: title.to_owned(),
        letter_no,
        addressee: applicant.name.clone(),
        paragraphs,
        withheld,
        remedies: match case.decision.as_ref().and_then(|d| d.preliminary_review) {
            Some(true) => remedies_notice(
                Disposition::DeniedStateSecret,
                date,
                &[Disposition::DeniedStateSecret],
                s,
            ),
            Some(false) => remedies_notice(Disposition::Granted, date, &[], s),
            None => remedies_notice(disposition, date, preliminary, s),
        },
        agency: s.agency_name.clone(),
        date,
        contact: s.contact.clone(),
    })
}

fn notice(
    kind: &'static str,
    title: &str,
    applicant: &Applicant,
    paragraphs: Vec<String>,
    s: &LetterSettings,
    date: NaiveDate,
) -> Letter {
    Letter {
        kind,
        title: title.to_owned(),
        letter_no: String::new(),
        addressee: applicant.name.clone(),
        paragraphs,
        withheld: Vec::new(),
        remedies: String::new(),
        agency: s.agency_name.clone(),
        date,
        contact: s.contact.clone(),
    }
}

/// 补正通知书 (§8.3): items, period, consequence.
pub fn correction_notice(
    case: &Case,
    applicant: &Applicant,
    request: &Request,
    s: &LetterSettings,
) -> Option<Letter> {
    let c = case.correction.as_ref()?;
    let mut p = vec![opening_with(case, request, false)?];
    p.push(format!(
        "经审查，您的申请内容不明确。根据《中华人民共和国政府信息公开条例》第三十条的规定，请您对以下事项作出补正：{}",
        c.items
    ));
    if !c.guidance.is_empty() {
        p.push(format!("补正指导：{}", c.guidance));
    }
    p.push(format!(
        "请于{}前（自收到本通知次日起 {} 个工作日内）向本机关提交补正后的申请。答复期限自本机关收到补正的申请之日起计算。无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        cn(c.due),
        c.period_wd
    ));
    Some(notice(
        "correction",
        "政府信息公开申请补正通知书",
        applicant,
        p,
        s,
        c.notice_on,
    ))
}

/// 延期答复告知书 (§8.3): the new deadline.
pub fn extension_notice(
    case: &Case,
    applicant: &Applicant,
    request: &Request,
    s: &LetterSettings,
    fallback_due: Option<NaiveDate>,
) -> Option<Letter> {
    let e = case.extensions.last()?;
    // Extensions recorded before the deadline was kept with them fall back to the current one.
    let new_due = e.due_after.or(fallback_due)?;
    let mut p = vec![
        opening(case, request)?,
        format!(
            "因{}，本机关无法在规定期限内答复。经本机关政府信息公开工作机构负责人同意，根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，答复期限延长 {} 个工作日，本机关将于{}前作出答复。",
            e.reason.trim_end_matches('。'),
            e.wd,
            cn(new_due)
        ),
    ];
    if e.provisional {
        p.push("上述期限按尚未公布的次年节假日安排暂定计算；国务院办公厅公布节假日安排后如有变化，本机关将另行告知。".into());
    }
    Some(notice(
        "extension",
        "政府信息公开申请延期答复告知书",
        applicant,
        p,
        s,
        e.on,
    ))
}

/// 收费通知 (§7.4, §8.3): basis, standard, amount, how to pay, deadline, consequence.
pub fn fee_notice(
    case: &Case,
    applicant: &Applicant,
    request: &Request,
    s: &LetterSettings,
) -> Option<Letter> {
    let f = case.fee.as_ref()?;
    let standard = match f.method {
        super::state::FeeMethod::PerItem => format!(
            "按件计收：同一申请人一个自然月内累计申请10件以下（含10件）的不收费，11—30件（含30件）的部分100元/件，31件以上的部分以10件为一档、每增加一档收费标准提高100元/件；本申请为您本月第 {} 件",
            f.units
        ),
        super::state::FeeMethod::PerPage => format!(
            "按量计收：30页以下（含30页）的不收费，31—100页（含100页）的部分10元/页，101—200页（含200页）的部分20元/页，201页以上的部分40元/页；本申请共 {} 页",
            f.units
        ),
    };
    let p = vec![
        opening(case, request)?,
        format!(
            "您申请公开政府信息的数量、频次明显超过合理范围，根据《中华人民共和国政府信息公开条例》第四十二条和《政府信息公开信息处理费管理办法》的规定，本机关决定收取信息处理费。收费标准：{}。应缴金额：人民币{}元。",
            standard, f.amount_yuan
        ),
        format!(
            "缴纳方式：{}。请于{}前（自收到本通知次日起 20 个工作日内）缴纳，缴纳后本机关出具财政票据。逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。",
            if s.payment.trim().is_empty() {
                "请持本通知到本机关政府信息公开工作机构办理缴费手续".to_owned()
            } else {
                s.payment.trim().trim_end_matches('。').to_owned()
            },
            cn(f.payment_due)
        ),
    ];
    Some(notice(
        "fee",
        "政府信息公开信息处理费收费通知",
        applicant,
        p,
        s,
        f.notice_on,
    ))
}

/// 延迟答复告知书 (Art. 35, §5.3): the reasonable later date.
pub fn delay_notice(
    case: &Case,
    applicant: &Applicant,
    request: &Request,
    s: &LetterSettings,
) -> Option<Letter> {
    let until = case.delay_until?;
    let e = case.explanation.as_ref()?;
    let p = vec![
        opening(case, request)?,
        format!(
            "您申请公开政府信息的数量、频次明显超过合理范围。本机关已要求您说明理由，经审查，您说明的理由合理，但本机关无法在《中华人民共和国政府信息公开条例》第三十三条规定的期限内答复。根据该条例第三十五条的规定，本机关将于{}前作出答复。{}",
            cn(until),
            if case.delay_reason.is_empty() {
                String::new()
            } else {
                format!("延迟理由：{}。", case.delay_reason.trim_end_matches('。'))
            }
        ),
    ];
    Some(notice(
        "delay",
        "政府信息公开申请延迟答复告知书",
        applicant,
        p,
        s,
        e.received_on.unwrap_or(until),
    ))
}

/// 说明理由通知 (Art. 35, §8.3).
pub fn explanation_notice(
    case: &Case,
    applicant: &Applicant,
    request: &Request,
    s: &LetterSettings,
) -> Option<Letter> {
    let e = case.explanation.as_ref()?;
    let p = vec![
        opening(case, request)?,
        "经审查，您申请公开政府信息的数量、频次明显超过合理范围。根据《中华人民共和国政府信息公开条例》第三十五条的规定，请您说明申请理由。本机关认为申请理由不合理的，将告知您不予处理；认为申请理由合理，但是无法在规定期限内答复的，将确定延迟答复的合理期限并告知您。".to_owned(),
    ];
    Some(notice(
        "explanation",
        "政府信息公开申请说明理由通知书",
        applicant,
        p,
        s,
        e.requested_on,
    ))
}

/// 征求意见书 to a third party or another agency (Art. 32, 34; §6, §8.3).
pub fn consultation_letter(
    case: &Case,
    request: &Request,
    s: &LetterSettings,
    index: usize,
) -> Option<Letter> {
    let c = case.consultations.get(index)?;
    let receipt = case.receipt_date?;
    let mut p = vec![format!(
        "本机关于{}收到一件政府信息公开申请，申请公开“{}”。",
        cn(receipt),
        request_text(request)
    )];
    match c.kind {
        super::state::ConsultationKind::ThirdParty => p.push(
            "该信息的公开可能损害贵方的合法权益。根据《中华人民共和国政府信息公开条例》第三十二条的规定，现书面征求贵方意见。请自收到本征求意见书之日起 15 个工作日内提出意见；不同意公开的，请说明理由。逾期未提出意见的，由本机关依照条例的规定决定是否公开。".into(),
        ),
        super::state::ConsultationKind::Agency => p.push(
            "该信息涉及贵机关。根据《中华人民共和国政府信息公开条例》第十一条、第三十三条第三款、第三十四条的规定，现征求贵机关意见，请自收到本函之日起 15 个工作日内提出意见。由两个以上行政机关共同制作的政府信息，逾期未提出意见的视为同意公开。".into(),
        ),
    }
    Some(Letter {
        kind: "consultation",
        title: match c.kind {
            super::state::ConsultationKind::ThirdParty => "政府信息公开第三方意见征求书".into(),
            super::state::ConsultationKind::Agency => "政府信息公开征求意见函".into(),
        },
        letter_no: String::new(),
        addressee: c.party.clone(),
        paragraphs: p,
        withheld: Vec::new(),
        remedies: String::new(),
        agency: s.agency_name.clone(),
        date: c.dispatched_on,
        contact: s.contact.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::{ApplicantKind, Channel, Decision};

    fn settings() -> LetterSettings {
        LetterSettings {
            agency_name: "某市应急管理局".into(),
            review_body: "某市人民政府".into(),
            court: "某市某区人民法院".into(),
            contact: "公开办 0000-12345678".into(),
            address: String::new(),
            payment: String::new(),
        }
    }

    #[test]
    fn refusals_from_2024_carry_the_preliminary_review_notice() {
        let pre = default_preliminary();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let t = remedies_notice(
            Disposition::DeniedStateSecret,
            d("2024-01-01"),
            &pre,
            &settings(),
        );
        assert!(t.contains("应当先申请行政复议") && t.contains("某市人民政府"));
        let t = remedies_notice(
            Disposition::DeniedStateSecret,
            d("2023-12-31"),
            &pre,
            &settings(),
        );
        assert!(t.contains("六个月内向某市某区人民法院"));
        let t = remedies_notice(Disposition::Granted, d("2025-01-01"), &pre, &settings());
        assert!(!t.contains("应当先"));
        assert!(!pre.contains(&Disposition::DeniedAdministrativeQuery));
    }

    #[test]
    fn a_letter_has_every_required_element() {
        let on: NaiveDate = "2026-03-02".parse().unwrap();
        let mut case = Case::registered(Channel::InPerson, on, on);
        case.decision = Some(Decision {
            disposition: Disposition::PartiallyGranted,
            basis: Disposition::PartiallyGranted.usual_basis().into(),
            reasons: "名单中的身份证号码属于个人隐私".into(),
            provided: "随本答复书提供名单（已删除身份证号码）".into(),
            withheld: vec![Withheld {
                what: "身份证号码".into(),
                reason: "个人隐私".into(),
                basis: "条例第十五条".into(),
            }],
            letter_no: Some("应急公开〔2026〕3号".into()),
            issued_on: Some(on),
            on_spot: false,
            letters: None,
            preliminary_review: None,
        });
        let a = Applicant {
            kind: Some(ApplicantKind::NaturalPerson),
            name: "张三".into(),
            ..Applicant::default()
        };
        let r = Request {
            info_title: "2025年救灾物资发放名单".into(),
            ..Request::default()
        };
        let l = letter_for(&case, &a, &r, &settings(), &default_preliminary()).unwrap();
        assert_eq!(l.title, "政府信息公开申请答复书");
        assert!(l.paragraphs[0].contains("2026年3月2日") && l.paragraphs[0].contains("救灾物资"));
        assert!(l.remedies.contains("应当先申请行政复议"));
        assert_eq!(l.withheld.len(), 1);
        let mut bare = settings();
        bare.review_body.clear();
        assert!(letter_for(&case, &a, &r, &bare, &[]).is_err());
        let nameless = Applicant::default();
        assert!(
            letter_for(&case, &nameless, &r, &settings(), &[])
                .unwrap_err()
                .0
                .contains("申请人")
        );
    }
}
