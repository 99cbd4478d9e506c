//! HTML → pieces. The html5gum tokenizer (WHATWG tokenization, character references decoded,
//! script/style read as raw text) feeds a small tree builder that knows the few tree-construction
//! rules that matter for reading reports: implied end tags of cells, rows and tables, void
//! elements, text stray inside a table moved before it, end tags that do not cross a cell. The
//! tree is then walked as before: leaf tables are data tables (rowspan and colspan expanded),
//! everything else is narrative split at block elements.
//!
//! A full HTML5 tree builder (html5ever) did the same at about twice the cost per report, most of
//! it in its tokenizer; the issue's target is ≥ 1,000 reports per second on one core.

use std::borrow::Cow;

use html5gum::{Emitter, State, Tokenizer, naive_next_state};

use super::input::{Piece, Pos};

/// Open elements deeper than this are not opened (their content goes to the deepest open one):
/// bounds the recursion of the walk on hostile input.
const MAX_DEPTH: usize = 256;
/// A rowspan/colspan above this is read as this (a report table has fewer than 30 columns).
const MAX_SPAN: usize = 64;

#[derive(Debug)]
enum Node {
    Element {
        name: Cow<'static, str>,
        rowspan: usize,
        colspan: usize,
        kids: Vec<usize>,
        /// For a table: whether another table is nested in it (then it is a layout table).
        has_table: bool,
    },
    Text(String),
}

/// Tag names as static strings where they are known (no allocation per tag).
fn intern(name: &[u8]) -> Cow<'static, str> {
    const KNOWN: [&str; 44] = [
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "tfoot",
        "caption",
        "col",
        "colgroup",
        "p",
        "div",
        "span",
        "br",
        "b",
        "strong",
        "font",
        "i",
        "u",
        "a",
        "img",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "section",
        "article",
        "header",
        "footer",
        "center",
        "blockquote",
        "script",
        "style",
        "head",
        "title",
        "meta",
        "link",
        "html",
        "body",
    ];
    match KNOWN.iter().find(|k| k.as_bytes() == name) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(String::from_utf8_lossy(name).into_owned()),
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

fn is_cell(name: &str) -> bool {
    matches!(name, "td" | "th")
}

/// Elements that belong in a table's structure (never moved out of it).
fn is_table_part(name: &str) -> bool {
    is_cell(name)
        || is_section(name)
        || matches!(
            name,
            "table" | "tr" | "caption" | "col" | "colgroup" | "script" | "style" | "template"
        )
}

/// Elements that stay in the head.
fn is_head_content(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "html"
            | "title"
            | "meta"
            | "link"
            | "style"
            | "script"
            | "base"
            | "noscript"
            | "template"
    )
}

fn is_section(name: &str) -> bool {
    matches!(name, "thead" | "tbody" | "tfoot")
}

/// Elements whose content is never narrative.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "head" | "noscript" | "title" | "template" | "textarea"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "tr"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "blockquote"
            | "ul"
            | "ol"
            | "center"
            | "table"
            | "td"
            | "th"
    )
}

/// The tree: node 0 is the document.
struct Tree {
    nodes: Vec<Node>,
    /// Open elements, the document first.
    open: Vec<usize>,
}

impl Tree {
    fn new() -> Self {
        Self {
            nodes: vec![Node::Element {
                name: Cow::Borrowed("#document"),
                rowspan: 1,
                colspan: 1,
                kids: Vec::new(),
                has_table: false,
            }],
            open: vec![0],
        }
    }

    fn name(&self, i: usize) -> &str {
        match &self.nodes[i] {
            Node::Element { name, .. } => name,
            Node::Text(_) => "",
        }
    }

    fn kids(&mut self, i: usize) -> &mut Vec<usize> {
        match &mut self.nodes[i] {
            Node::Element { kids, .. } => kids,
            Node::Text(_) => unreachable!("text nodes are never parents"),
        }
    }

