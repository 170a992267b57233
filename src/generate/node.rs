//! Schemas flattened for generation: `$ref`s resolved, `allOf` merged, `if`/`then`/`else` split into
//! discriminated alternatives.
//!
//! A [`Node`] is a list of alternatives, each of one JSON type with its constraints. Merging two nodes
//! (`allOf`, a profile overlay on its base) intersects them pairwise; a union (`anyOf`, `oneOf`, a `type`
//! array) concatenates them. A conditional waits in the node until the property it tests has a finite
//! domain, then splits each object alternative by that property's values.
use std::collections::BTreeSet;

use serde_json::Value;

use crate::schema::{resolve::Documents, ANNOTATION_KEYWORDS};

/// The compiler met a schema it cannot generate from. It names the keyword and where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot generate from `{keyword}` at {location}: {reason}")]
pub struct Unsupported {
    /// The keyword.
    pub keyword: String,
    /// `<schema uri>#<pointer>`.
    pub location: String,
    /// Why.
    pub reason: String,
}

/// Every keyword the compiler understands besides [`ANNOTATION_KEYWORDS`]; any other keyword in a schema
/// is an [`Unsupported`] error.
pub const SUPPORTED: &[&str] = &[
    "$ref",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "allOf",
    "anyOf",
    "oneOf",
    "if",
    "then",
    "else",
    "not",
];

/// A flattened schema: the alternatives a value may take, plus conditionals not yet applied.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    /// Alternatives; none means nothing is valid.
    pub alts: Vec<Alt>,
    /// Conditionals waiting for their discriminator's domain.
    pub conds: Vec<Cond>,
    /// For `oneOf`: the branches, so generated values can be kept exclusive.
    pub exclusive: Option<Vec<Node>>,
}

/// One alternative: a JSON type, its constraints, and a label for coverage.
#[derive(Debug, Clone, PartialEq)]
pub struct Alt {
    /// Where it came from, e.g. `null`, `anyOf/1`, `type=user`.
    pub label: String,
    /// The constrained type.
    pub ty: Ty,
    /// Allowed values (`enum`/`const`), already filtered by the other constraints.
    pub values: Option<Vec<Value>>,
}

/// A JSON type with its constraints. Field names are those of the JSON Schema keywords they come from.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Ty {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool,
    /// An integer in `[min, max]`.
    Integer {
        min: Option<i64>,
        max: Option<i64>,
        format: Option<String>,
    },
    /// A number in `[min, max]`.
    Number {
        min: Option<f64>,
        max: Option<f64>,
        format: Option<String>,
    },
    /// A string.
    String {
        format: Option<String>,
        pattern: Option<String>,
        min_len: u64,
        max_len: Option<u64>,
    },
    /// An array.
    /// `items: None` = unconstrained (kept lazy so that `any` does not contain itself).
    Array {
        items: Option<Box<Node>>,
        prefix: Vec<Node>,
        min: u64,
        max: Option<u64>,
    },
    /// An object.
    Object(Object),
}

/// Object constraints.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    /// Declared properties, in schema order.
    pub props: Vec<(String, Node)>,
    /// Required keys.
    pub required: BTreeSet<String>,
    /// `additionalProperties`: `None` = not said (extra keys allowed, reported as unknown by hookcheck),
    /// `Some(None)` = `true` (free-form), `Some(Some(node))` = a schema for every other key.
    pub additional: Option<Option<Box<Node>>>,
    /// `minProperties` / `maxProperties`.
    pub min_props: Option<u64>,
    /// See `min_props`.
    pub max_props: Option<u64>,
}

impl Object {
    /// The node of a declared property.
    pub fn prop(&self, key: &str) -> Option<&Node> {
        self.props.iter().find(|(k, _)| k == key).map(|(_, n)| n)
    }
}

/// `if` / `then` / `else`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    /// The condition, in the small language the compiler understands.
    pub pred: Pred,
    /// Applied when the condition holds.
    pub then: Option<Node>,
    /// Applied when it does not.
    pub otherwise: Option<Node>,
    /// `<uri>#<pointer>` of the `if`.
    pub location: String,
}

/// Conditions on a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    /// The value's JSON type is one of these.
    Type(BTreeSet<&'static str>),
    /// The object has property `.0`, equal to `.1` (`required` + `const`).
    PropConst(String, Value),
    /// The object lacks property `.0` (`not: {required: [..]}`).
    PropAbsent(String),
    /// The object has property `.0` (a bare `required` condition).
    PropPresent(String),
    /// Any holds.
    Or(Vec<Pred>),
    /// All hold.
    And(Vec<Pred>),
}

const ALL_TYPES: [&str; 6] = ["null", "boolean", "number", "string", "array", "object"];

