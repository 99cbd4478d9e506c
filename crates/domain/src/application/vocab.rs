//! The words of an application: applicant types, channels, forms, states and dispositions, each
//! with its stable id (stored) and its label (shown, verbatim from the spec where it has one).

use serde::{Deserialize, Serialize};

/// Declares an enum whose variants carry a stable id and a Chinese label, with `ALL`, `id()`,
/// `label()` and `parse()`.
macro_rules! labelled {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = ($id:literal, $label:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The stable id (database, forms, JSON).
            pub const fn id(self) -> &'static str {
                match self { $($name::$v => $id),+ }
            }

            /// What people see.
            pub const fn label(self) -> &'static str {
                match self { $($name::$v => $label),+ }
            }

            /// The variant with this id.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.id() == s)
            }

            /// "id（label）、…" for messages that list the accepted values.
            pub fn accepted() -> String {
                Self::ALL.iter().map(|v| v.label()).collect::<Vec<_>>().join("、")
            }
        }
    };
}
pub(crate) use labelled;

labelled! {
    /// 申请人类型 as asked on the form (§2.2).
    ApplicantKind {
        NaturalPerson = ("natural_person", "自然人"),
        Organisation = ("organisation", "法人或者其他组织"),
    }
}

labelled! {
    /// The six applicant columns of table 3 (§1.2), labels verbatim.
    ApplicantType {
        NaturalPerson = ("natural_person", "自然人"),
        CommercialEnterprise = ("commercial_enterprise", "商业企业"),
        ResearchInstitution = ("research_institution", "科研机构"),
        PublicInterestOrg = ("public_interest_org", "社会公益组织"),
        LegalServiceOrg = ("legal_service_org", "法律服务机构"),
        OtherOrg = ("other_org", "其他"),
    }
}

impl ApplicantType {
    /// The column id of table 3 in the annual-report model (`annual-report.md` names the
    /// 社会公益组织 column `public_welfare_org`).
    pub const fn report_column(self) -> &'static str {
        match self {
            ApplicantType::PublicInterestOrg => "public_welfare_org",
            other => other.id(),
        }
    }

    pub const ORGANISATIONS: [ApplicantType; 5] = [
        ApplicantType::CommercialEnterprise,
        ApplicantType::ResearchInstitution,
        ApplicantType::PublicInterestOrg,
        ApplicantType::LegalServiceOrg,
        ApplicantType::OtherOrg,
    ];
}

labelled! {
    /// 证件类型 (§2.2). Organisations identify with the 统一社会信用代码.
    IdType {
        ResidentId = ("resident_id", "居民身份证"),
        Passport = ("passport", "护照"),
        HongKongMacao = ("hk_macao_permit", "港澳居民来往内地通行证"),
        Taiwan = ("taiwan_permit", "台湾居民来往大陆通行证"),
        Other = ("other", "其他"),
        Uscc = ("uscc", "统一社会信用代码"),
    }
}

labelled! {
    /// How the application arrived (§3); each has its date-of-receipt rule.
    Channel {
        InPerson = ("in_person", "当面提交"),
        PostSigned = ("post_signed", "邮寄（签收）"),
        PostOrdinary = ("post_ordinary", "平常信函"),
        Online = ("online", "网上申请"),
        Email = ("email", "电子邮件"),
        Fax = ("fax", "传真"),
    }
}

impl Channel {
    /// Whether the date of receipt is fixed when the application is handed in or signed for
    /// (Art. 31(一)(二)): registration is direct. Otherwise it is the day the office confirms
    /// receipt with the applicant.
    pub const fn receipt_on_arrival(self) -> bool {
        matches!(self, Channel::InPerson | Channel::PostSigned)
    }

    /// The rule shown to the registrar.
    pub const fn receipt_rule(self) -> &'static str {
        match self {
            Channel::InPerson => "以提交之日为收到申请之日（条例第三十一条第（一）项）",
            Channel::PostSigned => "以本机关签收之日为收到申请之日（条例第三十一条第（二）项）",
            Channel::PostOrdinary => {
                "平常信函须于收到当日与申请人确认，确认之日为收到申请之日（条例第三十一条第（二）项）"
            }
            Channel::Online | Channel::Email | Channel::Fax => {
                "以双方确认之日为收到申请之日（条例第三十一条第（三）项）"
            }
        }
    }
}