    fn current(&self) -> usize {
        *self.open.last().unwrap_or(&0)
    }

    /// Index in `open` of the innermost open element named `name`, not looking past the
    /// innermost open table (or past any cell or table, with `cell_bound`).
    fn find_open(&self, name: &str, cell_bound: bool) -> Option<usize> {
        for (k, &i) in self.open.iter().enumerate().rev() {
            let n = self.name(i);
            if n == name {
                return Some(k);
            }
            if n == "table" || (cell_bound && is_cell(n)) {
                return None;
            }
        }
        None
    }

    fn pop_to(&mut self, k: usize) {
        self.open.truncate(k.max(1));
    }

    fn push(&mut self, name: &str, spans: (usize, usize), void: bool) {
        let (parent, at) = if is_table_part(name) {
            (self.current(), None)
        } else {
            self.insertion_point(self.current())
        };
        let i = self.nodes.len();
        self.nodes.push(Node::Element {
            name: intern(name.as_bytes()),
            rowspan: spans.0,
            colspan: spans.1,
            kids: Vec::new(),
            has_table: false,
        });
        match at {
            Some(at) => self.kids(parent).insert(at, i),
            None => self.kids(parent).push(i),
        }
        if name == "table" {
            for &o in &self.open {
                if let Node::Element {
                    name, has_table, ..
                } = &mut self.nodes[o]
                    && &**name == "table"
                {
                    *has_table = true;
                }
            }
        }
        if !void && self.open.len() < MAX_DEPTH {
            self.open.push(i);
        }
    }

    fn start(&mut self, name: &str, spans: (usize, usize), self_closing: bool) {
        // Content in a head whose end tag is missing ends the head (as `<body>` does).
        if !is_head_content(name)
            && let Some(k) = self.open.iter().rposition(|&i| self.name(i) == "head")
        {
            self.pop_to(k);
        }
        let in_table = self.find_open("table", false).is_some();
        match name {
            "td" | "th" if in_table => {
                // A new cell closes the open one; a cell outside any row gets an implied row.
                if let Some(k) = self
                    .find_open("td", false)
                    .into_iter()
                    .chain(self.find_open("th", false))
                    .max()
                {
                    self.pop_to(k);
                }
                if let Some(k) = self.find_open("tr", false) {
                    self.pop_to(k + 1);
                } else {
                    self.close_to_table();
                    self.push("tr", (1, 1), false);
                }
                self.push(name, spans, false);
            }
            "tr" if in_table => {
                if let Some(k) = self.find_open("tr", false) {
                    self.pop_to(k);
                } else {
                    self.close_to_table();
                }
                self.push("tr", (1, 1), false);
            }
            s if is_section(s) && in_table => {
                // Row groups are transparent here; they only close an open row.
                self.close_to_table();
            }
            "table" => {
                // A table started directly in a table (not in a cell) ends the open one.
                if let Some(k) = self.find_open("table", true) {
                    self.pop_to(k);
                }
                self.push("table", (1, 1), false);
            }
            // Table parts outside a table are ignored, as browsers do.
            s if !in_table
                && (is_cell(s)
                    || is_section(s)
                    || matches!(s, "tr" | "caption" | "col" | "colgroup")) => {}
            s => self.push(s, spans, self_closing || is_void(s)),
        }
    }

    /// Closes everything opened inside the innermost open table.
    fn close_to_table(&mut self) {
        if let Some(k) = self.find_open("table", false) {
            self.pop_to(k + 1);
        }
    }

    fn end(&mut self, name: &str) {
        let k = match name {
            "table" => self.open.iter().rposition(|&i| self.name(i) == "table"),
            "td" | "th" | "tr" => self.find_open(name, false),
            s if is_section(s) => {
                // The end of a row group ends its open row.
                self.close_to_table();
                None
            }
            // As browsers do: `</br>` is a line break, a `</p>` without its `<p>` an empty
            // paragraph (both break the line).
            "br" => {
                self.push("br", (1, 1), true);
                None
            }
            "p" if self.find_open("p", true).is_none() => {
                self.push("p", (1, 1), true);
                None
            }
            s => self.find_open(s, true),
        };
        if let Some(k) = k {
            self.pop_to(k);
        }
    }