impl Node {
    /// Nothing is valid.
    pub fn never() -> Self {
        Node::default()
    }

    /// Anything is valid (`true`, `{}`).
    pub fn any() -> Self {
        Node {
            alts: ALL_TYPES.iter().map(|t| Alt::plain(t)).collect(),
            ..Node::default()
        }
    }

    /// Any JSON scalar (null, boolean, number, string).
    pub fn scalar() -> Self {
        Node {
            alts: ALL_TYPES[..4].iter().map(|t| Alt::plain(t)).collect(),
            ..Node::default()
        }
    }

    /// Whether no value is valid.
    pub fn is_never(&self) -> bool {
        self.alts.is_empty()
    }

    /// Intersection.
    pub fn merge(&self, other: &Node) -> Node {
        let mut alts = Vec::new();
        for a in &self.alts {
            for b in &other.alts {
                if let Some(m) = a.merge(b) {
                    alts.push(m);
                }
            }
        }
        let mut conds = self.conds.clone();
        conds.extend(other.conds.iter().cloned());
        let exclusive = self.exclusive.clone().or_else(|| other.exclusive.clone());
        Node {
            alts,
            conds,
            exclusive,
        }
    }

    /// Union.
    pub fn union(nodes: Vec<Node>, label: &str) -> Node {
        let mut alts = Vec::new();
        for (i, n) in nodes.into_iter().enumerate() {
            for mut a in n.alts {
                a.label = join_label(&format!("{label}/{i}"), &a.label);
                alts.push(a);
            }
        }
        Node {
            alts,
            ..Node::default()
        }
    }

    /// Applies pending conditionals, splitting object alternatives by the values of the property each
    /// tests. Recurses into properties and items, so a finalised node has no conditional anywhere.
    pub fn finalize(mut self) -> Result<Node, Unsupported> {
        // A condition may test a property that another condition's branch declares (an overlay's `if` on
        // `type` before the base's `then` adds `type`): apply what can be applied, retry the rest.
        let mut pending = std::mem::take(&mut self.conds);
        while !pending.is_empty() {
            let before = pending.len();
            let mut waiting = Vec::new();
            let mut last_error = None;
            for cond in pending {
                let applied: Result<Vec<Vec<Alt>>, Unsupported> = self
                    .alts
                    .iter()
                    .map(|alt| apply(alt.clone(), &cond))
                    .collect();
                match applied {
                    Ok(v) => self.alts = v.into_iter().flatten().collect(),
                    Err(e) => {
                        last_error = Some(e);
                        waiting.push(cond);
                    }
                }
            }
            if waiting.len() == before {
                if let Some(e) = last_error {
                    return Err(e);
                }
            }
            pending = waiting;
        }
        let mut alts = Vec::with_capacity(self.alts.len());
        for mut alt in self.alts {
            match &mut alt.ty {
                Ty::Object(o) => {
                    let mut never_required = false;
                    for (k, n) in o.props.iter_mut() {
                        *n = std::mem::take(n).finalize()?;
                        never_required |= n.is_never() && o.required.contains(k);
                    }
                    if let Some(Some(a)) = &mut o.additional {
                        **a = std::mem::take(&mut **a).finalize()?;
                    }
                    if never_required {
                        continue;
                    }
                }
                Ty::Array { items, prefix, .. } => {
                    if let Some(items) = items {
                        **items = std::mem::take(&mut **items).finalize()?;
                    }
                    for p in prefix.iter_mut() {
                        *p = std::mem::take(p).finalize()?;
                    }
                }
                _ => {}
            }
            alts.push(alt);
        }
        self.alts = alts;
        if let Some(branches) = self.exclusive.take() {
            let mut fin = Vec::new();
            for b in branches {
                fin.push(b.finalize()?);
            }
            self.exclusive = Some(fin);
        }
        Ok(self)
    }

    /// Whether `v` satisfies this (finalised) node: a structural check, used to keep `oneOf` exclusive
    /// and to filter `enum` values by sibling constraints.
    pub fn accepts(&self, v: &Value) -> bool {
        self.alts.iter().any(|a| a.accepts(v))
    }
}

fn join_label(outer: &str, inner: &str) -> String {
    match (outer.is_empty(), inner.is_empty()) {
        (true, _) => inner.to_string(),
        (_, true) => outer.to_string(),
        _ => format!("{outer} {inner}"),
    }
}

impl Alt {
    fn plain(t: &str) -> Alt {
        let ty = match t {
            "null" => Ty::Null,
            "boolean" => Ty::Bool,
            "integer" => Ty::Integer {
                min: None,
                max: None,
                format: None,
            },
            "number" => Ty::Number {
                min: None,
                max: None,
                format: None,
            },
            "string" => Ty::String {
                format: None,
                pattern: None,
                min_len: 0,
                max_len: None,
            },
            "array" => Ty::Array {
                items: None,
                prefix: Vec::new(),
                min: 0,
                max: None,
            },
            _ => Ty::Object(Object {
                additional: Some(None),
                ..Object::default()
            }),
        };
        Alt {
            label: String::new(),
            ty,
            values: None,
        }
    }

