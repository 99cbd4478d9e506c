//! The JSON Schema of `gongkai.annual-report/1`, generated from [`crate::schema`] so it cannot
//! drift from the model. Published at `docs/schema/annual-report-1.json`
//! (`gongkai report schema` prints it; a test checks the published file is current).

use serde_json::{Map, Value, json};

use crate::findings::RULE_ORDER;
use crate::model::SCHEMA;
use crate::schema::{CellType, Format, PROCUREMENT_UNIT_KEY, SectionId, TableId, table_def};

fn cell(ty: CellType, label: &str) -> Value {
    match ty {
        CellType::Count => {
            json!({"type": ["integer", "null"], "description": format!("{label}（件数，≥ 0；null = 空白或无法读取）")})
        }
        CellType::SignedCount => {
            json!({"type": ["integer", "null"], "description": format!("{label}（增加为正，减少为负）")})
        }
        CellType::Money => {
            json!({"type": ["number", "null"], "description": format!("{label}（精确十进制金额）")})
        }
    }
}

fn table_schema(format: Format, table: TableId) -> Value {
    let def = table_def(format, table);
    let mut props = Map::new();
    for row in def.rows {
        let mut cols = Map::new();
        for c in row.cols {
            cols.insert(c.id.into(), cell(c.ty, c.label));
        }
        let mut required: Vec<&str> = row.cols.iter().map(|c| c.id).collect();
        if table == TableId::ActiveDisclosure && row.id == "procurement" {
            cols.insert(
                PROCUREMENT_UNIT_KEY.into(),
                json!({"enum": ["元", "万元", null], "description": "采购总金额的印刷单位；null = 未注明"}),
            );
            required.push(PROCUREMENT_UNIT_KEY);
        }
        props.insert(
            row.id.into(),
            json!({
                "type": "object",
                "description": row.label,
                "properties": cols,
                "required": required,
                "additionalProperties": false
            }),
        );
    }
    let required: Vec<&str> = def.rows.iter().map(|r| r.id).collect();
    json!({
        "type": "object",
        "description": table.name_zh(),
        "properties": props,
        "required": required,
        "additionalProperties": false
    })
}

fn tables_for(format: Format) -> Value {
    json!({
        "type": "object",
        "properties": {
            "active_disclosure": table_schema(format, TableId::ActiveDisclosure),
            "applications": table_schema(format, TableId::Applications),
            "review_litigation": table_schema(format, TableId::ReviewLitigation),
            "local": {"type": "array", "items": {"$ref": "#/$defs/local_entry"}}
        },
        "required": ["active_disclosure", "applications", "review_litigation"],
        "additionalProperties": false
    })
}