labelled! {
    /// 信息载体 (§2.2).
    Medium {
        Paper = ("paper", "纸质"),
        Electronic = ("electronic", "电子文档"),
        Disc = ("disc", "光盘"),
        Other = ("other", "其他"),
    }
}

labelled! {
    /// 获取方式 (§2.2).
    RequestDelivery {
        Post = ("post", "邮寄"),
        Email = ("email", "电子邮件"),
        Download = ("download", "在线下载"),
        Pickup = ("pickup", "自行领取"),
        OnSite = ("on_site", "当场阅读、抄录"),
        Fax = ("fax", "传真"),
    }
}

labelled! {
    /// The case states of §12.2, labels verbatim.
    State {
        Submitted = ("submitted", "已提交待确认"),
        Registered = ("registered", "已登记"),
        AwaitingCorrection = ("awaiting_correction", "待补正"),
        InProgress = ("in_progress", "办理中"),
        Consulting = ("consulting", "征求意见中"),
        AwaitingExplanation = ("awaiting_explanation", "待说明理由"),
        AwaitingPayment = ("awaiting_payment", "待缴费"),
        UnderReview = ("under_review", "审核签发中"),
        Decided = ("decided", "已作出答复待送达"),
        Closed = ("closed", "已办结"),
        Archived = ("archived", "已归档"),
    }
}

impl State {
    /// Open cases count for deadlines, dashboards and year-end carry-over.
    pub const fn is_open(self) -> bool {
        !matches!(self, State::Closed | State::Archived)
    }

    /// The states a case can be in once its date of receipt is fixed and before it closes.
    pub const fn has_receipt(self) -> bool {
        !matches!(self, State::Submitted)
    }
}