    /// Where content goes: into `current`, or — foster parenting — before the table when
    /// `current` is a table or a row (content stray between cells).
    fn insertion_point(&mut self, current: usize) -> (usize, Option<usize>) {
        if matches!(self.name(current), "table" | "tr")
            && let Some(k) = self.find_open("table", false)
        {
            let table = self.open[k];
            let parent = self.open[k.saturating_sub(1)];
            // The open table is its parent's last child: found (and inserted before) at once.
            let at = self.kids(parent).iter().rposition(|&c| c == table);
            return (parent, at);
        }
        (current, None)
    }

    fn text(&mut self, s: &[u8]) {
        let s = String::from_utf8_lossy(s);
        let blank = s.trim().is_empty();
        if blank && matches!(self.name(self.current()), "table" | "tr") {
            // Layout whitespace between rows and cells: never read.
            return;
        }
        if !blank && self.name(self.current()) == "head" {
            let k = self.open.len() - 1;
            self.pop_to(k);
        }
        let (parent, at) = if blank {
            (self.current(), None)
        } else {
            self.insertion_point(self.current())
        };
        let kids_len = self.kids(parent).len();
        let before = at.unwrap_or(kids_len);
        if before > 0 {
            let prev = self.kids(parent)[before - 1];
            if let Node::Text(t) = &mut self.nodes[prev] {
                t.push_str(&s);
                return;
            }
        }
        let i = self.nodes.len();
        self.nodes.push(Node::Text(s.into_owned()));
        self.kids(parent).insert(before, i);
    }
}

/// The tokenizer's emitter: keeps only what the tree needs — tag names, rowspan and colspan,
/// text — and copies no other attribute, comment or doctype byte.
struct Builder<'t> {
    tree: &'t mut Tree,
    text: Vec<u8>,
    tag: Vec<u8>,
    end_tag: bool,
    self_closing: bool,
    spans: (usize, usize),
    attr: Vec<u8>,
    value: Vec<u8>,
    last_start_tag: Vec<u8>,
}

impl Builder<'_> {
    fn flush_text(&mut self) {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            self.tree.text(&text);
            self.text = text;
            self.text.clear();
        }
    }

    /// Ends the attribute being read: a rowspan or colspan keeps its value (the first one wins,
    /// as in browsers).
    fn finish_attribute(&mut self) {
        let slot = match self.attr.as_slice() {
            b"rowspan" => Some(0),
            b"colspan" => Some(1),
            _ => None,
        };
        if let Some(slot) = slot {
            let v = std::str::from_utf8(&self.value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, MAX_SPAN);
            let current = if slot == 0 {
                &mut self.spans.0
            } else {
                &mut self.spans.1
            };
            if *current == 0 {
                *current = v;
            }
        }
        self.attr.clear();
        self.value.clear();
    }

    fn init_tag(&mut self, end: bool) {
        self.flush_text();
        self.tag.clear();
        self.attr.clear();
        self.value.clear();
        self.end_tag = end;
        self.self_closing = false;
        // 0: not given yet (read as 1).
        self.spans = (0, 0);
    }
}

