//! Reading and writing the `gongkai.annual-report/1` JSON document (spec §3).
//!
//! Reading is strict and two-step (spec §3.8): `format` first, then every table is read against
//! that format's definition. Every error names the JSON pointer of the offending field and says
//! what is allowed, in Chinese with an English gloss.

use std::fmt;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::decimal;
use crate::findings::{Finding, NotRun};
use crate::model::{
    Agency, AgencyKind, Compilation, ExtraSection, InputLayout, LocalEntry, MoneyUnit, Report,
    SCHEMA, Section, Sections, Tables,
};
use crate::schema::{self, CellType, Format, PROCUREMENT_UNIT_KEY, SectionId, TableId};

/// Why a JSON document is not a valid report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// JSON pointer of the offending field (`""` for the whole document).
    pub pointer: String,
    pub message_zh: String,
    pub message_en: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "文档".to_owned()
        } else {
            self.pointer.clone()
        };
        write!(f, "{at}：{}（{}）", self.message_zh, self.message_en)
    }
}

impl std::error::Error for LoadError {}

fn err(pointer: &str, zh: impl Into<String>, en: impl Into<String>) -> LoadError {
    LoadError {
        pointer: pointer.to_owned(),
        message_zh: zh.into(),
        message_en: en.into(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "布尔值 (boolean)",
        Value::Number(_) => "数字 (number)",
        Value::String(_) => "字符串 (string)",
        Value::Array(_) => "数组 (array)",
        Value::Object(_) => "对象 (object)",
    }
}

fn object<'a>(v: &'a Value, ptr: &str) -> Result<&'a Map<String, Value>, LoadError> {
    v.as_object().ok_or_else(|| {
        err(
            ptr,
            format!("应为对象，实际为{}", type_name(v)),
            "must be an object",
        )
    })
}

/// Rejects keys outside `allowed`.
fn only_keys(map: &Map<String, Value>, ptr: &str, allowed: &[&str]) -> Result<(), LoadError> {
    for k in map.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(err(
                &format!("{ptr}/{k}"),
                format!("不认识的字段“{k}”；允许的字段：{}", allowed.join("、")),
                format!("unknown field `{k}`; allowed: {}", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

fn opt_string(map: &Map<String, Value>, key: &str, ptr: &str) -> Result<Option<String>, LoadError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(err(
            &format!("{ptr}/{key}"),
            format!("应为字符串或 null，实际为{}", type_name(v)),
            "must be a string or null",
        )),
    }
}

fn opt_date(
    map: &Map<String, Value>,
    key: &str,
    ptr: &str,
) -> Result<Option<NaiveDate>, LoadError> {
    let p = format!("{ptr}/{key}");
    match opt_string(map, key, ptr)? {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                err(
                    &p,
                    format!("日期“{s}”无效，应写作 YYYY-MM-DD，例如 2021-01-29"),
                    format!("invalid date “{s}”; write YYYY-MM-DD, e.g. 2021-01-29"),
                )
            }),
    }
}

fn from_value<T: serde::de::DeserializeOwned>(v: &Value, ptr: &str) -> Result<T, LoadError> {
    T::deserialize(v).map_err(|e| {
        err(
            ptr,
            format!("内容不符合规范：{e}"),
            format!("does not match the schema: {e}"),
        )
    })
}

/// Parses a report document from JSON text.
pub fn from_str(text: &str) -> Result<Report, LoadError> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        err(
            "",
            format!("不是有效的 JSON（第{}行第{}列）：{e}", e.line(), e.column()),
            format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    from_value_doc(&v)
}