/// The schema document.
pub fn schema() -> Value {
    let mut sections = Map::new();
    sections.insert("preamble".into(), json!({"type": ["string", "null"]}));
    for id in SectionId::ALL {
        sections.insert(
            id.id().into(),
            json!({
                "description": id.heading(),
                "type": ["object", "null"],
                "properties": {
                    "heading": {"type": ["string", "null"], "description": "标题原文；null = 未找到"},
                    "text": {"type": "string"}
                },
                "additionalProperties": false
            }),
        );
    }
    sections.insert(
        "extra".into(),
        json!({"type": "array", "items": {
            "type": "object",
            "properties": {"heading": {"type": "string"}, "after": {"type": "string"}, "text": {"type": "string"}},
            "required": ["heading", "after", "text"],
            "additionalProperties": false
        }}),
    );
    let nullable_int = json!({"type": ["integer", "null"]});
    let rules: Vec<&str> = RULE_ORDER.to_vec();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://gongkai.invalid/schema/annual-report-1.json",
        "title": "政府信息公开工作年度报告 (gongkai.annual-report/1)",
        "description": "One annual report on government information disclosure, in the 2019 trial format or the 2021 format. Keys are stable ids; labels are in the descriptions. Generated from the gongkai-report label table.",
        "type": "object",
        "properties": {
            "schema": {"const": SCHEMA},
            "format": {"enum": ["2019", "2021"]},
            "agency": {
                "type": "object",
                "properties": {
                    "name": {"type": ["string", "null"]},
                    "kind": {"enum": ["department", "government", "township", "other", null]}
                },
                "additionalProperties": false
            },
            "year": {"type": "integer", "minimum": 1900, "maximum": 9999},
            "published_on": {"type": ["string", "null"], "format": "date"},
            "signed_on": {"type": ["string", "null"], "format": "date"},
            "title": {"type": ["string", "null"]},
            "input_layout": {"enum": ["generated", "manual", "html", "flat_cells", "pdf_text", "glued_text"]},
            "tables": {"type": "object"},
            "sections": {"type": "object", "properties": sections, "additionalProperties": false},
            "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "checks_not_run": {"type": "array", "items": {
                "type": "object",
                "properties": {
                    "rule": {"enum": rules},
                    "reason": {"enum": ["no_previous_report", "format_boundary", "publication_date_unknown", "agency_kind_unknown", "no_case_records", "no_comparison_texts", "no_constituents"]}
                },
                "required": ["rule", "reason"],
                "additionalProperties": false
            }},
            "compilation": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/compilation"}]}
        },
        "required": ["schema", "format", "agency", "year", "tables"],
        "additionalProperties": false,
        "allOf": [
            {"if": {"properties": {"format": {"const": "2019"}}}, "then": {"properties": {"tables": tables_for(Format::V2019)}}},
            {"if": {"properties": {"format": {"const": "2021"}}}, "then": {"properties": {"tables": tables_for(Format::V2021)}}}
        ],
        "$defs": {
            "pointer": {"type": "string", "description": "RFC 6901 JSON Pointer, e.g. /tables/applications/total/other_org"},
            "finding": {
                "type": "object",
                "properties": {
                    "rule": {"enum": rules},
                    "severity": {"enum": ["error", "warning", "info"]},
                    "message_zh": {"type": "string"},
                    "message_en": {"type": "string"},
                    "cells": {"type": "array", "items": {"$ref": "#/$defs/pointer"}},
                    "lhs": {"type": "number"},
                    "rhs": {"type": "number"},
                    "suspects": {"type": "array", "items": {
                        "type": "object",
                        "properties": {"cell": {"$ref": "#/$defs/pointer"}, "suggested": {"type": ["number", "null"]}},
                        "required": ["cell", "suggested"],
                        "additionalProperties": false
                    }},
                    "printed": {"type": "string"},
                    "canonical": {"type": "string"},
                    "raw": {"type": "string"},
                    "at": {
                        "type": "object",
                        "properties": {
                            "page": nullable_int, "line": nullable_int, "table": nullable_int,
                            "row": nullable_int, "col": nullable_int,
                            "section": {"type": "string"}, "offset": nullable_int
                        },
                        "additionalProperties": false
                    },
                    "previous": {
                        "type": "object",
                        "properties": {
                            "year": {"type": "integer"},
                            "cells": {"type": "array", "items": {"$ref": "#/$defs/pointer"}},
                            "values": {"type": "array", "items": {"type": ["number", "null"]}}
                        },
                        "required": ["year", "cells", "values"],
                        "additionalProperties": false
                    }
                },
                "required": ["rule", "severity", "message_zh", "message_en", "cells"],
                "additionalProperties": false
            },
            "local_entry": {
                "type": "object",
                "properties": {
                    "table": {"enum": ["active_disclosure", "applications", "review_litigation"]},
                    "kind": {"enum": ["row", "subtotal_row", "column", "subtotal_column"]},
                    "after": {"type": ["string", "null"]},
                    "label": {"type": "string"},
                    "cells": {"type": "array", "items": {
                        "type": "object",
                        "properties": {"header": {"type": ["string", "null"]}, "raw": {"type": "string"}, "value": {"type": ["number", "null"]}},
                        "required": ["header", "raw", "value"],
                        "additionalProperties": false
                    }}
                },
                "required": ["table", "kind", "after", "label", "cells"],
                "additionalProperties": false
            },
            "compilation": {
                "type": "object",
                "properties": {
                    "scope_note": {"type": ["string", "null"]},
                    "constituents": {"type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "agency": {"type": "object", "properties": {"name": {"type": ["string", "null"]}, "kind": {"enum": ["department", "government", "township", "other", null]}}, "additionalProperties": false},
                            "year": {"type": "integer"},
                            "format": {"enum": ["2019", "2021"]},
                            "ref": {"type": ["string", "null"]},
                            "included": {"type": "boolean"}
                        },
                        "required": ["agency", "year", "format", "included"],
                        "additionalProperties": false
                    }},
                    "overrides": {"type": "array", "items": {
                        "type": "object",
                        "properties": {"cell": {"$ref": "#/$defs/pointer"}, "value": {"type": ["number", "null"]}, "reason": {"type": "string"}},
                        "required": ["cell", "value", "reason"],
                        "additionalProperties": false
                    }}
                },
                "additionalProperties": false
            }
        }
    })
}

/// The schema as pretty-printed text (the content of `docs/schema/annual-report-1.json`).
pub fn schema_text() -> String {
    serde_json::to_string_pretty(&schema()).expect("schema serialises")
}

#[cfg(test)]
mod tests {
    #[test]
    fn published_schema_is_current() {
        let published = include_str!("../../../docs/schema/annual-report-1.json");
        assert_eq!(
            published.trim_end(),
            super::schema_text(),
            "docs/schema/annual-report-1.json is stale: run `cargo run -p gongkai -- report schema > docs/schema/annual-report-1.json`"
        );
    }
}