labelled! {
    /// The 21 dispositions of §9; ids are the table-3 row ids of the annual-report model, labels
    /// are the 2021 row labels verbatim.
    Disposition {
        Granted = ("granted", "（一）予以公开"),
        PartiallyGranted = ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        DeniedStateSecret = ("denied_state_secret", "1.属于国家秘密"),
        DeniedProhibitedByLaw = ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开"),
        DeniedSecurityStability = ("denied_security_stability", "3.危及“三安全一稳定”"),
        DeniedThirdPartyRights = ("denied_third_party_rights", "4.保护第三方合法权益"),
        DeniedInternalAffairs = ("denied_internal_affairs", "5.属于三类内部事务信息"),
        DeniedProcessInformation = ("denied_process_information", "6.属于四类过程性信息"),
        DeniedEnforcementFiles = ("denied_enforcement_files", "7.属于行政执法案卷"),
        DeniedAdministrativeQuery = ("denied_administrative_query", "8.属于行政查询事项"),
        UnableNotHeld = ("unable_not_held", "1.本机关不掌握相关政府信息"),
        UnableNeedsCreation = ("unable_needs_creation", "2.没有现成信息需要另行制作"),
        UnableStillUnclear = ("unable_still_unclear", "3.补正后申请内容仍不明确"),
        NotProcessedPetition = ("not_processed_petition", "1.信访举报投诉类申请"),
        NotProcessedRepeated = ("not_processed_repeated", "2.重复申请"),
        NotProcessedPublication = ("not_processed_publication", "3.要求提供公开出版物"),
        NotProcessedExcessive = ("not_processed_excessive", "4.无正当理由大量反复申请"),
        NotProcessedConfirmation = ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
        OtherOverdueCorrection = ("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        OtherOverdueFee = ("other_overdue_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        OtherOther = ("other_other", "3.其他"),
    }
}

impl Disposition {
    /// The group heading of the row in table 3 (none for （一） and （二）).
    pub const fn group(self) -> Option<&'static str> {
        use Disposition as D;
        match self {
            D::Granted | D::PartiallyGranted => None,
            D::DeniedStateSecret
            | D::DeniedProhibitedByLaw
            | D::DeniedSecurityStability
            | D::DeniedThirdPartyRights
            | D::DeniedInternalAffairs
            | D::DeniedProcessInformation
            | D::DeniedEnforcementFiles
            | D::DeniedAdministrativeQuery => Some("（三）不予公开"),
            D::UnableNotHeld | D::UnableNeedsCreation | D::UnableStillUnclear => {
                Some("（四）无法提供")
            }
            D::NotProcessedPetition
            | D::NotProcessedRepeated
            | D::NotProcessedPublication
            | D::NotProcessedExcessive
            | D::NotProcessedConfirmation => Some("（五）不予处理"),
            D::OtherOverdueCorrection | D::OtherOverdueFee | D::OtherOther => {
                Some("（六）其他处理")
            }
        }
    }

    /// "（三）不予公开 · 1.属于国家秘密" — the label with its group, for lists and letters.
    pub fn full_label(self) -> String {
        match self.group() {
            Some(g) => format!("{g} · {}", self.label()),
            None => self.label().to_owned(),
        }
    }

    /// Plain words for the applicant (status page): “部分公开”, “不予公开（属于国家秘密）”.
    pub fn public_label(self) -> String {
        // "（二）部分公开（区分处理的…）" → "部分公开"; "1.属于国家秘密" → "属于国家秘密".
        fn plain(label: &str) -> &str {
            let rest = if label.starts_with('（') {
                label.split_once('）').map_or(label, |(_, r)| r)
            } else {
                label.split_once('.').map_or(label, |(_, r)| r)
            };
            rest.split('（').next().unwrap_or(rest)
        }
        match self.group() {
            Some(g) => format!("{}（{}）", plain(g), plain(self.label())),
            None => plain(self.label()).to_owned(),
        }
    }

    /// The table-3 row id in the 2019 format, where （六）其他处理 is one row (§9 rule 5).
    pub const fn row_2019(self) -> &'static str {
        match self {
            Disposition::OtherOverdueCorrection
            | Disposition::OtherOverdueFee
            | Disposition::OtherOther => "other",
            d => d.id(),
        }
    }

    /// A refusal in the sense of §3 (`denied_*`).
    pub const fn is_denial(self) -> bool {
        matches!(
            self,
            Disposition::DeniedStateSecret
                | Disposition::DeniedProhibitedByLaw
                | Disposition::DeniedSecurityStability
                | Disposition::DeniedThirdPartyRights
                | Disposition::DeniedInternalAffairs
                | Disposition::DeniedProcessInformation
                | Disposition::DeniedEnforcementFiles
                | Disposition::DeniedAdministrativeQuery
        )
    }

    /// Whether the letter must give reasons (Art. 36(三)(五), Art. 37, Art. 38, Art. 39, Art. 35).
    pub const fn needs_reasons(self) -> bool {
        !matches!(self, Disposition::Granted)
    }

    /// Whether an officer may choose it in a decision (the abandonment rows are set by the
    /// lapse and withdrawal events).
    pub const fn decidable(self) -> bool {
        !matches!(
            self,
            Disposition::OtherOverdueCorrection | Disposition::OtherOverdueFee
        )
    }

    /// The usual legal basis (§8.2, §9), offered as the default text of the decision form.
    pub const fn usual_basis(self) -> &'static str {
        use Disposition as D;
        match self {
            D::Granted => "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
            D::PartiallyGranted => "《中华人民共和国政府信息公开条例》第三十七条",
            D::DeniedStateSecret | D::DeniedProhibitedByLaw | D::DeniedSecurityStability => {
                "《中华人民共和国政府信息公开条例》第三十六条第（三）项、第十四条"
            }
            D::DeniedThirdPartyRights => {
                "《中华人民共和国政府信息公开条例》第三十六条第（三）项、第十五条、第三十二条"
            }
            D::DeniedInternalAffairs | D::DeniedProcessInformation | D::DeniedEnforcementFiles => {
                "《中华人民共和国政府信息公开条例》第三十六条第（三）项、第十六条"
            }
            D::DeniedAdministrativeQuery => {
                "《中华人民共和国政府信息公开条例》第三十六条第（七）项"
            }
            D::UnableNotHeld => "《中华人民共和国政府信息公开条例》第三十六条第（四）项",
            D::UnableNeedsCreation => "《中华人民共和国政府信息公开条例》第三十八条",
            D::UnableStillUnclear | D::OtherOverdueCorrection => {
                "《中华人民共和国政府信息公开条例》第三十条"
            }
            D::NotProcessedPetition => "《中华人民共和国政府信息公开条例》第三十九条第一款",
            D::NotProcessedRepeated => "《中华人民共和国政府信息公开条例》第三十六条第（六）项",
            D::NotProcessedPublication => "《中华人民共和国政府信息公开条例》第三十九条第二款",
            D::NotProcessedExcessive => "《中华人民共和国政府信息公开条例》第三十五条",
            D::OtherOverdueFee => "《政府信息公开信息处理费管理办法》",
            D::NotProcessedConfirmation | D::OtherOther => "",
        }
    }
}

