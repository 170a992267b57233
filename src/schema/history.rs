//! The release history as the annotations state it: every key, branch and enum value with a release range,
//! in one list. `hookcheck schemas history` prints it, and the release table in `schemas/README.md` is this
//! list rendered as Markdown (a test fails when the README is stale).
use serde_json::Value;

use super::{derive, SchemaFile};

/// One annotated fact: something Chatwoot sent only in a range of releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The first release that sends it (`None`: every release up to `until`).
    pub since: Option<String>,
    /// The last release that sends it (`None`: still sent by the newest).
    pub until: Option<String>,
    /// The schema file, below `schemas/`.
    pub file: &'static str,
    /// JSON Pointer of the annotated schema in the file.
    pub pointer: String,
    /// What it is: ``key `unread_count` ``, ``value `template` ``, ``branch: ...``.
    pub what: String,
    /// Where the fact comes from (`x-source`).
    pub source: Option<String>,
    /// `enterprise` when only the Enterprise edition sends it.
    pub edition: Option<String>,
}

fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

fn ranged(schema: &Value) -> bool {
    schema.get(derive::SINCE).is_some() || schema.get(derive::UNTIL).is_some()
}

fn push(out: &mut Vec<Change>, file: &'static str, pointer: String, what: String, s: &Value) {
    out.push(Change {
        since: text(s.get(derive::SINCE)),
        until: text(s.get(derive::UNTIL)),
        file,
        pointer,
        what,
        source: text(s.get("x-source")),
        edition: text(s.get("x-edition")),
    });
}

fn walk(schema: &Value, file: &'static str, pointer: &str, out: &mut Vec<Change>) {
    let Some(obj) = schema.as_object() else {
        if let Some(items) = schema.as_array() {
            for (i, item) in items.iter().enumerate() {
                walk(item, file, &format!("{pointer}/{i}"), out);
            }
        }
        return;
    };
    for (key, value) in obj {
        let here = format!("{pointer}/{}", token(key));
        match key.as_str() {
            "properties" => {
                if let Some(props) = value.as_object() {
                    for (name, sub) in props {
                        let at = format!("{here}/{}", token(name));
                        if ranged(sub) {
                            push(out, file, at.clone(), format!("key `{name}`"), sub);
                        }
                        walk(sub, file, &at, out);
                    }
                }
            }
            "anyOf" | "oneOf" => {
                if let Some(branches) = value.as_array() {
                    for (i, sub) in branches.iter().enumerate() {
                        let at = format!("{here}/{i}");
                        if ranged(sub) {
                            let plain = derive::derive(sub, (0, 0, 0));
                            let what = match text(sub.get("description")) {
                                Some(d) => format!("branch: {d}"),
                                // The always-true branch of "a constraint from release R on".
                                None if plain.as_object().is_some_and(|o| o.is_empty()) => {
                                    let others: Vec<String> = branches
                                        .iter()
                                        .filter(|b| !ranged(b))
                                        .map(|b| derive::derive(b, (0, 0, 0)).to_string())
                                        .collect();
                                    format!("no constraint yet; later: {}", others.join(" or "))
                                }
                                None => format!("branch: {plain}"),
                            };
                            push(out, file, at.clone(), what, sub);
                        }
                        walk(sub, file, &at, out);
                    }
                }
            }
            derive::ENUM_RELEASES => {
                if let Some(entries) = value.as_array() {
                    for entry in entries {
                        let v = entry.get("value").cloned().unwrap_or(Value::Null);
                        push(
                            out,
                            file,
                            format!("{pointer}/enum"),
                            format!("value `{v}`"),
                            entry,
                        );
                    }
                }
            }
            // Data, not schemas.
            "const" | "enum" | "examples" | "default" | "x-source" => {}
            _ => walk(value, file, &here, out),
        }
    }
}

/// Every annotated fact of `files`, oldest release first (facts without `x-since` first), then by file.
pub fn changes(files: &[SchemaFile]) -> Vec<Change> {
    let mut out = Vec::new();
    for f in files {
        walk(&f.document, f.path, "", &mut out);
    }
    let order = |c: &Change| {
        let first = c.since.as_deref().and_then(derive::parse_version);
        let last = c.until.as_deref().and_then(derive::parse_version);
        (first, last, c.file, c.pointer.clone(), c.what.clone())
    };
    out.sort_by_key(order);
    out
}

/// The list as a Markdown table (what `schemas/README.md` holds between its release-table markers).
pub fn markdown(changes: &[Change]) -> String {
    let mut s =
        String::from("| releases | what | where | edition | source |\n|---|---|---|---|---|\n");
    let cell = |t: &str| t.replace('|', "\\|").replace('\n', " ");
    for c in changes {
        let range = match (&c.since, &c.until) {
            (Some(a), Some(b)) => format!("{a}-{b}"),
            (Some(a), None) => format!("{a}-"),
            (None, Some(b)) => format!("-{b}"),
            (None, None) => "every".to_string(),
        };
        s.push_str(&format!(
            "| {range} | {} | `{}#{}` | {} | {} |\n",
            cell(&c.what),
            c.file,
            c.pointer,
            c.edition.as_deref().unwrap_or(""),
            cell(c.source.as_deref().unwrap_or(""))
        ));
    }
    s
}
