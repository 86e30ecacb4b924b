//! The workspace file format: YAML with a required `format_version`, read under tight
//! budgets, migrated from older versions, validated, and written with a stable key order.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use super::atomic;
use super::model::{FORMAT_VERSION, Workspace};
use super::validate::validate;

/// Largest workspace file read, in bytes. Real workspaces are tens of kilobytes; traces are
/// imported as aggregates, not pasted in.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Why a workspace could not be read or written. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file could not be written; the previous file, if any, is unchanged.
    #[error("{file}: cannot save (the previous file is unchanged): {source}")]
    Write {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is larger than any workspace should be.
    #[error("{file}: is {size} bytes; a workspace may be at most {limit} bytes")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file was written by a newer version of the application.
    #[error(
        "{file}: was written by a newer LCPR Workbench (format_version {found}); this version reads format_version {supported} and older"
    )]
    NewerFormat {
        /// The file.
        file: String,
        /// Its format version.
        found: u32,
        /// The newest this build reads.
        supported: u32,
    },
    /// The content breaks a rule, at a position.
    #[error("{0}")]
    Invalid(Box<Located>),
}

/// A problem at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
    /// Field path, e.g. `scenarios[2].route` (empty when the problem is the file's syntax).
    pub field: String,
    /// The rule broken.
    pub rule: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.rule)
        } else {
            write!(f, ": {}: {}", self.field, self.rule)
        }
    }
}

impl DocumentError {
    fn at(file: &str, line: Option<u64>, column: Option<u64>, field: String, rule: String) -> Self {
        Self::Invalid(Box::new(Located {
            file: file.to_owned(),
            line,
            column,
            field,
            rule,
        }))
    }

    /// The position and field, when the error has them.
    #[must_use]
    pub fn located(&self) -> Option<&Located> {
        match self {
            Self::Invalid(l) => Some(l),
            _ => None,
        }
    }
}

/// One step that upgrades a file's text from `from` to `from + 1`.
pub struct Migration {
    /// The format version it reads.
    pub from: u32,
    /// What changed, for the log.
    pub describe: &'static str,
    /// The rewrite; an error says why the text could not be upgraded.
    pub apply: fn(&str) -> Result<String, String>,
}

/// The upgrades this build knows. Format 1 is the first, so there are none yet; each future
/// format change adds one step here, and old files keep opening.
pub const MIGRATIONS: &[Migration] = &[];

/// Upgrades `text` from format `found` to [`FORMAT_VERSION`] through `steps`.
pub fn migrate<'a>(text: &'a str, found: u32, steps: &[Migration]) -> Result<Cow<'a, str>, String> {
    let mut text = Cow::Borrowed(text);
    let mut version = found;
    while version < FORMAT_VERSION {
        let step = steps
            .iter()
            .find(|m| m.from == version)
            .ok_or_else(|| format!("no upgrade is known from format_version {version}"))?;
        text = Cow::Owned((step.apply)(&text)?);
        version += 1;
    }
    Ok(text)
}

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    // Sized for the largest real workspace with a wide margin; hostile files fail fast.
    budget.max_events = 2_000_000;
    budget.max_nodes = 1_000_000;
    budget.max_aliases = 64;
    budget.max_anchors = 64;
    budget.max_depth = 32;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES as usize;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.alias_limits.max_total_replayed_events = 10_000;
    opts.alias_limits.max_replay_stack_depth = 8;
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    opts.strict_booleans = true;
    opts.with_snippet = false;
    opts
}

fn syntax_error(file: &str, text: &str, e: &serde_saphyr::Error, field: String) -> DocumentError {
    let location = e.location();
    let message = e.to_string();
    // The library's message may repeat the position; keep the first line only.
    let first = message.lines().next().unwrap_or("invalid YAML");
    // The position is reported in its own fields; drop the library's copy of it.
    let rule = match first.rfind(" at line ") {
        Some(i) if first[i..].contains(", column ") => &first[..i],
        _ => first,
    };
    // Where the library gave no field, the key written on the error's line names it.
    let field = match (field.is_empty(), location) {
        (true, Some(l)) => path_at(text, l.line()),
        _ => field,
    };
    DocumentError::at(
        file,
        location.map(|l| l.line()),
        location.map(|l| l.column()),
        field,
        plain_rule(rule),
    )
}

