//! Findings, rule ids and `checks_not_run` (spec §3.5, §3.6, §4.8).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Every rule id, in the order findings are sorted (spec §3.5).
pub const RULE_ORDER: [&str; 40] = [
    "H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8",
    "S9", "S10", "S11", "S12", "S13", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10",
    "F11", "F12", "F13", "F14", "P1", "P2", "N1", "N2", "N3",
];

/// A stable rule id such as `H3`; ordered as in spec §4.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rule(u8);

impl Rule {
    /// The rule with this id, if it exists.
    pub fn parse(id: &str) -> Option<Rule> {
        RULE_ORDER
            .iter()
            .position(|r| *r == id)
            .map(|i| Rule(i as u8))
    }

    /// The rule with this id; panics on an id not in [`RULE_ORDER`] (programmer error).
    pub fn id(id: &str) -> Rule {
        Rule::parse(id).unwrap_or_else(|| panic!("unknown rule id {id}"))
    }

    pub fn as_str(self) -> &'static str {
        RULE_ORDER[self.0 as usize]
    }

    /// Rules produced only by the parser (reading a published report); the validator keeps them.
    pub fn is_parser_rule(self) -> bool {
        matches!(
            self.as_str(),
            "F4" | "F5" | "F6" | "F7" | "F8" | "F9" | "F10" | "F12" | "F13" | "F14"
        )
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Rule, D::Error> {
        let s = String::deserialize(d)?;
        Rule::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown rule id “{s}”; allowed: H1–H8, S1–S13, F1–F14, P1–P2, N1–N3"
            ))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

/// A cell whose correction alone would clear every failed arithmetic instance (spec §4.2.9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suspect {
    pub cell: String,
    #[serde(with = "crate::decimal::option")]
    pub suggested: Option<Decimal>,
}

/// Position in the input (spec §3.5 `at`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub col: Option<u32>,
    /// Section id, for narrative rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Character offset inside the section text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
}

/// The other year's cells a cross-year finding compared against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Previous {
    pub year: i32,
    pub cells: Vec<String>,
    #[serde(with = "crate::decimal::list")]
    pub values: Vec<Option<Decimal>>,
}

/// One failed instance of one rule (spec §3.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub message_zh: String,
    pub message_en: String,
    #[serde(default)]
    pub cells: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::decimal::option"
    )]
    pub lhs: Option<Decimal>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::decimal::option"
    )]
    pub rhs: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspects: Vec<Suspect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Previous>,
}

impl Finding {
    /// A finding with no cells or extras; add them with the builder methods.
    pub fn new(
        rule: &str,
        severity: Severity,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Finding {
            rule: Rule::id(rule),
            severity,
            message_zh: zh.into(),
            message_en: en.into(),
            cells: Vec::new(),
            lhs: None,
            rhs: None,
            suspects: Vec::new(),
            printed: None,
            canonical: None,
            raw: None,
            at: None,
            previous: None,
        }
    }

    #[must_use]
    pub fn cells(mut self, cells: Vec<String>) -> Self {
        self.cells = cells;
        self
    }

    #[must_use]
    pub fn sides(mut self, lhs: Decimal, rhs: Decimal) -> Self {
        self.lhs = Some(lhs);
        self.rhs = Some(rhs);
        self
    }

    #[must_use]
    pub fn printed(mut self, printed: impl Into<String>, canonical: impl Into<String>) -> Self {
        self.printed = Some(printed.into());
        self.canonical = Some(canonical.into());
        self
    }

    #[must_use]
    pub fn raw(mut self, raw: impl Into<String>) -> Self {
        self.raw = Some(raw.into());
        self
    }

    #[must_use]
    pub fn at(mut self, at: Location) -> Self {
        self.at = Some(at);
        self
    }
}

/// Why a rule that applies could not be evaluated (spec §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotRunReason {
    NoPreviousReport,
    FormatBoundary,
    PublicationDateUnknown,
    AgencyKindUnknown,
    NoCaseRecords,
    NoComparisonTexts,
    NoConstituents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotRun {
    pub rule: Rule,
    pub reason: NotRunReason,
}

/// Sorts findings by rule order, keeping instance order within a rule (spec §3.5).
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by_key(|f| f.rule);
}