/// One problem with a submitted field: the field id and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

fn problem(out: &mut Vec<FieldProblem>, field: &'static str, message: impl Into<String>) {
    out.push(FieldProblem {
        field,
        message: message.into(),
    });
}

/// The applicant as named on the application (personal data: shown only to the disclosure
/// office and the handler, masked elsewhere, never public).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Applicant {
    pub kind: Option<ApplicantKind>,
    pub applicant_type: Option<ApplicantType>,
    /// 姓名 (natural person) or 名称 (organisation).
    pub name: String,
    pub id_type: Option<IdType>,
    /// 证件号码 or 统一社会信用代码.
    pub id_number: String,
    pub employer: String,
    pub legal_rep: String,
    /// 联系人姓名 (organisations).
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub postal_address: String,
    pub postcode: String,
}

/// What is asked for (§2.2 所需信息, 形式要求, 其他).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Request {
    pub info_title: String,
    pub doc_number: String,
    pub index_no: String,
    pub description: String,
    pub medium: Option<Medium>,
    pub delivery: Option<RequestDelivery>,
    pub accept_alternative: bool,
    pub purpose: String,
    pub needs_assistance: bool,
    pub fee_waiver_requested: bool,
}

/// ISO 7064 MOD 11-2 check of an 18-character 居民身份证号码 (GB 11643), with the check
/// character of the personal-data scan.
pub fn resident_id_ok(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let digits: Vec<u32> = b[..17].iter().map(|d| u32::from(d - b'0')).collect();
    crate::pii::id_check_char(&digits) == char::from(b[17].to_ascii_uppercase())
}

/// GB 32100-2015 check of an 18-character 统一社会信用代码.
pub fn uscc_ok(s: &str) -> bool {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let chars: Vec<char> = s.chars().map(|c| c.to_ascii_uppercase()).collect();
    if chars.len() != 18 {
        return false;
    }
    let mut vals = Vec::with_capacity(18);
    for c in &chars {
        match CHARS.find(*c) {
            Some(i) => vals.push(i as u32),
            None => return false,
        }
    }
    let sum: u32 = vals[..17].iter().zip(W).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    vals[17] == check
}

fn phone_ok(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    s.chars().count() <= 30
        && (7..=20).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '(' | ')' | '转'))
}

fn email_ok(s: &str) -> bool {
    let Some((user, host)) = s.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !s.chars().any(char::is_whitespace)
        && s.len() <= 254
}

