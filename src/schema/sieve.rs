//! The release sieve: one pass over a payload that yields every release whose contract accepts it cleanly
//! (no error, no unknown key), without a validator per release.
//!
//! Every release contract is derived from the same annotated files ([`derive`](super::derive)): a
//! property, an `anyOf`/`oneOf` branch or an `enum` value exists only in its `x-since`/`x-until` range, and
//! `x-required` keys are required wherever their property exists. Rather than validate a payload against
//! each of the ~35 distinct contracts of an event in turn, the sieve reads the union's closed twins (see
//! [`closure`](super::closure)) with the annotations left in and evaluates every keyword to the *set* of
//! releases in which it holds: `properties` intersects each key's verdict with its range, `anyOf` unites
//! its branches' sets, `not` complements, and `unevaluatedProperties: false` asks, per key, in which
//! releases some valid subschema evaluated it. Each step is the per-release meaning applied to all releases
//! at once (a `u128` of them), so the result is exact by construction; `tests/it/sieve.rs` holds it against
//! the per-release validators on generated and mutated payloads of every release's shapes (compat's
//! generator and a sample of single releases), the examples and the negative cases.
//!
//! It covers the keywords `schemas/` uses. A document with any other keyword does not compile into a sieve
//! (the [`Catalog`](crate::Catalog) then asks the release contracts one by one, as before), and a test
//! fails, so the sieve is never silently partial.
use std::collections::HashMap;

use serde_json::{Map, Value};
use smallvec::SmallVec;

use super::{
    closure,
    derive::{in_range, ENUM_RELEASES, X_REQUIRED},
    resolve::{join, pointer},
    ANNOTATION_KEYWORDS,
};
use crate::{
    event::EventName,
    format,
    release::{Release, ReleaseSet, COUNT},
};

type Bits = u128;

/// One count per release, by [`Release::index`].
pub(crate) type Counts = [u16; COUNT];

/// Adds `more` to `t` in the releases of `releases`.
fn add(t: &mut Counts, more: &Counts, releases: Bits) {
    for (r, (count, m)) in t.iter_mut().zip(more).enumerate() {
        if releases & (1 << r) != 0 {
            *count = count.saturating_add(*m);
        }
    }
}

/// A JSON type, as a bit of [`Schema::types`].
fn type_bit(name: &str) -> Option<u8> {
    Some(match name {
        "null" => 1,
        "boolean" => 2,
        "integer" => 4,
        "number" => 8,
        "string" => 16,
        "array" => 32,
        "object" => 64,
        _ => return None,
    })
}

fn type_ok(mask: u8, v: &Value) -> bool {
    match v {
        Value::Null => mask & 1 != 0,
        Value::Bool(_) => mask & 2 != 0,
        Value::Number(n) => {
            mask & 8 != 0
                || (mask & 4 != 0
                    && (n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)))
        }
        Value::String(_) => mask & 16 != 0,
        Value::Array(_) => mask & 32 != 0,
        Value::Object(_) => mask & 64 != 0,
    }
}

/// JSON Schema equality: numbers by value (`1` equals `1.0`), objects regardless of key order.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, xv)| y.get(k).is_some_and(|yv| equal(xv, yv)))
        }
        _ => a == b,
    }
}

enum Node {
    Bool(bool),
    Schema(Box<Schema>),
}

#[derive(Default)]
struct Schema {
    types: Option<u8>,
    constant: Option<Value>,
    /// Each distinct value with the releases that send it.
    enumeration: Option<Vec<(Value, Bits)>>,
    format: Option<&'static str>,
    pattern: Option<jsonschema::Validator>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    min_properties: Option<usize>,
    max_properties: Option<usize>,
    required: Vec<String>,
    /// `x-required` keys with their property's range: required in those releases.
    x_required: Vec<(String, Bits)>,
    /// Each property's range and schema.
    properties: Properties,
    additional: Option<usize>,
    items: Option<usize>,
    all_of: Vec<usize>,
    any_of: Vec<(Bits, usize)>,
    one_of: Vec<(Bits, usize)>,
    condition: Option<usize>,
    then: Option<usize>,
    otherwise: Option<usize>,
    not: Option<usize>,
    reference: Option<usize>,
    /// `unevaluatedProperties: false` (injected by the closed twin).
    closed: bool,
}

