//! Invalid payloads: a valid payload with exactly one defect, and the finding it must produce.
//!
//! A mutation is offered only where its expected finding follows from the schema alone (never from asking
//! the validator), so the property "the validator reports that rule at that pointer" can fail:
//!
//! | class | defect | expected rule, at |
//! |---|---|---|
//! | `remove-required` | a required key removed (no branch accepts the object after) | `schema/required`, the object |
//! | `wrong-type` | a value of a type the schema does not allow (no `enum` there) | `schema/type`, the value |
//! | `outside-enum` | a string outside a multi-valued `enum` | `schema/enum`, the value |
//! | `malformed-format` | a timestamp with a broken form (`T` replaced, wrong weekday) | `schema/format`, the value |
//! | `null-not-nullable` | `null` where no branch allows null (no `enum` there) | `schema/type`, the value |
//! | `unknown-event` | a misspelled `event` | `event/unknown`, `/event` |
//! | `broken-rule` | one semantic rule broken | the rule's id, the dependent value |
use serde::Serialize;
use serde_json::Value;

use super::node::{Node, Ty};
use crate::{event::EventName, format, profile::Profile, semantic};

/// The kinds of defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// A required key removed.
    RemoveRequired,
    /// A value of a type the schema does not allow.
    WrongType,
    /// A string outside an enum.
    OutsideEnum,
    /// A timestamp with a broken form.
    MalformedFormat,
    /// `null` where null is not allowed.
    NullNotNullable,
    /// A misspelled `event`.
    UnknownEvent,
    /// A semantic rule broken.
    BrokenRule,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 7] = [
        Class::RemoveRequired,
        Class::WrongType,
        Class::OutsideEnum,
        Class::MalformedFormat,
        Class::NullNotNullable,
        Class::UnknownEvent,
        Class::BrokenRule,
    ];

    /// The classes about JSON types and required keys: what a typed parser (serde models) must reject too,
    /// whereas formats, enums-as-strings-with-typos and semantic rules are beyond a parser's reach.
    pub fn is_type_or_required(self) -> bool {
        matches!(self, Class::RemoveRequired | Class::WrongType)
    }

    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Class::RemoveRequired => "remove-required",
            Class::WrongType => "wrong-type",
            Class::OutsideEnum => "outside-enum",
            Class::MalformedFormat => "malformed-format",
            Class::NullNotNullable => "null-not-nullable",
            Class::UnknownEvent => "unknown-event",
            Class::BrokenRule => "broken-rule",
        }
    }
}

/// What a mutation must produce: an error with `rule` at `pointer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expectation {
    /// The defect's class.
    pub class: Class,
    /// JSON Pointer of the expected finding.
    pub pointer: String,
    /// Rule id of the expected finding.
    pub rule: String,
    /// What was done, in a few words.
    pub description: String,
}

/// One place a mutation can be applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// What it will produce.
    pub expect: Expectation,
    edit: Edit,
}

#[derive(Debug, Clone, PartialEq)]
enum Edit {
    Remove { object: String, key: String },
    Replace { pointer: String, value: Value },
    Rule { id: String },
}

impl Site {
    /// Applies the mutation to (a copy of) the payload it was found in.
    pub fn apply(&self, event: EventName, v: &mut Value) {
        match &self.edit {
            Edit::Remove { object, key } => {
                if let Some(Value::Object(m)) = v.pointer_mut(object) {
                    m.shift_remove(key);
                }
            }
            Edit::Replace { pointer, value } => {
                if let Some(slot) = v.pointer_mut(pointer) {
                    *slot = value.clone();
                }
            }
            Edit::Rule { id } => {
                semantic::break_rule(event, v, id);
            }
        }
    }
}

impl Site {
    /// Whether `other` makes the same edit with the same expectation (descriptions aside).
    pub fn same_as(&self, other: &Site) -> bool {
        self.edit == other.edit
            && self.expect.class == other.expect.class
            && self.expect.pointer == other.expect.pointer
            && self.expect.rule == other.expect.rule
    }
}

fn site(class: Class, pointer: &str, rule: &str, description: String, edit: Edit) -> Site {
    Site {
        expect: Expectation {
            class,
            pointer: pointer.to_string(),
            rule: rule.to_string(),
            description,
        },
        edit,
    }
}