/// The YAML library's wording turned into the rule a user can act on.
fn plain_rule(rule: &str) -> String {
    if let Some(rest) = rule.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!("the key `{key}` appears twice in one mapping; keep only one of them");
    }
    for (what, noun) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        if let Some(rest) = rule.strip_prefix(what)
            && let Some((typed, tail)) = rest.split_once('`')
        {
            return unknown_name(noun, typed, tail);
        }
    }
    if rule.starts_with("non-finite float") {
        return "must be a finite number (.nan and .inf are not values a workspace can hold)"
            .to_owned();
    }
    if rule.starts_with("invalid u") || rule.starts_with("invalid i") {
        return "must be a whole number (0 or more)".to_owned();
    }
    if let Some(rest) = rule.strip_prefix("invalid value: floating point `")
        && rule.contains("expected a Decimal")
    {
        let raw = rest.split('`').next().unwrap_or(rest);
        let shown = raw
            .parse::<f64>()
            .map_or_else(|_| raw.to_owned(), |v| format!("{v:.3e}"));
        return format!(
            "must be an amount money can hold (within ±7.9e28, at most 28 decimal places), got {shown}"
        );
    }
    let mut out = rule.to_owned();
    for (lib, plain) in [
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected u32", "expected a whole number (0 or more)"),
        ("expected u64", "expected a whole number (0 or more)"),
        ("expected usize", "expected a whole number (0 or more)"),
        ("expected i64", "expected a whole number"),
        (
            "expected a Decimal type representing a fixed-point number",
            "expected a money amount",
        ),
    ] {
        out = out.replace(lib, plain);
    }
    out
}