/// Why the sieve could not be built: a keyword it does not evaluate, or a reference it cannot follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported {
    /// `<document uri>#<pointer>`.
    pub location: String,
    pub reason: String,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

/// The compiled sieve of one document set (the union's closed twins).
pub(crate) struct Sieve {
    nodes: Vec<Node>,
    /// Per event: its root node and the releases that send it.
    roots: Vec<(EventName, usize, Bits)>,
}

struct Compiler<'a> {
    docs: HashMap<&'a str, &'a Value>,
    nodes: Vec<Node>,
    done: HashMap<String, usize>,
    /// The pattern validators, compiled with the catalog's options (the same regex engine).
    pattern: &'a dyn Fn(&str) -> Result<jsonschema::Validator, String>,
    all: Bits,
}

fn bits(set: ReleaseSet) -> Bits {
    set.bits()
}

fn range(schema: &Value, all: Bits) -> Bits {
    Release::all()
        .filter(|r| in_range(schema, r.number()))
        .fold(0, |acc, r| acc | 1 << r.index())
        & all
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Compiler<'_> {
    fn unsupported(doc: &str, ptr: &str, reason: impl Into<String>) -> Unsupported {
        Unsupported {
            location: format!("{doc}#{ptr}"),
            reason: reason.into(),
        }
    }

    /// The node of the schema at `doc#ptr`, compiled once (references may form cycles).
    fn node(&mut self, doc: &str, ptr: &str) -> Result<usize, Unsupported> {
        let key = format!("{doc}#{ptr}");
        if let Some(&i) = self.done.get(&key) {
            return Ok(i);
        }
        let schema = self
            .docs
            .get(doc)
            .and_then(|d| pointer(d, ptr))
            .ok_or_else(|| Self::unsupported(doc, ptr, "no schema there"))?;
        let i = self.nodes.len();
        self.nodes.push(Node::Bool(true));
        self.done.insert(key, i);
        let node = match schema {
            Value::Bool(b) => Node::Bool(*b),
            Value::Object(obj) => Node::Schema(Box::new(self.schema(doc, ptr, obj)?)),
            _ => return Err(Self::unsupported(doc, ptr, "not a schema")),
        };
        self.nodes[i] = node;
        Ok(i)
    }

    fn list(
        &mut self,
        doc: &str,
        ptr: &str,
        kw: &str,
        value: &Value,
    ) -> Result<Vec<(Bits, usize)>, Unsupported> {
        let items = value
            .as_array()
            .ok_or_else(|| Self::unsupported(doc, ptr, format!("`{kw}` is not an array")))?;
        let mut out = Vec::with_capacity(items.len());
        for (i, sub) in items.iter().enumerate() {
            let node = self.node(doc, &format!("{ptr}/{kw}/{i}"))?;
            out.push((range(sub, self.all), node));
        }
        Ok(out)
    }

    fn schema(
        &mut self,
        doc: &str,
        ptr: &str,
        obj: &Map<String, Value>,
    ) -> Result<Schema, Unsupported> {
        let mut s = Schema::default();
        let bad = |reason: String| Self::unsupported(doc, ptr, reason);
        let usize_of = |kw: &str, v: &Value| {
            v.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| bad(format!("`{kw}` is not a count")))
        };
        let float_of = |kw: &str, v: &Value| {
            v.as_f64()
                .ok_or_else(|| bad(format!("`{kw}` is not a number")))
        };
        for (kw, value) in obj {
            let sub = |kw: &str| format!("{ptr}/{kw}");
            match kw.as_str() {
                k if k.starts_with("x-") || ANNOTATION_KEYWORDS.contains(&k) => {}
                "type" => {
                    let names: Vec<&Value> = match value {
                        Value::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    let mut mask = 0;
                    for name in names {
                        mask |= name
                            .as_str()
                            .and_then(type_bit)
                            .ok_or_else(|| bad(format!("unknown type {name}")))?;
                    }
                    s.types = Some(mask);
                }
                "const" => s.constant = Some(value.clone()),
                "enum" => {
                    let values = value
                        .as_array()
                        .ok_or_else(|| bad("`enum` is not an array".into()))?;
                    let ranges = obj.get(ENUM_RELEASES).and_then(Value::as_array);
                    let mut out: Vec<(Value, Bits)> = Vec::with_capacity(values.len());
                    for v in values {
                        let held = ranges
                            .into_iter()
                            .flatten()
                            .filter(|r| r.get("value") == Some(v))
                            .fold(self.all, |acc, r| acc & range(r, self.all));
                        match out.iter_mut().find(|(x, _)| x == v) {
                            Some((_, b)) => *b |= held,
                            None => out.push((v.clone(), held)),
                        }
                    }
                    s.enumeration = Some(out);
                }
                "format" => {
                    let name = value.as_str().unwrap_or_default();
                    s.format = Some(format::ALL.into_iter().find(|f| *f == name).ok_or_else(
                        || bad(format!("format `{name}` is not one of hookcheck's")),
                    )?);
                }
                "pattern" => {
                    let p = value
                        .as_str()
                        .ok_or_else(|| bad("`pattern` is not a string".into()))?;
                    s.pattern = Some((self.pattern)(p).map_err(bad)?);
                }
                "minimum" => s.minimum = Some(float_of(kw, value)?),
                "maximum" => s.maximum = Some(float_of(kw, value)?),
                "minItems" => s.min_items = Some(usize_of(kw, value)?),
                "maxItems" => s.max_items = Some(usize_of(kw, value)?),
                "minProperties" => s.min_properties = Some(usize_of(kw, value)?),
                "maxProperties" => s.max_properties = Some(usize_of(kw, value)?),
                "required" => {
                    s.required = value
                        .as_array()
                        .map(|keys| {
                            keys.iter()
                                .filter_map(|k| k.as_str().map(String::from))
                                .collect()
                        })
                        .ok_or_else(|| bad("`required` is not an array".into()))?;
                }
                "properties" => {
                    let props = value
                        .as_object()
                        .ok_or_else(|| bad("`properties` is not an object".into()))?;
                    for (name, schema) in props {
                        let node = self.node(doc, &format!("{ptr}/properties/{}", escape(name)))?;
                        s.properties
                            .insert(name.clone(), (range(schema, self.all), node));
                    }
                }
                "additionalProperties" => s.additional = Some(self.node(doc, &sub(kw))?),
                "items" => s.items = Some(self.node(doc, &sub(kw))?),
                "allOf" => {
                    s.all_of = self
                        .list(doc, ptr, kw, value)?
                        .into_iter()
                        .map(|(_, n)| n)
                        .collect();
                }
                "anyOf" => s.any_of = self.list(doc, ptr, kw, value)?,
                "oneOf" => s.one_of = self.list(doc, ptr, kw, value)?,
                "if" => s.condition = Some(self.node(doc, &sub(kw))?),
                "then" => s.then = Some(self.node(doc, &sub(kw))?),
                "else" => s.otherwise = Some(self.node(doc, &sub(kw))?),
                "not" => s.not = Some(self.node(doc, &sub(kw))?),
                "$ref" => {
                    let reference = value
                        .as_str()
                        .ok_or_else(|| bad("`$ref` is not a string".into()))?;
                    let (target, fragment) = join(doc, reference);
                    s.reference = Some(self.node(&target, &fragment)?);
                }
                "unevaluatedProperties" => match value {
                    Value::Bool(false) => s.closed = true,
                    Value::Bool(true) => {}
                    _ => return Err(bad("`unevaluatedProperties` other than a boolean".into())),
                },
                other => {
                    return Err(bad(format!(
                        "keyword `{other}` is not evaluated by the sieve"
                    )))
                }
            }
        }
        if let Some(keys) = obj.get(X_REQUIRED) {
            let keys = keys
                .as_array()
                .ok_or_else(|| bad(format!("`{X_REQUIRED}` is not an array")))?;
            for key in keys.iter().filter_map(Value::as_str) {
                // A key whose property this schema does not declare never joins `required` (see derive).
                if let Some((held, _)) = s.properties.get(key) {
                    s.x_required.push((key.to_string(), *held));
                }
            }
        }
        Ok(s)
    }
}