    /// The JSON type name.
    pub fn type_name(&self) -> &'static str {
        match self.ty {
            Ty::Null => "null",
            Ty::Bool => "boolean",
            Ty::Integer { .. } => "integer",
            Ty::Number { .. } => "number",
            Ty::String { .. } => "string",
            Ty::Array { .. } => "array",
            Ty::Object(_) => "object",
        }
    }

    fn merge(&self, other: &Alt) -> Option<Alt> {
        let ty = merge_ty(&self.ty, &other.ty)?;
        let label = join_label(&self.label, &other.label);
        let mut alt = Alt {
            label,
            ty,
            values: None,
        };
        let values = match (&self.values, &other.values) {
            (Some(a), Some(b)) => Some(
                a.iter()
                    .filter(|v| b.contains(v))
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            (Some(a), None) | (None, Some(a)) => Some(a.clone()),
            (None, None) => None,
        };
        if let Some(vs) = values {
            let kept: Vec<Value> = vs.into_iter().filter(|v| alt.accepts_ty(v)).collect();
            if kept.is_empty() {
                return None;
            }
            alt.values = Some(kept);
        }
        Some(alt)
    }

    /// Whether `v` satisfies this alternative.
    pub fn accepts(&self, v: &Value) -> bool {
        self.values.as_ref().is_none_or(|vs| vs.contains(v)) && self.accepts_ty(v)
    }

    fn accepts_ty(&self, v: &Value) -> bool {
        match (&self.ty, v) {
            (Ty::Null, Value::Null) | (Ty::Bool, Value::Bool(_)) => true,
            (Ty::Integer { min, max, .. }, Value::Number(n)) => {
                let Some(i) = n
                    .as_i64()
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                else {
                    return false;
                };
                min.is_none_or(|m| i >= m) && max.is_none_or(|m| i <= m)
            }
            (Ty::Number { min, max, .. }, Value::Number(n)) => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                min.is_none_or(|m| f >= m) && max.is_none_or(|m| f <= m)
            }
            (
                Ty::String {
                    format,
                    min_len,
                    max_len,
                    ..
                },
                Value::String(s),
            ) => {
                let len = s.chars().count() as u64;
                len >= *min_len
                    && max_len.is_none_or(|m| len <= m)
                    && format
                        .as_deref()
                        .is_none_or(|f| crate::format::check(f, s).unwrap_or(true))
            }
            (
                Ty::Array {
                    items,
                    prefix,
                    min,
                    max,
                },
                Value::Array(a),
            ) => {
                let n = a.len() as u64;
                n >= *min
                    && max.is_none_or(|m| n <= m)
                    && a.iter().enumerate().all(|(i, x)| match prefix.get(i) {
                        Some(p) => p.accepts(x),
                        None => items.as_ref().is_none_or(|n| n.accepts(x)),
                    })
            }
            (Ty::Object(o), Value::Object(m)) => {
                let n = m.len() as u64;
                n >= o.min_props.unwrap_or(0)
                    && o.max_props.is_none_or(|mx| n <= mx)
                    && o.required.iter().all(|k| m.contains_key(k))
                    && m.iter().all(|(k, x)| match o.prop(k) {
                        Some(p) => p.accepts(x),
                        None => match &o.additional {
                            Some(Some(a)) => a.accepts(x),
                            _ => true,
                        },
                    })
            }
            _ => false,
        }
    }
}

fn tighter<T: PartialOrd + Copy>(a: Option<T>, b: Option<T>, pick_max: bool) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if (x > y) == pick_max { x } else { y }),
        (x, None) => x,
        (None, y) => y,
    }
}

fn merge_opt_string(a: &Option<String>, b: &Option<String>) -> Option<Option<String>> {
    match (a, b) {
        (Some(x), Some(y)) if x != y => None,
        (Some(x), _) | (_, Some(x)) => Some(Some(x.clone())),
        (None, None) => Some(None),
    }
}