impl Emitter for Builder<'_> {
    type Token = std::convert::Infallible;

    fn set_last_start_tag(&mut self, last_start_tag: Option<&[u8]>) {
        self.last_start_tag.clear();
        self.last_start_tag
            .extend_from_slice(last_start_tag.unwrap_or_default());
    }
    fn emit_eof(&mut self) {
        self.flush_text();
    }
    fn emit_error(&mut self, _: html5gum::Error) {}
    fn should_emit_errors(&mut self) -> bool {
        false
    }
    fn pop_token(&mut self) -> Option<Self::Token> {
        None
    }
    fn emit_string(&mut self, c: &[u8]) {
        self.text.extend_from_slice(c);
    }
    fn init_start_tag(&mut self) {
        self.init_tag(false);
    }
    fn init_end_tag(&mut self) {
        self.init_tag(true);
    }
    fn init_comment(&mut self) {
        self.flush_text();
    }
    fn emit_current_tag(&mut self) -> Option<State> {
        self.finish_attribute();
        let name = intern(&self.tag);
        if self.end_tag {
            self.last_start_tag.clear();
            self.tree.end(&name);
            None
        } else {
            let spans = (self.spans.0.max(1), self.spans.1.max(1));
            self.tree.start(&name, spans, self.self_closing);
            self.last_start_tag.clear();
            self.last_start_tag.extend_from_slice(&self.tag);
            naive_next_state(&self.tag)
        }
    }
    fn emit_current_comment(&mut self) {}
    fn emit_current_doctype(&mut self) {}
    fn set_self_closing(&mut self) {
        self.self_closing = true;
    }
    fn set_force_quirks(&mut self) {}
    fn push_tag_name(&mut self, s: &[u8]) {
        self.tag.extend_from_slice(s);
    }
    fn push_comment(&mut self, _: &[u8]) {}
    fn push_doctype_name(&mut self, _: &[u8]) {}
    fn init_doctype(&mut self) {
        self.flush_text();
    }
    fn init_attribute(&mut self) {
        self.finish_attribute();
    }
    fn push_attribute_name(&mut self, s: &[u8]) {
        self.attr.extend_from_slice(s);
    }
    fn push_attribute_value(&mut self, s: &[u8]) {
        if matches!(self.attr.as_slice(), b"rowspan" | b"colspan") {
            self.value.extend_from_slice(s);
        }
    }
    fn set_doctype_public_identifier(&mut self, _: &[u8]) {}
    fn set_doctype_system_identifier(&mut self, _: &[u8]) {}
    fn push_doctype_public_identifier(&mut self, _: &[u8]) {}
    fn push_doctype_system_identifier(&mut self, _: &[u8]) {}
    fn current_is_appropriate_end_tag_token(&mut self) -> bool {
        self.end_tag && !self.last_start_tag.is_empty() && self.tag == self.last_start_tag
    }
}

fn parse_tree(s: &str) -> Tree {
    let mut tree = Tree::new();
    let builder = Builder {
        tree: &mut tree,
        text: Vec::new(),
        tag: Vec::new(),
        end_tag: false,
        self_closing: false,
        spans: (0, 0),
        attr: Vec::new(),
        value: Vec::new(),
        last_start_tag: Vec::new(),
    };
    // The tokenizer reads from a `&str`: it cannot fail.
    let _ = Tokenizer::new_with_emitter(s, builder).finish();
    tree
}

/// The text of a node with `<br>`, `<p>`, `<span>` joined without spaces (spec §6.2.1).
fn node_text(tree: &Tree, i: usize, out: &mut String) {
    let Node::Element { kids, .. } = &tree.nodes[i] else {
        return;
    };
    for &k in kids {
        match &tree.nodes[k] {
            Node::Text(t) => out.push_str(t),
            Node::Element { name, .. } if is_skipped(name) => {}
            Node::Element { .. } => node_text(tree, k, out),
        }
    }
}

struct Walk<'t> {
    tree: &'t Tree,
    out: Vec<Piece>,
    buf: String,
    tables: u32,
}