/// Parses a report document from a JSON value.
pub fn from_value_doc(v: &Value) -> Result<Report, LoadError> {
    let root = object(v, "")?;
    only_keys(
        root,
        "",
        &[
            "schema",
            "format",
            "agency",
            "year",
            "published_on",
            "signed_on",
            "title",
            "input_layout",
            "tables",
            "sections",
            "findings",
            "checks_not_run",
            "compilation",
        ],
    )?;
    match root.get("schema") {
        Some(Value::String(s)) if s == SCHEMA => {}
        Some(other) => {
            return Err(err(
                "/schema",
                format!("应为“{SCHEMA}”，实际为 {other}"),
                format!("must be \"{SCHEMA}\""),
            ));
        }
        None => {
            return Err(err(
                "/schema",
                format!("缺少字段 schema，应为“{SCHEMA}”"),
                format!("missing; must be \"{SCHEMA}\""),
            ));
        }
    }
    let format = match root.get("format") {
        Some(Value::String(s)) => Format::parse(s).ok_or_else(|| {
            err(
                "/format",
                format!("格式版本“{s}”无效，只能是“2019”或“2021”"),
                "must be \"2019\" or \"2021\"",
            )
        })?,
        Some(other) => {
            return Err(err(
                "/format",
                format!("应为字符串“2019”或“2021”，实际为 {other}"),
                "must be the string \"2019\" or \"2021\"",
            ));
        }
        None => {
            return Err(err(
                "/format",
                "缺少字段 format（“2019”或“2021”）",
                "missing; must be \"2019\" or \"2021\"",
            ));
        }
    };
    let year = match root.get("year") {
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| (1900..=9999).contains(y))
            .ok_or_else(|| {
                err(
                    "/year",
                    format!("年度“{n}”无效，应为四位整数，例如 2024"),
                    "must be a four-digit whole number",
                )
            })?,
        Some(other) => {
            return Err(err(
                "/year",
                format!("应为整数年度，实际为{}", type_name(other)),
                "must be a whole number",
            ));
        }
        None => {
            return Err(err(
                "/year",
                "缺少字段 year（报告年度）",
                "missing report year",
            ));
        }
    };
    let agency = match root.get("agency") {
        None | Some(Value::Null) => Agency::default(),
        Some(a) => {
            let m = object(a, "/agency")?;
            only_keys(m, "/agency", &["name", "kind"])?;
            let kind = match opt_string(m, "kind", "/agency")? {
                None => None,
                Some(k) => Some(AgencyKind::parse(&k).ok_or_else(|| {
                    err(
                        "/agency/kind",
                        format!(
                            "机关类别“{k}”无效，只能是 department、government、township、other 或 null"
                        ),
                        "must be department, government, township, other or null",
                    )
                })?),
            };
            Agency {
                name: opt_string(m, "name", "/agency")?,
                kind,
            }
        }
    };
    let input_layout = match opt_string(root, "input_layout", "")? {
        None => None,
        Some(s) => Some(
            InputLayout::ALL
                .into_iter()
                .find(|l| l.as_str() == s)
                .ok_or_else(|| {
                    let allowed: Vec<&str> = InputLayout::ALL.iter().map(|l| l.as_str()).collect();
                    err(
                        "/input_layout",
                        format!("“{s}”无效；允许：{}", allowed.join("、")),
                        format!("invalid; allowed: {}", allowed.join(", ")),
                    )
                })?,
        ),
    };
    let tables = match root.get("tables") {
        Some(t) => read_tables(t, format)?,
        None => {
            return Err(err(
                "/tables",
                "缺少字段 tables（三张表格）",
                "missing the tables",
            ));
        }
    };
    let sections = match root.get("sections") {
        None | Some(Value::Null) => Sections::default(),
        Some(s) => read_sections(s)?,
    };
    let findings: Vec<Finding> = match root.get("findings") {
        None | Some(Value::Null) => Vec::new(),
        Some(f) => from_value(f, "/findings")?,
    };
    let checks_not_run: Vec<NotRun> = match root.get("checks_not_run") {
        None | Some(Value::Null) => Vec::new(),
        Some(f) => from_value(f, "/checks_not_run")?,
    };
    let compilation: Option<Compilation> = match root.get("compilation") {
        None | Some(Value::Null) => None,
        Some(c) => Some(from_value(c, "/compilation")?),
    };
    Ok(Report {
        format,
        agency,
        year,
        published_on: opt_date(root, "published_on", "")?,
        signed_on: opt_date(root, "signed_on", "")?,
        title: opt_string(root, "title", "")?,
        input_layout,
        tables,
        sections,
        findings,
        checks_not_run,
        compilation,
        cell_raw: std::collections::BTreeMap::new(),
    })
}

fn other_format(f: Format) -> Format {
    match f {
        Format::V2019 => Format::V2021,
        Format::V2021 => Format::V2019,
    }
}