fn merge_ty(a: &Ty, b: &Ty) -> Option<Ty> {
    use Ty::*;
    let ty = match (a, b) {
        (Null, Null) => Null,
        (Bool, Bool) => Bool,
        (
            Integer {
                min: a0,
                max: a1,
                format: af,
            },
            Integer {
                min: b0,
                max: b1,
                format: bf,
            },
        ) => Integer {
            min: tighter(*a0, *b0, true),
            max: tighter(*a1, *b1, false),
            format: merge_opt_string(af, bf)?,
        },
        (
            Integer { min, max, format },
            Number {
                min: n0,
                max: n1,
                format: nf,
            },
        )
        | (
            Number {
                min: n0,
                max: n1,
                format: nf,
            },
            Integer { min, max, format },
        ) => Integer {
            min: tighter(*min, n0.map(|f| f.ceil() as i64), true),
            max: tighter(*max, n1.map(|f| f.floor() as i64), false),
            format: merge_opt_string(format, nf)?,
        },
        (
            Number {
                min: a0,
                max: a1,
                format: af,
            },
            Number {
                min: b0,
                max: b1,
                format: bf,
            },
        ) => Number {
            min: tighter(*a0, *b0, true),
            max: tighter(*a1, *b1, false),
            format: merge_opt_string(af, bf)?,
        },
        (
            String {
                format: af,
                pattern: ap,
                min_len: a0,
                max_len: a1,
            },
            String {
                format: bf,
                pattern: bp,
                min_len: b0,
                max_len: b1,
            },
        ) => String {
            format: merge_opt_string(af, bf)?,
            pattern: merge_opt_string(ap, bp)?,
            min_len: (*a0).max(*b0),
            max_len: tighter(*a1, *b1, false),
        },
        (
            Array {
                items: ai,
                prefix: ap,
                min: a0,
                max: a1,
            },
            Array {
                items: bi,
                prefix: bp,
                min: b0,
                max: b1,
            },
        ) => {
            let n = ap.len().max(bp.len());
            let prefix = (0..n)
                .map(|i| match (ap.get(i), bp.get(i)) {
                    (Some(x), Some(y)) => x.merge(y),
                    (Some(x), None) => bi.as_ref().map_or_else(|| x.clone(), |b| x.merge(b)),
                    (None, Some(y)) => ai.as_ref().map_or_else(|| y.clone(), |a| a.merge(y)),
                    (None, None) => Node::any(),
                })
                .collect();
            let items = match (ai, bi) {
                (Some(a), Some(b)) => Some(Box::new(a.merge(b))),
                (Some(x), None) | (None, Some(x)) => Some(x.clone()),
                (None, None) => None,
            };
            Array {
                items,
                prefix,
                min: (*a0).max(*b0),
                max: tighter(*a1, *b1, false),
            }
        }
        (Object(x), Object(y)) => Object(merge_object(x, y)),
        _ => return None,
    };
    let empty = match &ty {
        Integer {
            min: Some(a),
            max: Some(b),
            ..
        } => a > b,
        Number {
            min: Some(a),
            max: Some(b),
            ..
        } => a > b,
        String {
            min_len,
            max_len: Some(m),
            ..
        } => min_len > m,
        Array {
            min, max: Some(m), ..
        } => min > m,
        _ => false,
    };
    (!empty).then_some(ty)
}

fn merge_object(x: &Object, y: &Object) -> Object {
    let mut props = x.props.clone();
    for (k, n) in &y.props {
        match props.iter_mut().find(|(pk, _)| pk == k) {
            Some((_, existing)) => *existing = existing.merge(n),
            None => props.push((k.clone(), n.clone())),
        }
    }
    let additional = match (&x.additional, &y.additional) {
        (Some(Some(a)), Some(Some(b))) => Some(Some(Box::new(a.merge(b)))),
        (Some(Some(a)), _) | (_, Some(Some(a))) => Some(Some(a.clone())),
        (Some(None), Some(None)) => Some(None),
        // A free-form object merged with one that declares keys stays declared: the overlay only refines.
        _ => None,
    };
    Object {
        props,
        required: x.required.union(&y.required).cloned().collect(),
        additional,
        min_props: tighter(x.min_props, y.min_props, true),
        max_props: tighter(x.max_props, y.max_props, false),
    }
}

/// What a predicate says about an alternative: holds, fails, or depends on a property's value.
enum Verdict {
    Holds(bool),
    Split(String),
}