impl Sieve {
    /// Compiles the sieve of `resources` (the union's documents and their closed twins, see
    /// [`closure::twin_set`]) for `events`, each with the releases that send it. `pattern` compiles a
    /// `pattern` keyword's regular expression the way the validators do.
    pub(crate) fn new(
        resources: &[(String, Value)],
        events: &[(EventName, ReleaseSet)],
        event_uri: impl Fn(EventName) -> String,
        pattern: &dyn Fn(&str) -> Result<jsonschema::Validator, String>,
    ) -> Result<Sieve, Unsupported> {
        let all = bits(ReleaseSet::all());
        let mut compiler = Compiler {
            docs: resources
                .iter()
                .map(|(uri, doc)| (uri.as_str(), doc))
                .collect(),
            nodes: Vec::new(),
            done: HashMap::new(),
            pattern,
            all,
        };
        let mut roots = Vec::with_capacity(events.len());
        for (event, sends) in events {
            let target = closure::closed_uri(&event_uri(*event));
            let reference = compiler.node(&target, "")?;
            // The root of the closed validators: the event schema's twin, and no unknown key at the top.
            let root = compiler.nodes.len();
            compiler.nodes.push(Node::Schema(Box::new(Schema {
                reference: Some(reference),
                closed: true,
                ..Schema::default()
            })));
            roots.push((*event, root, bits(*sends)));
        }
        Ok(Sieve {
            nodes: compiler.nodes,
            roots,
        })
    }