/// Trims and removes control characters other than line breaks and tabs (they break the Word
/// letters and have no place in a form).
pub fn clean(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

const MAX_SHORT: usize = 200;
const MAX_LONG: usize = 5_000;

fn too_long(out: &mut Vec<FieldProblem>, field: &'static str, v: &str, max: usize) {
    if v.chars().count() > max {
        problem(out, field, format!("不能超过 {max} 个字"));
    }
}

impl Applicant {
    /// Trims every field and upper-cases identifiers.
    #[must_use]
    pub fn normalised(mut self) -> Self {
        for f in [
            &mut self.name,
            &mut self.employer,
            &mut self.legal_rep,
            &mut self.contact_name,
            &mut self.phone,
            &mut self.email,
            &mut self.postal_address,
            &mut self.postcode,
        ] {
            *f = clean(f);
        }
        self.id_number = self
            .id_number
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if self.kind == Some(ApplicantKind::NaturalPerson) {
            self.applicant_type = Some(ApplicantType::NaturalPerson);
        }
        if self.kind == Some(ApplicantKind::Organisation) {
            self.id_type = Some(IdType::Uscc);
        }
        self
    }

    /// The Art. 29(一) checks of §2.2. `delivery` decides whether e-mail or address is required.
    /// `strict`: the online form requires everything; staff registering a paper application may
    /// leave gaps (which then call for 补正, §4) except the name.
    pub fn problems(&self, delivery: Option<RequestDelivery>, strict: bool) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let Some(kind) = self.kind else {
            problem(
                &mut out,
                "kind",
                "请选择申请人类型：自然人，或法人或者其他组织",
            );
            return out;
        };
        let org = kind == ApplicantKind::Organisation;
        if self.name.is_empty() {
            problem(
                &mut out,
                "name",
                if org {
                    "请填写单位名称"
                } else {
                    "请填写申请人姓名"
                },
            );
        }
        too_long(&mut out, "name", &self.name, MAX_SHORT);
        if org {
            match self.applicant_type {
                Some(t) if t != ApplicantType::NaturalPerson => {}
                _ => problem(
                    &mut out,
                    "applicant_type",
                    format!(
                        "请选择组织类别：{}",
                        ApplicantType::ORGANISATIONS
                            .iter()
                            .map(|t| t.label())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ),
            }
        }
        if !self.id_number.is_empty() || strict {
            match (org, self.id_type) {
                (true, _) => {
                    if !uscc_ok(&self.id_number) {
                        problem(
                            &mut out,
                            "id_number",
                            "统一社会信用代码应为 18 位（数字和大写字母，不含 I、O、Z、S、V），且校验位正确；请对照营业执照或登记证书填写",
                        );
                    }
                }
                (false, None | Some(IdType::Uscc)) => problem(
                    &mut out,
                    "id_type",
                    format!(
                        "请选择证件类型：{}",
                        IdType::ALL[..5]
                            .iter()
                            .map(|t| t.label())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ),
                (false, Some(IdType::ResidentId)) => {
                    if !resident_id_ok(&self.id_number) {
                        problem(
                            &mut out,
                            "id_number",
                            "居民身份证号码应为 18 位，最后一位可以是 X，且校验位正确；请核对后重新填写",
                        );
                    }
                }
                (false, Some(_)) => {
                    let n = self.id_number.chars().count();
                    if !(5..=30).contains(&n) {
                        problem(&mut out, "id_number", "请填写证件号码（5 至 30 个字符）");
                    }
                }
            }
        }
        if org && strict && self.contact_name.is_empty() {
            problem(&mut out, "contact_name", "请填写联系人姓名");
        }
        if self.phone.is_empty() {
            if strict {
                problem(
                    &mut out,
                    "phone",
                    "请填写联系电话，以便本机关与您确认申请、告知补正和答复",
                );
            }
        } else if !phone_ok(&self.phone) {
            problem(
                &mut out,
                "phone",
                "联系电话只能包含数字、空格、“-”“+”和括号，且有 7 至 20 位数字",
            );
        }
        if self.email.is_empty() {
            if delivery == Some(RequestDelivery::Email) {
                problem(&mut out, "email", "选择以电子邮件获取时，请填写电子邮箱");
            }
        } else if !email_ok(&self.email) {
            problem(
                &mut out,
                "email",
                "电子邮箱格式不正确，例如 zhangsan@example.com",
            );
        }
        if self.postal_address.is_empty() && delivery == Some(RequestDelivery::Post) {
            problem(
                &mut out,
                "postal_address",
                "选择以邮寄方式获取时，请填写通信地址",
            );
        }
        too_long(&mut out, "postal_address", &self.postal_address, MAX_SHORT);
        if !(self.postcode.is_empty()
            || self.postcode.len() == 6 && self.postcode.chars().all(|c| c.is_ascii_digit()))
        {
            problem(&mut out, "postcode", "邮政编码应为 6 位数字");
        }
        for (f, v) in [
            ("employer", &self.employer),
            ("legal_rep", &self.legal_rep),
            ("contact_name", &self.contact_name),
        ] {
            too_long(&mut out, f, v, MAX_SHORT);
        }
        out
    }

    /// A key that identifies "the same applicant" (§7.3): the 证件号码 or 统一社会信用代码.
    /// Without one there is no key: people who share a name are never merged (linking is a
    /// manual decision).
    pub fn identity_key(&self) -> Option<String> {
        (!self.id_number.is_empty()).then(|| format!("id:{}", self.id_number))
    }

    /// The name with all but the first character masked (张** / 某某公司 stays readable for
    /// organisations, which are not natural persons).
    pub fn masked_name(&self) -> String {
        if self.kind == Some(ApplicantKind::Organisation) {
            return self.name.clone();
        }
        let mut cs = self.name.chars();
        match cs.next() {
            Some(first) => format!("{first}{}", "*".repeat(cs.count().max(1))),
            None => String::new(),
        }
    }
}

impl Request {
    #[must_use]
    pub fn normalised(mut self) -> Self {
        for f in [
            &mut self.info_title,
            &mut self.doc_number,
            &mut self.index_no,
            &mut self.description,
            &mut self.purpose,
        ] {
            *f = clean(f);
        }
        self
    }

    /// Art. 29(二)(三): at least one of 名称, 文号, 内容描述, and the form requirements.
    /// `strict` as for [`Applicant::problems`].
    pub fn problems(&self, strict: bool) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        if self.info_title.is_empty() && self.doc_number.is_empty() && self.description.is_empty() {
            problem(
                &mut out,
                "description",
                "请至少填写所需信息的名称、文号或内容描述中的一项（条例第二十九条第（二）项）；尽量写明标题、发文字号、发布时间",
            );
        }
        too_long(&mut out, "info_title", &self.info_title, MAX_SHORT);
        too_long(&mut out, "doc_number", &self.doc_number, MAX_SHORT);
        too_long(&mut out, "index_no", &self.index_no, MAX_SHORT);
        too_long(&mut out, "description", &self.description, MAX_LONG);
        too_long(&mut out, "purpose", &self.purpose, MAX_LONG);
        if strict && self.medium.is_none() {
            problem(
                &mut out,
                "medium",
                format!("请选择信息载体：{}", Medium::accepted()),
            );
        }
        if strict && self.delivery.is_none() {
            problem(
                &mut out,
                "delivery",
                format!("请选择获取方式：{}", RequestDelivery::accepted()),
            );
        }
        out
    }

    /// A one-line summary for lists.
    pub fn summary(&self) -> String {
        let s = [&self.info_title, &self.doc_number, &self.description]
            .into_iter()
            .find(|s| !s.is_empty())
            .cloned()
            .unwrap_or_default();
        let mut out: String = s.chars().take(60).collect();
        if s.chars().count() > 60 {
            out.push('…');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_are_checksummed() {
        assert!(resident_id_ok("11010519491231002X"));
        assert!(!resident_id_ok("110105194912310029"));
        assert!(!resident_id_ok("1101051949123100"));
        assert!(uscc_ok("91350100M000100Y43"));
        assert!(!uscc_ok("91350100M000100Y44"));
        assert!(!uscc_ok("short"));
    }

    #[test]
    fn labels_match_table_3() {
        assert_eq!(Disposition::ALL.len(), 21);
        assert_eq!(
            Disposition::OtherOverdueCorrection.label(),
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
        );
        assert_eq!(Disposition::OtherOther.row_2019(), "other");
        assert_eq!(
            ApplicantType::PublicInterestOrg.report_column(),
            "public_welfare_org"
        );
    }

    #[test]
    fn the_form_says_what_is_missing() {
        let a = Applicant {
            kind: Some(ApplicantKind::NaturalPerson),
            ..Applicant::default()
        }
        .normalised();
        let fields: Vec<_> = a
            .problems(Some(RequestDelivery::Email), true)
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["name", "id_type", "phone", "email"]);
        let r = Request::default().problems(true);
        let fields: Vec<_> = r.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["description", "medium", "delivery"]);
    }

    #[test]
    fn plain_outcome_words_for_the_applicant() {
        assert_eq!(Disposition::PartiallyGranted.public_label(), "部分公开");
        assert_eq!(Disposition::Granted.public_label(), "予以公开");
        assert_eq!(
            Disposition::DeniedStateSecret.public_label(),
            "不予公开（属于国家秘密）"
        );
        assert_eq!(Disposition::OtherOther.public_label(), "其他处理（其他）");
        assert_eq!(clean(" a\u{1}b\r\nc "), "ab\nc");
    }

    #[test]
    fn names_are_masked() {
        let a = Applicant {
            kind: Some(ApplicantKind::NaturalPerson),
            name: "张三丰".into(),
            ..Applicant::default()
        };
        assert_eq!(a.masked_name(), "张**");
    }
}