fn judge(pred: &Pred, alt: &Alt) -> Result<Verdict, String> {
    Ok(match pred {
        Pred::Type(ts) => Verdict::Holds(ts.contains(alt.type_name()) || (alt.type_name() == "integer" && ts.contains("number"))),
        Pred::PropConst(p, v) => match &alt.ty {
            Ty::Object(o) => match o.prop(p) {
                Some(n) if n.is_never() => Verdict::Holds(false),
                Some(n) => match fixed_value(n) {
                    Some(Some(x)) => Verdict::Holds(&x == v && o.required.contains(p)),
                    Some(None) => Verdict::Holds(false),
                    None => Verdict::Split(p.clone()),
                },
                None => return Err(format!("the condition tests `{p}`, which the object does not declare (alternative `{}` declares {:?})", alt.label, o.props.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())),
            },
            // `properties` and `required` hold vacuously on other types.
            _ => Verdict::Holds(true),
        },
        Pred::PropAbsent(p) => match &alt.ty {
            Ty::Object(o) => match o.prop(p) {
                Some(n) if n.is_never() => Verdict::Holds(true),
                _ if o.required.contains(p) => Verdict::Holds(false),
                Some(_) => Verdict::Split(p.clone()),
                None => return Err(format!("the condition tests `{p}`, which the object does not declare")),
            },
            _ => Verdict::Holds(true),
        },
        Pred::PropPresent(p) => match &alt.ty {
            Ty::Object(o) => match o.prop(p) {
                Some(n) if n.is_never() => Verdict::Holds(false),
                _ if o.required.contains(p) => Verdict::Holds(true),
                Some(_) => Verdict::Split(p.clone()),
                None => Verdict::Holds(false),
            },
            _ => Verdict::Holds(true),
        },
        Pred::Or(ps) | Pred::And(ps) => {
            let is_or = matches!(pred, Pred::Or(_));
            for p in ps {
                match judge(p, alt)? {
                    Verdict::Holds(h) if h == is_or => return Ok(Verdict::Holds(is_or)),
                    Verdict::Holds(_) => {}
                    split => return Ok(split),
                }
            }
            Verdict::Holds(!is_or)
        }
    })
}

/// `Some(Some(v))`: the node admits exactly one value `v`; `Some(None)`: none; `None`: several.
fn fixed_value(n: &Node) -> Option<Option<Value>> {
    match n.alts.as_slice() {
        [] => Some(None),
        [a] => match &a.values {
            Some(vs) if vs.len() == 1 => Some(Some(vs[0].clone())),
            Some(vs) if vs.is_empty() => Some(None),
            _ => None,
        },
        _ => None,
    }
}

fn apply(alt: Alt, cond: &Cond) -> Result<Vec<Alt>, Unsupported> {
    let unsupported = |reason: String| Unsupported {
        keyword: "if".into(),
        location: cond.location.clone(),
        reason,
    };
    match judge(&cond.pred, &alt).map_err(unsupported)? {
        Verdict::Holds(h) => {
            let branch = if h { &cond.then } else { &cond.otherwise };
            let Some(b) = branch else {
                return Ok(vec![alt]);
            };
            let merged = Node {
                alts: vec![alt],
                ..Node::default()
            }
            .merge(b)
            .finalize()?;
            Ok(merged.alts)
        }
        Verdict::Split(p) => {
            let Ty::Object(o) = &alt.ty else {
                return Ok(vec![alt]);
            };
            let node = o.prop(&p).cloned().unwrap_or_default();
            let mut domain: Vec<Option<Value>> = Vec::new();
            for a in &node.alts {
                match &a.values {
                    Some(vs) => domain.extend(vs.iter().cloned().map(Some)),
                    None if a.type_name() == "null" => domain.push(Some(Value::Null)),
                    None => {
                        return Err(unsupported(format!(
                            "the condition tests `{p}`, whose values are not a finite enum"
                        )))
                    }
                }
            }
            if !o.required.contains(&p) {
                domain.push(None);
            }
            let mut out = Vec::new();
            for d in domain {
                let mut fixed = alt.clone();
                let Ty::Object(fo) = &mut fixed.ty else {
                    continue;
                };
                let label = match &d {
                    Some(v) => format!(
                        "{p}={}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_string)
                    ),
                    None => format!("{p} absent"),
                };
                for (k, n) in fo.props.iter_mut() {
                    if *k == p {
                        *n = match &d {
                            Some(v) => Node {
                                alts: n
                                    .alts
                                    .iter()
                                    .filter(|a| a.accepts(v))
                                    .map(|a| Alt {
                                        values: Some(vec![v.clone()]),
                                        ..a.clone()
                                    })
                                    .collect(),
                                ..n.clone()
                            },
                            None => Node::never(),
                        };
                    }
                }
                if d.is_some() {
                    fo.required.insert(p.clone());
                }
                fixed.label = join_label(&fixed.label, &label);
                out.extend(apply(fixed, cond)?);
            }
            Ok(out)
        }
    }
}

/// Compiles schemas into [`Node`]s, resolving `$ref`s through the embedded documents.
pub struct Compiler<'a> {
    docs: &'a Documents,
    stack: Vec<String>,
    /// How many times one `$ref` may be open at once (recursion bound).
    pub max_ref_depth: usize,
}

impl<'a> Compiler<'a> {
    /// A compiler over a document set.
    pub fn new(docs: &'a Documents) -> Self {
        Self {
            docs,
            stack: Vec::new(),
            max_ref_depth: 3,
        }
    }