impl Walk<'_> {
    fn flush(&mut self) {
        for line in self.buf.trim().lines() {
            let line = line.trim();
            if !line.is_empty() {
                self.out.push(Piece::Text {
                    text: line.to_owned(),
                    pos: Pos::default(),
                });
            }
        }
        self.buf.clear();
    }

    fn walk(&mut self, i: usize) {
        let tree = self.tree;
        let Node::Element { kids, .. } = &tree.nodes[i] else {
            return;
        };
        for &k in kids {
            match &tree.nodes[k] {
                Node::Text(t) => self.buf.push_str(t),
                Node::Element {
                    name, has_table, ..
                } => {
                    let name = &**name;
                    if is_skipped(name) {
                        continue;
                    }
                    if name == "table" && !has_table {
                        self.flush();
                        self.table(k);
                        continue;
                    }
                    let block = is_block(name);
                    if block {
                        self.flush();
                    }
                    self.walk(k);
                    if block && name != "table" {
                        self.flush();
                    }
                }
            }
        }
    }

    /// The rows of a table (row groups are transparent in the tree).
    fn rows(&self, table: usize) -> Vec<usize> {
        let Node::Element { kids, .. } = &self.tree.nodes[table] else {
            return Vec::new();
        };
        kids.iter()
            .copied()
            .filter(|&k| self.tree.name(k) == "tr")
            .collect()
    }

    /// A data table: rowspan and colspan expanded into the grid (spec §6.2.1); the origin cells
    /// are emitted row by row, as the flattened layout lists them, each with its grid position.
    fn table(&mut self, table: usize) {
        self.tables += 1;
        let tree = self.tree;
        // occupied[r] holds the grid columns of row r covered by a rowspan from above.
        let mut occupied: Vec<Vec<bool>> = Vec::new();
        for (r, tr) in self.rows(table).into_iter().enumerate() {
            if occupied.len() <= r {
                occupied.resize(r + 1, Vec::new());
            }
            let Node::Element { kids, .. } = &tree.nodes[tr] else {
                continue;
            };
            let mut col = 0usize;
            for &td in kids {
                let Node::Element {
                    name,
                    rowspan,
                    colspan,
                    ..
                } = &tree.nodes[td]
                else {
                    continue;
                };
                if !is_cell(name) {
                    continue;
                }
                while occupied[r].get(col).copied().unwrap_or(false) {
                    col += 1;
                }
                let (rs, cs) = (*rowspan, *colspan);
                for rr in r..r + rs {
                    if occupied.len() <= rr {
                        occupied.resize(rr + 1, Vec::new());
                    }
                    let row = &mut occupied[rr];
                    if row.len() < col + cs {
                        row.resize(col + cs, false);
                    }
                    for slot in &mut row[col..col + cs] {
                        *slot = true;
                    }
                }
                let mut text = String::new();
                node_text(tree, td, &mut text);
                let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                self.out.push(Piece::Cell {
                    text,
                    pos: Pos {
                        table: Some(self.tables),
                        row: Some(r as u32 + 1),
                        col: Some(col as u32 + 1),
                        line: None,
                    },
                    glued: false,
                });
                col += cs;
            }
        }
    }
}

/// HTML: leaf tables are data tables, outer (layout) tables are walked as content.
pub(crate) fn html(s: &str) -> Vec<Piece> {
    let tree = parse_tree(s);
    let mut w = Walk {
        tree: &tree,
        out: Vec::new(),
        buf: String::new(),
        tables: 0,
    };
    w.walk(0);
    w.flush();
    w.out
}

#[cfg(test)]
mod tests {
    use super::super::input::Piece;
    use super::html;