    /// The releases whose contract accepts `value` as `event` with no error and no unknown key.
    pub(crate) fn accepts(&self, event: EventName, value: &Value) -> ReleaseSet {
        let Some((_, root, sends)) = self.roots.iter().find(|(e, _, _)| *e == event) else {
            return ReleaseSet::EMPTY;
        };
        ReleaseSet::from_bits(self.eval(*root, value, *sends, None))
    }

    /// Per release (by [`Release::index`]), a lower bound on the errors that release's contract as written
    /// (the open schema: unknown keys are not errors) reports for `value` as `event`: 0 exactly when it
    /// accepts it. The closest-release search scores the releases in this order and stops at the first
    /// whose bound exceeds the best score found, so it rarely compiles or runs more than a few contracts.
    ///
    /// Each count is what the `jsonschema` crate reports at least: one error per failing keyword, the
    /// errors of every failing property and item added up, a failed `anyOf`/`oneOf`/`not` as one.
    /// `tests/it/sieve.rs` holds it against the release contracts' own error counts.
    pub(crate) fn error_floor(&self, event: EventName, value: &Value) -> Option<Counts> {
        let (_, root, sends) = self.roots.iter().find(|(e, _, _)| *e == event)?;
        let mut floor = self.floor(*root, value);
        // A release that does not send the event rejects it (the event name's enum), one error.
        for (r, count) in floor.iter_mut().enumerate() {
            if sends & (1 << r) == 0 {
                *count = (*count).max(1);
            }
        }
        Some(floor)
    }

    fn floor(&self, node: usize, v: &Value) -> Counts {
        match self.nodes.get(node) {
            Some(Node::Bool(true)) => [0; COUNT],
            Some(Node::Bool(false)) | None => [1; COUNT],
            Some(Node::Schema(s)) => self.floor_schema(s, v),
        }
    }