    /// Compiles the schema at `uri` (a document id, optionally with a `#` pointer) into a finalised node.
    ///
    /// # Errors
    /// A keyword the compiler does not support, a `$ref` that does not resolve, or a condition it cannot split.
    pub fn compile_uri(&mut self, uri: &str) -> Result<Node, Unsupported> {
        let (doc, frag) = crate::schema::resolve::join(uri, "");
        let frag = uri.split_once('#').map_or(frag, |(_, f)| f.to_string());
        let target = self
            .docs
            .get(&doc)
            .and_then(|d| crate::schema::resolve::pointer(d, &frag))
            .ok_or_else(|| Unsupported {
                keyword: "$ref".into(),
                location: uri.into(),
                reason: "does not resolve".into(),
            })?;
        self.compile(target, &doc, &frag)?.finalize()
    }

    fn compile(&mut self, schema: &Value, doc: &str, ptr: &str) -> Result<Node, Unsupported> {
        let loc = |p: &str| format!("{doc}#{p}");
        let obj = match schema {
            Value::Bool(true) => return Ok(Node::any()),
            Value::Bool(false) => return Ok(Node::never()),
            Value::Object(o) => o,
            _ => {
                return Err(Unsupported {
                    keyword: "(schema)".into(),
                    location: loc(ptr),
                    reason: "not a schema".into(),
                })
            }
        };
        for k in obj.keys() {
            if !SUPPORTED.contains(&k.as_str()) && !ANNOTATION_KEYWORDS.contains(&k.as_str()) {
                return Err(Unsupported {
                    keyword: k.clone(),
                    location: loc(&format!("{ptr}/{k}")),
                    reason: "the generator does not implement this keyword".into(),
                });
            }
        }
        // The referenced schema first, then this object's own keywords: keys then follow the base's order
        // with refinements (such as `event`) appended, as Chatwoot appends `event` to the model's data.
        let own = self.own(obj, doc, ptr)?;
        let mut node = Node::any();
        if let Some(Value::String(r)) = obj.get("$ref") {
            let (target_doc, frag) = crate::schema::resolve::join(doc, r);
            let key = format!("{target_doc}#{frag}");
            let open = self.stack.iter().filter(|s| **s == key).count();
            let referenced = if open >= self.max_ref_depth {
                Node::never()
            } else {
                let target = self
                    .docs
                    .get(&target_doc)
                    .and_then(|d| crate::schema::resolve::pointer(d, &frag))
                    .ok_or_else(|| Unsupported {
                        keyword: "$ref".into(),
                        location: loc(&format!("{ptr}/$ref")),
                        reason: format!("`{r}` does not resolve"),
                    })?
                    .clone();
                self.stack.push(key);
                let n = self.compile(&target, &target_doc, &frag);
                self.stack.pop();
                n?
            };
            node = node.merge(&referenced);
        }
        node = node.merge(&own);
        if let Some(Value::Array(items)) = obj.get("allOf") {
            for (i, s) in items.iter().enumerate() {
                let n = self.compile(s, doc, &format!("{ptr}/allOf/{i}"))?;
                node = node.merge(&n);
            }
        }
        for kw in ["anyOf", "oneOf"] {
            if let Some(Value::Array(items)) = obj.get(kw) {
                let mut branches = Vec::new();
                for (i, s) in items.iter().enumerate() {
                    branches.push(
                        self.compile(s, doc, &format!("{ptr}/{kw}/{i}"))?
                            .finalize()?,
                    );
                }
                let union = Node::union(branches.clone(), kw);
                node = node.merge(&union);
                if kw == "oneOf" {
                    node.exclusive = Some(branches);
                }
            }
        }
        if let Some(cond) = obj.get("if") {
            let pred = self.pred(cond, doc, &format!("{ptr}/if"))?;
            let then = obj
                .get("then")
                .map(|s| self.compile(s, doc, &format!("{ptr}/then")))
                .transpose()?;
            let otherwise = obj
                .get("else")
                .map(|s| self.compile(s, doc, &format!("{ptr}/else")))
                .transpose()?;
            node.conds.push(Cond {
                pred,
                then,
                otherwise,
                location: loc(&format!("{ptr}/if")),
            });
        }
        if obj.contains_key("not") {
            return Err(Unsupported {
                keyword: "not".into(),
                location: loc(&format!("{ptr}/not")),
                reason: "`not` is supported only inside `if` conditions".into(),
            });
        }
        Ok(node)
    }