fn read_tables(v: &Value, format: Format) -> Result<Tables, LoadError> {
    let m = object(v, "/tables")?;
    only_keys(
        m,
        "/tables",
        &[
            "active_disclosure",
            "applications",
            "review_litigation",
            "local",
        ],
    )?;
    let mut tables = Tables::filled(format, None);
    for t in TableId::ALL {
        let ptr = format!("/tables/{}", t.id());
        let Some(tv) = m.get(t.id()) else {
            return Err(err(
                &ptr,
                format!("缺少{}（{}）", t.name_zh(), t.id()),
                format!("missing table {}", t.id()),
            ));
        };
        let tm = object(tv, &ptr)?;
        let def = schema::table_def(format, t);
        let other = schema::table_def(other_format(format), t);
        for key in tm.keys() {
            if def.row(key).is_none() {
                let (zh, en) = if other.row(key).is_some() {
                    (
                        format!(
                            "“{key}”是{}年格式的行，本报告 format 为“{}”；请改用{}年格式的行：{}",
                            other_format(format).as_str(),
                            format.as_str(),
                            format.as_str(),
                            row_ids(def)
                        ),
                        format!(
                            "`{key}` is a row of the {} format but this report's format is \"{}\"",
                            other_format(format).as_str(),
                            format.as_str()
                        ),
                    )
                } else {
                    (
                        format!("不认识的行“{key}”；允许的行：{}", row_ids(def)),
                        format!("unknown row `{key}`; allowed: {}", row_ids(def)),
                    )
                };
                return Err(err(&format!("{ptr}/{key}"), zh, en));
            }
        }
        let mut unit = None;
        let grid = tables.grid_mut(t);
        for (ri, row) in def.rows.iter().enumerate() {
            let rptr = format!("{ptr}/{}", row.id);
            let Some(rv) = tm.get(row.id) else {
                return Err(err(
                    &rptr,
                    format!(
                        "缺少“{}”行（{}）；每一行都必须出现，读不出的数值写 null",
                        row.label, row.id
                    ),
                    format!("row `{}` is missing; every row must be present", row.id),
                ));
            };
            let rm = object(rv, &rptr)?;
            let mut allowed: Vec<&str> = row.cols.iter().map(|c| c.id).collect();
            let has_unit = t == TableId::ActiveDisclosure && row.id == "procurement";
            if has_unit {
                allowed.push(PROCUREMENT_UNIT_KEY);
            }
            only_keys(rm, &rptr, &allowed)?;
            for (ci, col) in row.cols.iter().enumerate() {
                let cptr = format!("{rptr}/{}", col.id);
                let Some(cv) = rm.get(col.id) else {
                    return Err(err(
                        &cptr,
                        format!("缺少“{}”列（{}）；读不出的数值写 null", col.label, col.id),
                        format!("column `{}` is missing; write null when unknown", col.id),
                    ));
                };
                grid.set_at(ri, ci, read_cell(cv, col.ty, &cptr)?);
            }
            if has_unit {
                unit = match opt_string(rm, PROCUREMENT_UNIT_KEY, &rptr)? {
                    None => None,
                    Some(u) => Some(MoneyUnit::parse(&u).ok_or_else(|| {
                        err(
                            &format!("{rptr}/{PROCUREMENT_UNIT_KEY}"),
                            format!("金额单位“{u}”无效，只能是“元”“万元”或 null"),
                            "must be \"元\", \"万元\" or null",
                        )
                    })?),
                };
            }
        }
        if t == TableId::ActiveDisclosure {
            tables.procurement_amount_unit = unit;
        }
    }
    if let Some(l) = m.get("local") {
        let local: Vec<LocalEntry> = from_value(l, "/tables/local")?;
        tables.local = local;
    }
    Ok(tables)
}

fn row_ids(def: &schema::TableDef) -> String {
    def.rows.iter().map(|r| r.id).collect::<Vec<_>>().join("、")
}

fn read_cell(v: &Value, ty: CellType, ptr: &str) -> Result<crate::model::Cell, LoadError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => {
            let d = decimal::from_json_number(n.as_str())
                .ok_or_else(|| err(ptr, format!("数字“{n}”超出范围"), "number out of range"))?;
            match ty {
                CellType::Count | CellType::SignedCount if !d.fract().is_zero() => Err(err(
                    ptr,
                    format!("应为整数（件数），实际为 {n}"),
                    format!("must be a whole number, found {n}"),
                )),
                _ => Ok(Some(d)),
            }
        }
        other => {
            let what = match ty {
                CellType::Count => ("整数（件数）", "a whole number"),
                CellType::SignedCount => ("整数（增加为正、减少为负）", "a signed whole number"),
                CellType::Money => ("金额（十进制数字）", "a decimal amount"),
            };
            Err(err(
                ptr,
                format!("应为{}或 null，实际为{}：{other}", what.0, type_name(other)),
                format!("must be {} or null", what.1),
            ))
        }
    }
}