    fn floor_schema(&self, s: &Schema, v: &Value) -> Counts {
        let mut t: Counts = [0; COUNT];
        let fail_in = |t: &mut Counts, releases: Bits| {
            for (r, count) in t.iter_mut().enumerate() {
                if releases & (1 << r) != 0 {
                    *count = count.saturating_add(1);
                }
            }
        };
        if s.types.is_some_and(|m| !type_ok(m, v)) {
            return [1; COUNT];
        }
        if s.constant.as_ref().is_some_and(|c| !equal(c, v)) {
            fail_in(&mut t, Bits::MAX);
        }
        if let Some(values) = &s.enumeration {
            let held = values
                .iter()
                .filter(|(x, _)| equal(x, v))
                .fold(0, |acc, (_, held)| acc | held);
            fail_in(&mut t, !held);
        }
        match v {
            Value::String(text) => {
                if s.format
                    .is_some_and(|f| !format::check(f, text).unwrap_or(true))
                {
                    fail_in(&mut t, Bits::MAX);
                }
                if s.pattern.as_ref().is_some_and(|p| !p.is_valid(v)) {
                    fail_in(&mut t, Bits::MAX);
                }
            }
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or_default();
                if s.minimum.is_some_and(|m| x < m) {
                    fail_in(&mut t, Bits::MAX);
                }
                if s.maximum.is_some_and(|m| x > m) {
                    fail_in(&mut t, Bits::MAX);
                }
            }
            Value::Array(items) => {
                if s.min_items.is_some_and(|m| items.len() < m) {
                    fail_in(&mut t, Bits::MAX);
                }
                if s.max_items.is_some_and(|m| items.len() > m) {
                    fail_in(&mut t, Bits::MAX);
                }
                if let Some(item) = s.items {
                    for e in items {
                        add(&mut t, &self.floor(item, e), Bits::MAX);
                    }
                }
            }
            Value::Object(obj) => {
                if s.min_properties.is_some_and(|m| obj.len() < m) {
                    fail_in(&mut t, Bits::MAX);
                }
                if s.max_properties.is_some_and(|m| obj.len() > m) {
                    fail_in(&mut t, Bits::MAX);
                }
                // `required` is one keyword in a derived contract (plain and `x-required` keys): one error
                // at least wherever a key it lists is missing.
                let mut missing = if s.required.iter().any(|k| !obj.contains_key(k)) {
                    Bits::MAX
                } else {
                    0
                };
                for (key, held) in &s.x_required {
                    if !obj.contains_key(key) {
                        missing |= held;
                    }
                }
                fail_in(&mut t, missing);
                // `additionalProperties: false` may report every unexpected key in one error: the keys it
                // judges count as much as the worst of them.
                let mut extra: Counts = [0; COUNT];
                for (key, value) in obj {
                    let (declared, node) = match s.properties.get(key) {
                        Some((held, node)) => (*held, Some(*node)),
                        None => (0, None),
                    };
                    if let Some(node) = node {
                        add(&mut t, &self.floor(node, value), declared);
                    }
                    if let Some(rest) = s.additional {
                        let f = self.floor(rest, value);
                        for (r, e) in extra.iter_mut().enumerate() {
                            if declared & (1 << r) == 0 {
                                *e = (*e).max(f[r]);
                            }
                        }
                    }
                }
                add(&mut t, &extra, Bits::MAX);
            }
            _ => {}
        }
        for sub in &s.all_of {
            add(&mut t, &self.floor(*sub, v), Bits::MAX);
        }
        if !s.any_of.is_empty() || !s.one_of.is_empty() {
            for (branches, exactly_one) in [(&s.any_of, false), (&s.one_of, true)] {
                if branches.is_empty() {
                    continue;
                }
                let mut valid: [u8; COUNT] = [0; COUNT];
                for (range, sub) in branches {
                    let f = self.floor(*sub, v);
                    for (r, n) in valid.iter_mut().enumerate() {
                        if range & (1 << r) != 0 && f[r] == 0 {
                            *n = n.saturating_add(1);
                        }
                    }
                }
                let failed = valid
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| if exactly_one { **n != 1 } else { **n == 0 })
                    .fold(0, |acc, (r, _)| acc | 1 << r);
                fail_in(&mut t, failed);
            }
        }
        if let Some(condition) = s.condition {
            let holds = self.floor(condition, v);
            let then = s.then.map(|n| self.floor(n, v));
            let otherwise = s.otherwise.map(|n| self.floor(n, v));
            for (r, count) in t.iter_mut().enumerate() {
                let branch = if holds[r] == 0 { &then } else { &otherwise };
                if let Some(f) = branch {
                    *count = count.saturating_add(f[r]);
                }
            }
        }
        if let Some(not) = s.not {
            let f = self.floor(not, v);
            let held = f
                .iter()
                .enumerate()
                .filter(|(_, n)| **n == 0)
                .fold(0, |acc, (r, _)| acc | 1 << r);
            fail_in(&mut t, held);
        }
        if let Some(target) = s.reference {
            add(&mut t, &self.floor(target, v), Bits::MAX);
        }
        t
    }

    /// The releases of `want` in which schema `node` holds for `v`. With `evaluated` (one slot per key of
    /// the object `v`), adds, per key, the releases in which this schema holds and evaluated that key
    /// (the annotations `unevaluatedProperties` reads).
    fn eval(&self, node: usize, v: &Value, want: Bits, evaluated: Option<&mut [Bits]>) -> Bits {
        if want == 0 {
            return 0;
        }
        match self.nodes.get(node) {
            // `true` evaluates no key itself (a `true` in `additionalProperties` is handled there).
            Some(Node::Bool(true)) => want,
            Some(Node::Bool(false)) | None => 0,
            Some(Node::Schema(s)) => self.schema(s, v, want, evaluated),
        }
    }

    fn schema(&self, s: &Schema, v: &Value, mut want: Bits, out: Option<&mut [Bits]>) -> Bits {
        if s.types.is_some_and(|t| !type_ok(t, v))
            || s.constant.as_ref().is_some_and(|c| !equal(c, v))
        {
            return 0;
        }
        if let Some(values) = &s.enumeration {
            want &= values
                .iter()
                .filter(|(x, _)| equal(x, v))
                .fold(0, |acc, (_, held)| acc | held);
        }
        match v {
            Value::String(text)
                if s.format
                    .is_some_and(|f| !format::check(f, text).unwrap_or(true))
                    || s.pattern.as_ref().is_some_and(|p| !p.is_valid(v)) =>
            {
                return 0;
            }
            Value::Number(n) => {
                // serde_json numbers are finite, so every comparison is ordered.
                let x = n.as_f64().unwrap_or_default();
                if s.minimum.is_some_and(|m| x < m) || s.maximum.is_some_and(|m| x > m) {
                    return 0;
                }
            }
            Value::Array(items) => {
                if s.min_items.is_some_and(|m| items.len() < m)
                    || s.max_items.is_some_and(|m| items.len() > m)
                {
                    return 0;
                }
                if let Some(item) = s.items {
                    for e in items {
                        want &= self.eval(item, e, want, None);
                        if want == 0 {
                            return 0;
                        }
                    }
                }
            }
            _ => {}
        }
        if want == 0 {
            return 0;
        }
        let obj = v.as_object();
        let annotate = obj.is_some() && (out.is_some() || s.closed);
        // One slot per key of the object, on the stack for up to 32 keys (most objects of the contract).
        let mut seen: SmallVec<[Bits; 32]> = if annotate {
            smallvec::smallvec![0; obj.map_or(0, Map::len)]
        } else {
            SmallVec::new()
        };
        if let Some(obj) = obj {
            if s.min_properties.is_some_and(|m| obj.len() < m)
                || s.max_properties.is_some_and(|m| obj.len() > m)
                || s.required.iter().any(|k| !obj.contains_key(k))
            {
                return 0;
            }
            for (key, held) in &s.x_required {
                if !obj.contains_key(key) {
                    want &= !held;
                }
            }
            if !s.properties.is_empty() || s.additional.is_some() {
                for (i, (key, value)) in obj.iter().enumerate() {
                    let (declared, node) = match s.properties.get(key) {
                        Some((held, node)) => (*held, Some(*node)),
                        None => (0, None),
                    };
                    // Where the release declares the key, its property schema decides; elsewhere
                    // `additionalProperties` does (and evaluates the key), or nothing here does.
                    let by_property =
                        node.map_or(0, |n| self.eval(n, value, want & declared, None));
                    let (by_rest, covered) = match s.additional {
                        Some(extra) => (self.eval(extra, value, want & !declared, None), Bits::MAX),
                        None => (want & !declared, declared),
                    };
                    want &= by_property | by_rest;
                    if want == 0 {
                        return 0;
                    }
                    if let Some(slot) = seen.get_mut(i) {
                        *slot |= covered;
                    }
                }
            }
        }
        for sub in &s.all_of {
            want &= self.applied(*sub, v, want, &mut seen, annotate);
            if want == 0 {
                return 0;
            }
        }
        if !s.any_of.is_empty() {
            want &= self.any(&s.any_of, v, want, &mut seen, annotate);
        }
        if !s.one_of.is_empty() {
            let (mut once, mut twice) = (0, 0);
            for (held, sub) in &s.one_of {
                let ok = self.applied(*sub, v, want & held, &mut seen, annotate);
                twice |= once & ok;
                once |= ok;
            }
            want &= once & !twice;
        }
        if let Some(condition) = s.condition {
            let holds = self.applied(condition, v, want, &mut seen, annotate);
            let then = match s.then {
                Some(t) => self.applied(t, v, want & holds, &mut seen, annotate),
                None => holds,
            };
            let otherwise = match s.otherwise {
                Some(e) => self.applied(e, v, want & !holds, &mut seen, annotate),
                None => want & !holds,
            };
            want &= then | otherwise;
        }
        if let Some(not) = s.not {
            want &= !self.eval(not, v, want, None);
        }
        if let Some(target) = s.reference {
            want &= self.applied(target, v, want, &mut seen, annotate);
        }
        if want == 0 {
            return 0;
        }
        if s.closed {
            for held in &seen {
                want &= held;
            }
        }
        if let Some(out) = out {
            for (slot, held) in out.iter_mut().zip(&seen) {
                *slot |= held & want;
            }
        }
        want
    }

    /// `anyOf`: the releases in which some branch in range holds. With annotations, every branch is
    /// evaluated (each valid one contributes); without, it stops once every wanted release is held.
    fn any(
        &self,
        branches: &[(Bits, usize)],
        v: &Value,
        want: Bits,
        seen: &mut [Bits],
        annotate: bool,
    ) -> Bits {
        let mut held = 0;
        for (range, sub) in branches {
            let ask = if annotate {
                want & range
            } else {
                want & range & !held
            };
            held |= self.applied(*sub, v, ask, seen, annotate);
            if !annotate && held == want {
                break;
            }
        }
        held
    }

    /// A subschema applied in place (same instance location): its verdict, and, when annotating, the keys
    /// it evaluated, added to `seen` (only in the releases where it holds: [`Sieve::schema`] masks what it
    /// adds by its own verdict, so a failed branch's keys never count).
    fn applied(
        &self,
        sub: usize,
        v: &Value,
        want: Bits,
        seen: &mut [Bits],
        annotate: bool,
    ) -> Bits {
        self.eval(sub, v, want, annotate.then_some(seen))
    }
}

/// FNV-1a: property names are short and chosen by the schemas, so SipHash's flooding defence buys
/// nothing and costs a tenth of the sieve's time.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type Properties = HashMap<String, (Bits, usize), std::hash::BuildHasherDefault<Fnv>>;