    /// The keywords of one schema object that do not apply other schemas.
    fn own(
        &mut self,
        obj: &serde_json::Map<String, Value>,
        doc: &str,
        ptr: &str,
    ) -> Result<Node, Unsupported> {
        let types: Vec<&str> = match obj.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => ALL_TYPES.to_vec(),
        };
        let values: Option<Vec<Value>> = match (obj.get("const"), obj.get("enum")) {
            (Some(c), _) => Some(vec![c.clone()]),
            (None, Some(Value::Array(vs))) => Some(vs.clone()),
            _ => None,
        };
        let num = |k: &str| obj.get(k).and_then(Value::as_f64);
        let uint = |k: &str| obj.get(k).and_then(Value::as_u64);
        let format = obj
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut alts = Vec::new();
        let typed = obj.get("type").is_some();
        for t in &types {
            let ty = match *t {
                "null" => Ty::Null,
                "boolean" => Ty::Bool,
                "integer" | "number" => {
                    let mut min = num("minimum");
                    let mut max = num("maximum");
                    if let Some(x) = num("exclusiveMinimum") {
                        min = Some(if *t == "integer" {
                            x.floor() + 1.0
                        } else {
                            x + f64::EPSILON * x.abs().max(1.0)
                        });
                    }
                    if let Some(x) = num("exclusiveMaximum") {
                        max = Some(if *t == "integer" {
                            x.ceil() - 1.0
                        } else {
                            x - f64::EPSILON * x.abs().max(1.0)
                        });
                    }
                    if *t == "integer" {
                        Ty::Integer {
                            min: min.map(|f| f.ceil() as i64),
                            max: max.map(|f| f.floor() as i64),
                            format: format.clone(),
                        }
                    } else {
                        Ty::Number {
                            min,
                            max,
                            format: format.clone(),
                        }
                    }
                }
                "string" => Ty::String {
                    format: format.clone(),
                    pattern: obj
                        .get("pattern")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    min_len: uint("minLength").unwrap_or(0),
                    max_len: uint("maxLength"),
                },
                "array" => {
                    let items = match obj.get("items") {
                        Some(s) => Some(Box::new(self.compile(s, doc, &format!("{ptr}/items"))?)),
                        None => None,
                    };
                    let mut prefix = Vec::new();
                    if let Some(Value::Array(ps)) = obj.get("prefixItems") {
                        for (i, s) in ps.iter().enumerate() {
                            prefix.push(self.compile(s, doc, &format!("{ptr}/prefixItems/{i}"))?);
                        }
                    }
                    Ty::Array {
                        items,
                        prefix,
                        min: uint("minItems").unwrap_or(0),
                        max: uint("maxItems"),
                    }
                }
                "object" => {
                    let mut o = Object {
                        min_props: uint("minProperties"),
                        max_props: uint("maxProperties"),
                        ..Object::default()
                    };
                    if let Some(Value::Object(props)) = obj.get("properties") {
                        for (k, s) in props {
                            let p = format!(
                                "{ptr}/properties/{}",
                                k.replace('~', "~0").replace('/', "~1")
                            );
                            o.props.push((k.clone(), self.compile(s, doc, &p)?));
                        }
                    }
                    if let Some(Value::Array(req)) = obj.get("required") {
                        o.required = req
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect();
                    }
                    o.additional = match obj.get("additionalProperties") {
                        None if typed || o.props.is_empty() && o.required.is_empty() => None,
                        None => None,
                        Some(Value::Bool(true)) => Some(None),
                        Some(s) => Some(Some(Box::new(self.compile(
                            s,
                            doc,
                            &format!("{ptr}/additionalProperties"),
                        )?))),
                    };
                    if !typed && o.props.is_empty() && o.additional.is_none() {
                        // An untyped schema's object branch without object keywords is free-form.
                        o.additional = Some(None);
                    }
                    Ty::Object(o)
                }
                other => {
                    return Err(Unsupported {
                        keyword: "type".into(),
                        location: format!("{doc}#{ptr}/type"),
                        reason: format!("unknown type `{other}`"),
                    })
                }
            };
            let label = if types.len() > 1 && typed {
                (*t).to_string()
            } else {
                String::new()
            };
            let mut alt = Alt {
                label,
                ty,
                values: None,
            };
            if let Some(vs) = &values {
                let kept: Vec<Value> = vs.iter().filter(|v| alt.accepts_ty(v)).cloned().collect();
                if kept.is_empty() {
                    continue;
                }
                alt.values = Some(kept);
            }
            alts.push(alt);
        }
        Ok(Node {
            alts,
            ..Node::default()
        })
    }

    fn pred(&mut self, s: &Value, doc: &str, ptr: &str) -> Result<Pred, Unsupported> {
        let bad = |reason: &str| Unsupported {
            keyword: "if".into(),
            location: format!("{doc}#{ptr}"),
            reason: reason.into(),
        };
        let obj = s
            .as_object()
            .ok_or_else(|| bad("the condition must be a schema object"))?;
        let mut all = Vec::new();
        for (k, v) in obj {
            match k.as_str() {
                "type" => {
                    let ts: BTreeSet<&'static str> = match v {
                        Value::String(t) => ALL_TYPES
                            .iter()
                            .chain(["integer"].iter())
                            .copied()
                            .filter(|x| x == t)
                            .collect(),
                        Value::Array(a) => ALL_TYPES
                            .iter()
                            .chain(["integer"].iter())
                            .copied()
                            .filter(|x| a.iter().any(|t| t == x))
                            .collect(),
                        _ => return Err(bad("`type` must be a string or array")),
                    };
                    all.push(Pred::Type(ts));
                }
                "properties" => {
                    for (p, sub) in v
                        .as_object()
                        .ok_or_else(|| bad("`properties` must be an object"))?
                    {
                        // `enum` is a choice of `const`s (the attachment's file types with a stored file).
                        match (sub.get("const"), sub.get("enum").and_then(Value::as_array)) {
                            (Some(c), _) => all.push(Pred::PropConst(p.clone(), c.clone())),
                            (None, Some(values)) => all.push(Pred::Or(
                                values
                                    .iter()
                                    .map(|c| Pred::PropConst(p.clone(), c.clone()))
                                    .collect(),
                            )),
                            (None, None) => {
                                return Err(bad(
                                    "only `const` or `enum` conditions on properties are supported",
                                ))
                            }
                        }
                    }
                }
                "required" => {} // implied by PropConst; a bare `required` condition is checked below
                "not" => {
                    let req = v
                        .get("required")
                        .and_then(Value::as_array)
                        .filter(|_| v.as_object().is_some_and(|o| o.len() == 1))
                        .ok_or_else(|| bad("only `not: {required: [...]}` is supported"))?;
                    all.extend(
                        req.iter()
                            .filter_map(Value::as_str)
                            .map(|p| Pred::PropAbsent(p.to_string())),
                    );
                }
                "anyOf" => {
                    let mut ors = Vec::new();
                    for (i, b) in v
                        .as_array()
                        .ok_or_else(|| bad("`anyOf` must be an array"))?
                        .iter()
                        .enumerate()
                    {
                        ors.push(self.pred(b, doc, &format!("{ptr}/anyOf/{i}"))?);
                    }
                    all.push(Pred::Or(ors));
                }
                other => return Err(bad(&format!("`{other}` is not supported in conditions"))),
            }
        }
        if let Some(Value::Array(req)) = obj.get("required") {
            // A bare `required` condition (no `properties` beside it) tests presence.
            if !obj.contains_key("properties") {
                all.extend(
                    req.iter()
                        .filter_map(Value::as_str)
                        .map(|p| Pred::PropPresent(p.to_string())),
                );
            }
            for p in req
                .iter()
                .filter_map(Value::as_str)
                .filter(|_| obj.contains_key("properties"))
            {
                let pins = |x: &Pred| matches!(x, Pred::PropConst(q, _) if q == p);
                let pinned = all.iter().any(|x| {
                    pins(x) || matches!(x, Pred::Or(ors) if !ors.is_empty() && ors.iter().all(pins))
                });
                if !pinned {
                    return Err(bad(
                        "a `required` condition must go with a `const` on the same property",
                    ));
                }
            }
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Pred::And(all)
        })
    }
}