fn read_sections(v: &Value) -> Result<Sections, LoadError> {
    let m = object(v, "/sections")?;
    let mut allowed = vec!["preamble", "extra"];
    allowed.extend(SectionId::ALL.iter().map(|s| s.id()));
    only_keys(m, "/sections", &allowed)?;
    let mut out = Sections {
        preamble: opt_string(m, "preamble", "/sections")?,
        ..Sections::default()
    };
    for id in SectionId::ALL {
        let ptr = format!("/sections/{}", id.id());
        match m.get(id.id()) {
            None | Some(Value::Null) => {}
            Some(sv) => {
                let sm = object(sv, &ptr)?;
                only_keys(sm, &ptr, &["heading", "text"])?;
                *out.get_mut(id) = Section {
                    heading: opt_string(sm, "heading", &ptr)?,
                    text: opt_string(sm, "text", &ptr)?.unwrap_or_default(),
                };
            }
        }
    }
    if let Some(e) = m.get("extra") {
        let extra: Vec<ExtraSection> = from_value(e, "/sections/extra")?;
        out.extra = extra;
    }
    Ok(out)
}

/// The document as a JSON value, keys in canonical order (spec §3.1).
pub fn to_value(r: &Report) -> Value {
    let mut root = Map::new();
    root.insert("schema".into(), SCHEMA.into());
    root.insert("format".into(), r.format.as_str().into());
    let mut agency = Map::new();
    agency.insert("name".into(), opt(r.agency.name.as_deref()));
    agency.insert("kind".into(), opt(r.agency.kind.map(AgencyKind::as_str)));
    root.insert("agency".into(), Value::Object(agency));
    root.insert("year".into(), r.year.into());
    root.insert(
        "published_on".into(),
        opt(r.published_on.map(|d| d.to_string()).as_deref()),
    );
    root.insert(
        "signed_on".into(),
        opt(r.signed_on.map(|d| d.to_string()).as_deref()),
    );
    root.insert("title".into(), opt(r.title.as_deref()));
    if let Some(l) = r.input_layout {
        root.insert("input_layout".into(), l.as_str().into());
    }
    root.insert("tables".into(), tables_value(&r.tables));
    root.insert("sections".into(), sections_value(&r.sections));
    root.insert(
        "findings".into(),
        serde_json::to_value(&r.findings).expect("findings serialise"),
    );
    root.insert(
        "checks_not_run".into(),
        serde_json::to_value(&r.checks_not_run).expect("checks serialise"),
    );
    root.insert(
        "compilation".into(),
        serde_json::to_value(&r.compilation).expect("compilation serialises"),
    );
    Value::Object(root)
}

fn opt(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn tables_value(t: &Tables) -> Value {
    let mut out = Map::new();
    for id in TableId::ALL {
        let grid = t.grid(id);
        let mut tm = Map::new();
        for (ri, row) in grid.def().rows.iter().enumerate() {
            let mut rm = Map::new();
            for (ci, col) in row.cols.iter().enumerate() {
                rm.insert(
                    col.id.into(),
                    grid.at(ri, ci)
                        .map_or(Value::Null, |d| Value::Number(decimal::to_json_number(d))),
                );
            }
            if id == TableId::ActiveDisclosure && row.id == "procurement" {
                rm.insert(
                    PROCUREMENT_UNIT_KEY.into(),
                    opt(t.procurement_amount_unit.map(MoneyUnit::as_str)),
                );
            }
            tm.insert(row.id.into(), Value::Object(rm));
        }
        out.insert(id.id().into(), Value::Object(tm));
    }
    out.insert(
        "local".into(),
        serde_json::to_value(&t.local).expect("local serialises"),
    );
    Value::Object(out)
}

fn sections_value(s: &Sections) -> Value {
    let mut out = Map::new();
    out.insert("preamble".into(), opt(s.preamble.as_deref()));
    for id in SectionId::ALL {
        let sec = s.get(id);
        let mut sm = Map::new();
        sm.insert("heading".into(), opt(sec.heading.as_deref()));
        sm.insert("text".into(), sec.text.clone().into());
        out.insert(id.id().into(), Value::Object(sm));
    }
    out.insert(
        "extra".into(),
        serde_json::to_value(&s.extra).expect("extra serialises"),
    );
    Value::Object(out)
}

/// The document as pretty-printed JSON text (UTF-8, Chinese written literally).
pub fn to_string_pretty(r: &Report) -> String {
    serde_json::to_string_pretty(&to_value(r)).expect("a report serialises")
}