    #[test]
    fn html_positions_follow_the_expanded_grid() {
        let page = r#"<div><table><tr><td rowspan="2">a</td><td colspan="2">b</td><td>e</td></tr>
            <tr><td>c<br>1</td><td>d</td><td colspan="999999">f</td></tr></table></div>"#;
        let cells: Vec<(String, u32, u32)> = html(page)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Cell { text, pos, .. } => Some((text, pos.row?, pos.col?)),
                Piece::Text { .. } => None,
            })
            .collect();
        let want = [
            ("a", 1, 1),
            ("b", 1, 2),
            ("e", 1, 4),
            ("c1", 2, 2),
            ("d", 2, 3),
            ("f", 2, 4),
        ];
        let got: Vec<(&str, u32, u32)> =
            cells.iter().map(|(t, r, c)| (t.as_str(), *r, *c)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn layout_tables_are_walked_and_leaf_tables_read() {
        let page = "<table><tr><td><p>一、总体情况</p><p>正文。</p><table><tr><td>规章</td><td>0</td></tr></table></td></tr></table>";
        let pieces = html(page);
        assert!(
            pieces
                .iter()
                .any(|p| matches!(p, Piece::Text { text, .. } if text == "一、总体情况"))
        );
        assert!(
            pieces
                .iter()
                .any(|p| matches!(p, Piece::Cell { text, .. } if text == "规章"))
        );
    }

    fn lines(page: &str) -> Vec<String> {
        html(page)
            .into_iter()
            .map(|p| match p {
                Piece::Text { text, .. } => text,
                Piece::Cell { text, pos, .. } => {
                    format!(
                        "[{}:{},{}] {text}",
                        pos.table.unwrap_or(0),
                        pos.row.unwrap_or(0),
                        pos.col.unwrap_or(0)
                    )
                }
            })
            .collect()
    }

    /// The tree-construction rules that a browser (and html5ever, checked side by side when this
    /// reader replaced it) applies and that decide what is a cell, a row or a line.
    #[test]
    fn implied_tags_are_read_as_a_browser_reads_them() {
        assert_eq!(
            lines("<table><tr><td>a<td>b<tr><td>c</table>after"),
            ["[1:1,1] a", "[1:1,2] b", "[1:2,1] c", "after"]
        );
        // Title and head are not narrative; a missing </head> ends at the first content.
        assert_eq!(
            lines("<html><head><title>t</title><meta charset=utf-8><div>body</div>"),
            ["body"]
        );
        // Text and elements stray between cells go before the table.
        assert_eq!(
            lines("<table>stray<tr><div>d</div><td>a</td></tr></table>"),
            ["stray", "d", "[1:1,1] a"]
        );
        // A table begun in a table (not in a cell) ends it; a row group's end ends its row.
        assert_eq!(
            lines("<table><tr><td>1</td></tr><table><tr><td>2</td></tbody><td>3</table>"),
            ["[1:1,1] 1", "[2:1,1] 2", "[2:2,1] 3"]
        );
        // Raw text, character references, line breaks, stray end tags.
        assert_eq!(
            lines(
                "<script>var a='<table><td>x';</script><style>td{}</style><p>t&nbsp;x&amp;y&#x4e00;</p>a</br>b</p>c"
            ),
            ["t\u{a0}x&y一", "a", "b", "c"]
        );
        // Names are case-insensitive; the first of two spans wins; attribute values may carry
        // character references and spaces.
        assert_eq!(
            lines(
                "<TABLE><TR><TD ROWSPAN=\"2\" rowspan=3 class='&amp;'>a<TD colspan=' &#50; '>b<td>e<TR><TD>c</TABLE>"
            ),
            ["[1:1,1] a", "[1:1,2] b", "[1:1,4] e", "[1:2,2] c"]
        );
        // Table parts outside a table are ignored; an end tag does not close a cell.
        assert_eq!(
            lines("<td>x</td><div><table><tr><td>a</div>b</td></tr></table></div>"),
            ["x", "[1:1,1] ab"]
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "<div>".repeat(100_000) + "x";
        assert_eq!(lines(&deep), ["x"]);
        let tables = "<table><tr><td>".repeat(20_000) + "x";
        assert_eq!(lines(&tables).len(), 1);
        // Content stray in a table, many times over, stays linear.
        let stray = "<table>".to_owned() + &"<b>x</b>".repeat(120_000);
        assert_eq!(lines(&stray), ["x".repeat(120_000)]);
    }
}