/// The alternative of `node` that accepts `v`, if any.
pub(crate) fn alt_of<'n>(node: &'n Node, v: &Value) -> Option<&'n Alt> {
    node.alts.iter().find(|a| a.accepts(v))
}

/// Calls `f(pointer, node, alt, value)` for every value of `v` that the schema describes, parents before
/// children. Values under free-form objects (no schema) are not visited.
pub(crate) fn walk<'n>(
    node: &'n Node,
    v: &Value,
    ptr: &str,
    f: &mut dyn FnMut(&str, &'n Node, &'n Alt, &Value),
) {
    let Some(alt) = alt_of(node, v) else {
        return;
    };
    f(ptr, node, alt, v);
    match (&alt.ty, v) {
        (Ty::Object(o), Value::Object(m)) => {
            for (k, x) in m {
                let child = crate::finding::push_token(ptr, k);
                match o.prop(k) {
                    Some(n) => walk(n, x, &child, f),
                    None => {
                        if let Some(Some(a)) = &o.additional {
                            walk(a, x, &child, f);
                        }
                    }
                }
            }
        }
        (Ty::Array { items, prefix, .. }, Value::Array(a)) => {
            for (i, x) in a.iter().enumerate() {
                if let Some(n) = prefix.get(i).or(items.as_deref()) {
                    walk(n, x, &format!("{ptr}/{i}"), f);
                }
            }
        }
        _ => {}
    }
}