/// An unknown key or enum value: the nearest valid one suggested, the rest listed.
fn unknown_name(noun: &str, typed: &str, tail: &str) -> String {
    let valid: Vec<&str> = tail
        .split_once("expected one of ")
        .or_else(|| tail.split_once("expected "))
        .map(|(_, list)| {
            list.split(", ")
                .map(|v| v.trim().trim_matches('`'))
                .filter(|v| !v.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let nearest = valid
        .iter()
        .map(|v| (edit_distance(&typed.to_lowercase(), &v.to_lowercase()), *v))
        .min();
    // A suggestion is only worth making when it is close: a slip, not a different word.
    let close = nearest.filter(|(d, v)| *d <= (v.chars().count() / 3).max(2));
    match (close, valid.is_empty()) {
        (Some((_, v)), _) => format!("unknown {noun} `{typed}`; did you mean `{v}`?"),
        (None, false) => format!("unknown {noun} `{typed}`; valid: {}", valid.join(", ")),
        (None, true) => format!("unknown {noun} `{typed}`"),
    }
}

/// Levenshtein distance between two short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The field path of the key on 1-based `line` of block-style YAML (`routes[1].kind`), from
/// the keys and list items above it; empty when the line has none.
fn path_at(text: &str, line: u64) -> String {
    enum Seg<'a> {
        Key(&'a str),
        Index(usize),
    }
    let mut stack: Vec<(usize, Seg<'_>)> = Vec::new();
    let last = usize::try_from(line).unwrap_or(usize::MAX);
    for (i, raw) in text.lines().enumerate() {
        if i >= last {
            break;
        }
        let Some(s) = shape(raw) else { continue };
        for &d in &s.dashes {
            while stack
                .last()
                .is_some_and(|(c, seg)| *c > d || (*c == d && !matches!(seg, Seg::Key(_))))
            {
                let Some((c, seg)) = stack.pop() else { break };
                if c == d
                    && let Seg::Index(n) = seg
                {
                    stack.push((d, Seg::Index(n + 1)));
                    break;
                }
            }
            if !stack
                .last()
                .is_some_and(|(c, seg)| *c == d && matches!(seg, Seg::Index(_)))
            {
                stack.push((d, Seg::Index(0)));
            }
        }
        if let Some(k) = s.key {
            while stack.last().is_some_and(|(c, _)| *c >= s.content) {
                stack.pop();
            }
            stack.push((s.content, Seg::Key(k)));
        }
    }
    let mut out = String::new();
    for (_, seg) in &stack {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(n) => out.push_str(&format!("[{n}]")),
        }
    }
    out
}

#[derive(Deserialize)]
struct VersionProbe {
    format_version: Option<u32>,
}

/// Reads a workspace from YAML text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Workspace, DocumentError> {
    let size = text.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(DocumentError::TooLarge {
            file: file.to_owned(),
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    let probe: VersionProbe = serde_saphyr::from_str_with_options(text, options())
        .map_err(|e| syntax_error(file, text, &e, String::new()))?;
    let found = probe.format_version.ok_or_else(|| {
        DocumentError::at(
            file,
            Some(1),
            Some(1),
            "format_version".into(),
            "is required".into(),
        )
    })?;
    if found > FORMAT_VERSION {
        return Err(DocumentError::NewerFormat {
            file: file.to_owned(),
            found,
            supported: FORMAT_VERSION,
        });
    }
    let text = migrate(text, found, MIGRATIONS)
        .map_err(|rule| DocumentError::at(file, None, None, "format_version".into(), rule))?;
    let mut path = String::new();
    let result = serde_saphyr::with_deserializer_from_str_with_options(&text, options(), |de| {
        serde_path_to_error::deserialize::<_, Workspace>(de).map_err(|e| {
            path = e.path().to_string();
            e.into_inner()
        })
    });
    let mut ws = result.map_err(|e| {
        let field = if path == "." || path.starts_with('?') {
            String::new()
        } else {
            path.clone()
        };
        syntax_error(file, &text, &e, field)
    })?;
    ws.format_version = FORMAT_VERSION;
    if let Some(v) = validate(&ws).into_iter().next() {
        let (line, column) =
            locate(&text, &v.path).map_or((None, None), |(l, c)| (Some(l), Some(c)));
        return Err(DocumentError::at(file, line, column, v.path, v.rule));
    }
    Ok(ws)
}

/// Reads and validates a workspace file.
pub fn load(path: &Path) -> Result<Workspace, DocumentError> {
    let file = path.display().to_string();
    let read_err = |source| DocumentError::Read {
        file: file.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_FILE_BYTES {
        return Err(DocumentError::TooLarge {
            file,
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    let text =
        String::from_utf8(bytes).map_err(|e| not_utf8(&file, e.as_bytes(), e.utf8_error()))?;
    parse(&text, &file)
}

/// A file that is not UTF-8, located at the first bad byte.
fn not_utf8(file: &str, bytes: &[u8], e: std::str::Utf8Error) -> DocumentError {
    let good = &bytes[..e.valid_up_to()];
    let line = good.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&good[line_start..]).chars().count() as u64 + 1;
    let byte = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
    let text = String::from_utf8_lossy(bytes);
    DocumentError::at(
        file,
        Some(line),
        Some(column),
        path_at(&text, line),
        format!(
            "is not UTF-8 text (byte 0x{byte:02X}); save the file as UTF-8 (a workspace is always UTF-8)"
        ),
    )
}

/// Writes a workspace as YAML with the document's key order.
pub fn to_yaml(ws: &Workspace) -> Result<String, DocumentError> {
    serde_saphyr::to_string(ws).map_err(|e| {
        DocumentError::at(
            "workspace",
            None,
            None,
            String::new(),
            format!("cannot be written as YAML: {e}"),
        )
    })
}

/// Saves a workspace atomically: the file is replaced whole or not at all.
pub fn save(ws: &Workspace, path: &Path) -> Result<(), DocumentError> {
    let text = to_yaml(ws)?;
    atomic::write(path, text.as_bytes()).map_err(|source| DocumentError::Write {
        file: path.display().to_string(),
        source,
    })
}

#[derive(Debug, PartialEq)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        for idx in rest.split('[') {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

/// A line's layout: where its list markers end and what key, if any, it starts with.
struct LineShape<'a> {
    /// Column of the first non-space character.
    indent: usize,
    /// Column where content starts after any `- ` markers.
    content: usize,
    /// Column of each `- ` marker on the line.
    dashes: Vec<usize>,
    key: Option<&'a str>,
}

fn shape(line: &str) -> Option<LineShape<'_>> {
    let indent = line.len() - line.trim_start().len();
    let mut rest = &line[indent..];
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    let mut col = indent;
    let mut dashes = Vec::new();
    while rest.starts_with("- ") || rest == "-" {
        dashes.push(col);
        let trimmed = rest[1..].trim_start();
        col += rest.len() - trimmed.len();
        rest = trimmed;
    }
    let key = rest
        .split_once(':')
        .filter(|(k, v)| !k.is_empty() && !k.contains(' ') && (v.is_empty() || v.starts_with(' ')))
        .map(|(k, _)| k.trim_matches(|c| c == '"' || c == '\''));
    Some(LineShape {
        indent,
        content: col,
        dashes,
        key,
    })
}

/// Finds the line and column of a field path in block-style YAML (1-based). Falls back to
/// the deepest part of the path it could find; `None` when not even the first part is there.
#[must_use]
pub fn locate(text: &str, path: &str) -> Option<(u64, u64)> {
    let lines: Vec<Option<LineShape<'_>>> = text.lines().map(shape).collect();
    // The block being searched: lines [start, end) whose keys sit at column `col`.
    let (mut start, mut end, mut col) = (0usize, lines.len(), 0usize);
    let mut found: Option<(u64, u64)> = None;
    for seg in segments(path) {
        match seg {
            Segment::Key(k) => {
                let hit = (start..end).find(|&i| {
                    lines[i]
                        .as_ref()
                        .is_some_and(|s| s.content == col && s.key == Some(k))
                });
                let Some(i) = hit else { return found };
                found = Some((i as u64 + 1, col as u64 + 1));
                // The value block: following lines indented deeper than this key.
                let block_end = (i + 1..end)
                    .find(|&j| {
                        lines[j].as_ref().is_some_and(|s| {
                            s.indent <= col && !(s.indent == col && s.dashes.first() == Some(&col))
                        })
                    })
                    .unwrap_or(end);
                let child_col = (i + 1..block_end)
                    .find_map(|j| lines[j].as_ref().map(|s| s.indent))
                    .unwrap_or(col + 2);
                (start, end, col) = (i + 1, block_end, child_col);
            }
            Segment::Index(n) => {
                // Items are lines with a dash at the block's column.
                let items: Vec<usize> = (start..end)
                    .filter(|&i| {
                        lines[i]
                            .as_ref()
                            .is_some_and(|s| s.dashes.first() == Some(&col))
                    })
                    .collect();
                let Some(&i) = items.get(n) else { return found };
                let item_end = items.get(n + 1).copied().unwrap_or(end);
                let content = lines[i].as_ref().map_or(col + 2, |s| s.content);
                found = Some((i as u64 + 1, content as u64 + 1));
                // The item's own keys start on its dash line at the content column.
                (start, end, col) = (i, item_end, content);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "format_version: 1\nmeta:\n  title: T\nscenarios:\n- id: a\n  route: r1\n- id: b\n  route: r2\n  overrides:\n    retry_rate: 0.2\nroutes:\n  - id: r1\n    kind: managed_api\n";

    #[test]
    fn locates_keys_items_and_nested_fields() {
        assert_eq!(locate(DOC, "meta.title"), Some((3, 3)));
        assert_eq!(locate(DOC, "scenarios[1].route"), Some((8, 3)));
        assert_eq!(
            locate(DOC, "scenarios[1].overrides.retry_rate"),
            Some((10, 5))
        );
        assert_eq!(locate(DOC, "routes[0].kind"), Some((13, 5)));
        // Unknown tails fall back to the deepest known part.
        assert_eq!(locate(DOC, "scenarios[1].nothing"), Some((7, 3)));
        assert_eq!(locate(DOC, "absent.key"), None);
    }

    #[test]
    fn the_path_of_a_line_follows_keys_and_list_items() {
        assert_eq!(path_at(DOC, 1), "format_version");
        assert_eq!(path_at(DOC, 3), "meta.title");
        assert_eq!(path_at(DOC, 5), "scenarios[0].id");
        assert_eq!(path_at(DOC, 8), "scenarios[1].route");
        assert_eq!(path_at(DOC, 10), "scenarios[1].overrides.retry_rate");
        assert_eq!(path_at(DOC, 13), "routes[0].kind");
    }

    #[test]
    fn library_wording_is_replaced_by_the_rule_and_the_field() {
        let bad = |text: &str| {
            parse(text, "w.yaml")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let e = bad("format_version: abc\n");
        assert_eq!(
            e,
            "w.yaml:1:17: format_version: must be a whole number (0 or more)"
        );
        let e = bad("format_version: 1\nmeta:\n  title: a\n  title: b\n");
        assert!(
            e.contains("w.yaml:4:3: meta.title:") && e.contains("appears twice"),
            "{e}"
        );
        assert!(!e.contains("DuplicateKeyPolicy"), "{e}");
        let e = bad(&DOC.replace("retry_rate: 0.2", "retry_rate: .nan"));
        assert!(
            e.contains("scenarios[1].overrides.retry_rate") && e.contains("finite number"),
            "{e}"
        );
        assert!(!e.contains("policy"), "{e}");
    }

    #[test]
    fn a_mistyped_key_or_value_suggests_the_nearest_valid_one() {
        const WS: &str = include_str!("../../../workspaces/support-migration.yaml");
        let bad = |text: &str| {
            parse(text, "w.yaml")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let e = bad(&WS.replacen("  retry_rate: 0.03", "  retry_rat: 0.03", 1));
        assert!(
            e.contains("workloads[0].retry_rat") && e.contains("did you mean `retry_rate`?"),
            "{e}"
        );
        let e = bad(&WS.replacen("kind: managed_api", "kind: managed_apy", 1));
        assert!(
            e.contains("routes[0].kind") && e.contains("did you mean `managed_api`?"),
            "{e}"
        );
        // Far from every valid name: no guess, the valid names instead.
        let e = bad(&WS.replacen("kind: managed_api", "kind: banana", 1));
        assert!(
            e.contains("valid: managed_api, ") && !e.contains("did you mean"),
            "{e}"
        );
        assert_eq!(edit_distance("retry_rat", "retry_rate"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_at_its_line() {
        let dir = std::env::temp_dir().join(format!("lcpr-yaml-utf8-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("w.yaml");
        std::fs::write(&path, b"format_version: 1\nmeta:\n  title: caf\xe9\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let e = load(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            e.contains("w.yaml:3:13: meta.title: is not UTF-8 text (byte 0xE9)"),
            "{e}"
        );
    }

    #[test]
    fn path_segments() {
        assert_eq!(
            segments("a[2].b.c[0][1]"),
            vec![
                Segment::Key("a"),
                Segment::Index(2),
                Segment::Key("b"),
                Segment::Key("c"),
                Segment::Index(0),
                Segment::Index(1)
            ]
        );
    }

    #[test]
    fn migration_steps_run_in_order_and_a_gap_is_refused() {
        fn rename(text: &str) -> Result<String, String> {
            Ok(text.replace("heading:", "title:"))
        }
        let steps = [Migration {
            from: 0,
            describe: "heading is now title",
            apply: rename,
        }];
        let out = migrate("heading: x", 0, &steps);
        assert_eq!(out.as_deref(), Ok("title: x"));
        assert_eq!(
            migrate("heading: x", 1, &steps).as_deref(),
            Ok("heading: x")
        );
        assert!(migrate("x", 0, &[]).is_err());
    }
}