/// Every mutation site of a valid payload of `event` (whose flattened schema is `node`).
pub fn sites(node: &Node, event: EventName, profile: Profile, v: &Value) -> Vec<Site> {
    let mut out = Vec::new();
    walk(node, v, "", &mut out);
    if let Some(Value::String(e)) = v.get("event") {
        let misspelled = format!(
            "{}{}",
            &e[..e.len().saturating_sub(1)],
            if e.ends_with('d') { "e" } else { "d" }
        );
        out.push(site(
            Class::UnknownEvent,
            "/event",
            crate::finding::rule::EVENT_UNKNOWN,
            format!("event `{e}` misspelled as `{misspelled}`"),
            Edit::Replace {
                pointer: "/event".into(),
                value: Value::String(misspelled),
            },
        ));
    }
    for rule in semantic::RULES
        .iter()
        .filter(|r| r.severity(profile) == Some(crate::Severity::Error))
    {
        let mut probe = v.clone();
        if let Some(pointer) = semantic::break_rule(event, &mut probe, rule.id) {
            out.push(site(
                Class::BrokenRule,
                &pointer,
                rule.id,
                format!("break {}", rule.id),
                Edit::Rule { id: rule.id.into() },
            ));
        }
    }
    out
}

fn wrong_type_for(v: &Value) -> Value {
    match v {
        Value::String(_) => Value::from(12345),
        Value::Number(_) => Value::from("12345"),
        Value::Bool(_) => Value::from("true"),
        Value::Array(_) => Value::Object(Default::default()),
        Value::Object(_) => Value::Array(Vec::new()),
        Value::Null => Value::Bool(false),
    }
}

fn corrupt_timestamp(fmt: &str, s: &str) -> Option<String> {
    match fmt {
        format::ISO8601_MS_UTC
            if s.len() > 10 && s.is_char_boundary(10) && s.is_char_boundary(11) =>
        {
            Some(format!("{} {}", &s[..10], &s[11..]))
        }
        format::JS_DATE => {
            let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            let i = days.iter().position(|d| s.starts_with(d))?;
            Some(format!("{}{}", days[(i + 1) % 7], s.get(3..)?))
        }
        _ => None,
    }
}

fn walk(node: &Node, v: &Value, ptr: &str, out: &mut Vec<Site>) {
    super::node::walk(node, v, ptr, &mut |ptr, node, alt, v| {
        sites_at(ptr, node, alt, v, out)
    });
}

/// The mutation sites of one value (`v` at `ptr`, described by `alt` of `node`), not of its children.
fn sites_at(ptr: &str, node: &Node, alt: &super::node::Alt, v: &Value, out: &mut Vec<Site>) {
    if !ptr.is_empty() && ptr != "/event" {
        let enumerated = alt.values.is_some();
        let wrong = wrong_type_for(v);
        if !enumerated && !node.accepts(&wrong) && node.alts.iter().all(|a| a.values.is_none()) {
            out.push(site(
                Class::WrongType,
                ptr,
                "schema/type",
                format!("{} replaced by {wrong}", crate::validate::json_type(v)),
                Edit::Replace {
                    pointer: ptr.into(),
                    value: wrong,
                },
            ));
        }
        if !node.accepts(&Value::Null) && node.alts.iter().all(|a| a.values.is_none()) {
            out.push(site(
                Class::NullNotNullable,
                ptr,
                "schema/type",
                "replaced by null".into(),
                Edit::Replace {
                    pointer: ptr.into(),
                    value: Value::Null,
                },
            ));
        }
        if let (Some(values), Value::String(_)) = (&alt.values, v) {
            let outside = Value::String("not_in_contract".into());
            if values.len() > 1 && !node.accepts(&outside) {
                out.push(site(
                    Class::OutsideEnum,
                    ptr,
                    "schema/enum",
                    "replaced by \"not_in_contract\"".into(),
                    Edit::Replace {
                        pointer: ptr.into(),
                        value: outside,
                    },
                ));
            }
        }
        if let (
            Ty::String {
                format: Some(f), ..
            },
            Value::String(s),
            None,
        ) = (&alt.ty, v, &alt.values)
        {
            if let Some(bad) = corrupt_timestamp(f, s) {
                let bad = Value::String(bad);
                if !node.accepts(&bad) {
                    out.push(site(
                        Class::MalformedFormat,
                        ptr,
                        "schema/format",
                        format!("{f} broken: {bad}"),
                        Edit::Replace {
                            pointer: ptr.into(),
                            value: bad,
                        },
                    ));
                }
            }
        }
    }
    if let (Ty::Object(o), Value::Object(m)) = (&alt.ty, v) {
        for key in &o.required {
            if ptr.is_empty() && key == "event" || !m.contains_key(key) {
                continue;
            }
            let mut without = m.clone();
            without.shift_remove(key);
            if !node.accepts(&Value::Object(without)) {
                out.push(site(
                    Class::RemoveRequired,
                    ptr,
                    "schema/required",
                    format!("required key `{key}` removed"),
                    Edit::Remove {
                        object: ptr.into(),
                        key: key.clone(),
                    },
                ));
            }
        }
    }
}
