//! `hookcheck schemas diff OLD NEW`: the changes between two versions of the schema set that break the
//! teams on either side of a webhook.
//!
//! A schema describes the set of bodies a sender may deliver. A change that **widens** that set (a key
//! removed or made optional, a type widened, `null` allowed, an enum value added, a bound loosened, an
//! alternative added, a condition dropped) lets a conforming sender deliver bodies that a consumer written
//! against the old version did not expect: it breaks **consumers**. A change that **narrows** it (a key made
//! required or a required key added, a type narrowed, an enum value removed, a bound tightened, a pattern or
//! format added, a condition added, an event removed) makes bodies that conformed before fail: it breaks
//! **senders**. A change that does both (a type or a pattern replaced) breaks both.
//!
//! Two changes are not breaking on purpose: an **event added** (a Chatwoot webhook delivers only the events
//! it subscribes to, so no existing consumer receives it), and an **optional key added** (every schema lets
//! unknown keys through, so consumers ignore it and senders that did not send it still conform).
//!
//! How the comparison works: for each event (found through the entry schema's dispatch on `event`), the
//! event's schema, merged with what the entry schema demands of every body besides that dispatch (its own
//! `properties` and `required`), is expanded into one [`Shape`] per instance location: `$ref` and `allOf` are merged,
//! `if`/`then` branches are kept apart and labelled by their condition (`type=user`), `anyOf` / `oneOf`
//! branches by what tells them apart (`null`, `type=user`, their title). The two shapes are then walked
//! together. Inputs are directories of schema files (references resolved by `$id`) or bundles written by
//! `hookcheck schemas export --format bundle`, in any combination: a directory and its own bundle compare
//! equal.
//!
//! ```
//! use hookcheck::diff::{diff_values, Audience};
//! use serde_json::json;
//!
//! let old = json!({"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]});
//! let new = json!({"type": "object", "properties": {"id": {"type": ["integer", "null"]}}, "required": ["id"]});
//! let changes = diff_values(&old, &new);
//! assert_eq!(changes.len(), 1);
//! assert_eq!(changes[0].kind.name(), "type-widened");
//! assert!(changes[0].breaks(Audience::Consumers) && !changes[0].breaks(Audience::Senders));
//! ```
use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use serde_json::Value;

use crate::{
    error::{Error, Result},
    profile::Profile,
    schema::resolve::{join, pointer},
};

/// Whose code a change can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Audience {
    /// Teams that receive the webhooks: broken when the schema widens.
    Consumers,
    /// Teams that deliver them (Chatwoot forks, compatible platforms): broken when it narrows.
    Senders,
    /// Either.
    Both,
}

/// A kind of change. [`Kind::name`] is the stable identifier in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// An event appears (not breaking: webhooks deliver only subscribed events).
    EventAdded,
    /// An event disappears: senders that deliver it no longer conform.
    EventRemoved,
    /// A declared key disappears from `properties`: consumers lose its guarantee.
    KeyRemoved,
    /// A new optional key is declared (not breaking).
    KeyAdded,
    /// A new key is declared and required: senders must send it.
    RequiredKeyAdded,
    /// A declared key becomes required.
    KeyNowRequired,
    /// A required key becomes optional: consumers can no longer rely on it.
    KeyNowOptional,
    /// More JSON types are allowed (including `null`).
    TypeWidened,
    /// Fewer JSON types are allowed.
    TypeNarrowed,
    /// Types replaced: neither set contains the other.
    TypeChanged,
    /// An enum (or const) allows a new value.
    EnumValueAdded,
    /// An enum (or const) no longer allows a value.
    EnumValueRemoved,
    /// A value that was free is now limited to a list.
    EnumAdded,
    /// A value that was limited to a list is now free.
    EnumRemoved,
    /// A bound (`minimum`, `maxItems`, ...) appears or gets stricter.
    BoundTightened,
    /// A bound disappears or gets looser.
    BoundLoosened,
    /// A `pattern` or `format` appears.
    PatternAdded,
    /// A `pattern` or `format` disappears.
    PatternRemoved,
    /// `additionalProperties: false` appears: keys that were tolerated are now rejected.
    Closed,
    /// `additionalProperties: false` disappears.
    Opened,
    /// An `anyOf`/`oneOf` branch appears.
    AlternativeAdded,
    /// An `anyOf`/`oneOf` branch disappears.
    AlternativeRemoved,
    /// An `if`/`then` condition appears.
    ConditionAdded,
    /// An `if`/`then` condition disappears.
    ConditionRemoved,
    /// Any other constraint changed (`not`, a schema-valued `additionalProperties`, ...).
    OtherChanged,
}

impl Kind {
    /// The identifier in the output, e.g. `key-now-optional`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::EventAdded => "event-added",
            Kind::EventRemoved => "event-removed",
            Kind::KeyRemoved => "key-removed",
            Kind::KeyAdded => "key-added",
            Kind::RequiredKeyAdded => "required-key-added",
            Kind::KeyNowRequired => "key-now-required",
            Kind::KeyNowOptional => "key-now-optional",
            Kind::TypeWidened => "type-widened",
            Kind::TypeNarrowed => "type-narrowed",
            Kind::TypeChanged => "type-changed",
            Kind::EnumValueAdded => "enum-value-added",
            Kind::EnumValueRemoved => "enum-value-removed",
            Kind::EnumAdded => "enum-added",
            Kind::EnumRemoved => "enum-removed",
            Kind::BoundTightened => "bound-tightened",
            Kind::BoundLoosened => "bound-loosened",
            Kind::PatternAdded => "pattern-added",
            Kind::PatternRemoved => "pattern-removed",
            Kind::Closed => "closed",
            Kind::Opened => "opened",
            Kind::AlternativeAdded => "alternative-added",
            Kind::AlternativeRemoved => "alternative-removed",
            Kind::ConditionAdded => "condition-added",
            Kind::ConditionRemoved => "condition-removed",
            Kind::OtherChanged => "other-changed",
        }
    }

    /// Whose code this kind of change breaks: `(consumers, senders)`.
    fn audience(self) -> (bool, bool) {
        match self {
            Kind::EventAdded | Kind::KeyAdded => (false, false),
            Kind::KeyRemoved
            | Kind::KeyNowOptional
            | Kind::TypeWidened
            | Kind::EnumValueAdded
            | Kind::EnumRemoved
            | Kind::BoundLoosened
            | Kind::PatternRemoved
            | Kind::Opened
            | Kind::AlternativeAdded
            | Kind::ConditionRemoved => (true, false),
            Kind::EventRemoved
            | Kind::RequiredKeyAdded
            | Kind::KeyNowRequired
            | Kind::TypeNarrowed
            | Kind::EnumValueRemoved
            | Kind::EnumAdded
            | Kind::BoundTightened
            | Kind::PatternAdded
            | Kind::Closed
            | Kind::AlternativeRemoved
            | Kind::ConditionAdded => (false, true),
            Kind::TypeChanged | Kind::OtherChanged => (true, true),
        }
    }
}

/// One change at one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// What changed.
    pub kind: Kind,
    /// The event whose bodies it affects (`""` for a dispatch-level change).
    pub event: String,
    /// Where in the body: a JSON Pointer, `*` standing for any array index.
    pub pointer: String,
    /// The `if` / `anyOf` branches the place lies in, outermost first (`type=user`).
    pub branch: Vec<String>,
    /// What changed, without the place: `key \`email\` is now required`.
    pub message: String,
    /// For [`Kind::KeyRemoved`]: the object no longer lets unknown keys through, so senders break too.
    pub closed_object: bool,
}

impl Change {
    /// Whether this change breaks `audience` (for [`Audience::Both`]: either side).
    pub fn breaks(&self, audience: Audience) -> bool {
        let (c, mut s) = self.kind.audience();
        if self.kind == Kind::KeyRemoved && self.closed_object {
            s = true;
        }
        match audience {
            Audience::Consumers => c,
            Audience::Senders => s,
            Audience::Both => c || s,
        }
    }

    /// The audiences it breaks, by name.
    pub fn breaking_for(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.breaks(Audience::Consumers) {
            v.push("consumers");
        }
        if self.breaks(Audience::Senders) {
            v.push("senders");
        }
        v
    }
}

// ---------------------------------------------------------------------------------------------------------
// Loading a schema set
// ---------------------------------------------------------------------------------------------------------

/// A version of the schema set: every document by base URI, and the entry schema.
#[derive(Debug, Clone)]
pub struct SchemaSet {
    /// Documents (and embedded resources with an `$id`) by URI.
    docs: BTreeMap<String, Value>,
    /// URI of the entry schema's document.
    entry: String,
    /// What was loaded, for messages.
    pub origin: String,
    /// Loaded from a directory (the profile chose its entry schema).
    pub directory: bool,
}

impl SchemaSet {
    /// Loads a directory of schema files or a bundle file. For a directory, the entry schema is looked up
    /// as `DIR/chatwoot/webhook.json` (DIR = `schemas/`), then `DIR/webhook.json` (DIR =
    /// `schemas/chatwoot/`); under a release profile the files are read as that release's contract
    /// (derived from their release annotations), under `compat` as written. A bundle is its own entry and
    /// `profile` does not apply.
    ///
    /// # Errors
    /// An unreadable file, a file that is not JSON, a directory without the entry schema.
    pub fn load(path: &Path, profile: Profile) -> Result<Self> {
        let origin = path.display().to_string();
        if path.is_dir() {
            let mut docs = BTreeMap::new();
            let mut by_path = BTreeMap::new();
            let mut files = Vec::new();
            walk(path, &mut files).map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })?;
            for file in files {
                let mut doc = read_json(&file)?;
                if let Some(release) = profile.pinned() {
                    // The files describe every release: compare what this one sends.
                    doc = crate::schema::derive::derive(&doc, release.number());
                }
                let abs = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
                let uri = match doc.get("$id").and_then(Value::as_str) {
                    Some(id) => join(id, "").0,
                    None => format!("file://{}", abs.display()),
                };
                by_path.insert(abs, uri.clone());
                register(&uri, &doc, &mut docs);
                docs.insert(uri, doc);
            }
            let entry = profile.entry_path();
            let candidates = [
                path.join(entry),
                path.join(entry.strip_prefix("chatwoot/").unwrap_or(entry)),
            ];
            let entry = candidates
                .iter()
                .filter_map(|c| std::fs::canonicalize(c).ok())
                .find_map(|c| by_path.get(&c).cloned())
                .ok_or_else(|| Error::Unknown {
                    what: "schema set",
                    given: origin.clone(),
                    hint: format!(
                        "; no {entry} below it (expected schemas/ or schemas/chatwoot/ of a hookcheck \
                         checkout, or a bundle from `hookcheck schemas export --format bundle`)"
                    ),
                })?;
            Ok(Self {
                docs,
                entry,
                origin,
                directory: true,
            })
        } else {
            let doc = read_json(path)?;
            Ok(Self::from_bundle(doc, origin))
        }
    }

    /// A set made of one document (a bundle, or any self-contained schema with local references).
    pub fn from_bundle(doc: Value, origin: String) -> Self {
        let uri = match doc.get("$id").and_then(Value::as_str) {
            Some(id) => join(id, "").0,
            None => "urn:hookcheck:bundle".to_string(),
        };
        let mut docs = BTreeMap::new();
        register(&uri, &doc, &mut docs);
        docs.insert(uri.clone(), doc);
        Self {
            docs,
            entry: uri,
            origin,
            directory: false,
        }
    }

    /// The set made of the files of a catalog (the embedded schemas), under `profile` (a release's derived
    /// documents, or the files as written for `compat`).
    ///
    /// # Errors
    /// The release contracts could not be derived (a defect in `schemas/`).
    pub fn from_catalog(catalog: &crate::Catalog, profile: Profile) -> crate::Result<Self> {
        let docs: BTreeMap<String, Value> = catalog
            .documents_for(profile)?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Self {
            docs,
            entry: format!(
                "{}{}",
                crate::schema::resolve::BASE_URI,
                profile.entry_path()
            ),
            origin: format!("embedded ({profile})"),
            directory: true,
        })
    }

    fn resolve(&self, base: &str, reference: &str) -> Option<(String, &Value)> {
        let (doc, fragment) = join(base, reference);
        let d = self.docs.get(&doc)?;
        pointer(d, &fragment).map(|v| (doc, v))
    }

    /// The events the entry schema dispatches to, with their schemas and base URIs. An event whose name
    /// the entry schema itself does not allow (a release's `event` enum without it) is not one.
    fn events(&self) -> BTreeMap<String, (Value, String)> {
        let mut out = BTreeMap::new();
        if let Some(root) = self.docs.get(&self.entry) {
            self.dispatch(root, &self.entry, 0, &mut out);
        }
        if let Some(names) = self
            .entry_shape()
            .props
            .get("event")
            .and_then(|e| e.values.as_ref())
        {
            out.retain(|e, _| names.contains(&Value::String(e.clone())));
        }
        out
    }

    /// What the entry schema demands of every body besides its dispatch on `event` (its own `properties`,
    /// `required`, ...): merged into each event's shape, so that a change there is seen in every event.
    fn entry_shape(&self) -> Shape {
        match self.docs.get(&self.entry) {
            Some(root) => Expander {
                set: self,
                stack: Vec::new(),
                skip_dispatch: true,
            }
            .shape(root, &self.entry),
            None => Shape::default(),
        }
    }

    fn dispatch(
        &self,
        s: &Value,
        base: &str,
        depth: usize,
        out: &mut BTreeMap<String, (Value, String)>,
    ) {
        if depth > 8 {
            return;
        }
        let Some(m) = s.as_object() else { return };
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            if let Some((b, t)) = self.resolve(base, r) {
                self.dispatch(t, &b, depth + 1, out);
            }
        }
        for item in m
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let event = item
                .pointer("/if/properties/event/const")
                .and_then(Value::as_str);
            match (event, item.get("then")) {
                (Some(e), Some(then)) => {
                    out.insert(e.to_string(), (then.clone(), base.to_string()));
                }
                _ => self.dispatch(item, base, depth + 1, out),
            }
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| Error::SchemaJson {
        path: path.display().to_string(),
        source,
    })
}

/// Registers the embedded resources (subschemas with their own `$id`) of a document.
fn register(base: &str, v: &Value, docs: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if ["const", "enum", "examples", "default"].contains(&k.as_str()) {
                    continue;
                }
                let mut b = base.to_string();
                if let Some(id) = x.get("$id").and_then(Value::as_str) {
                    b = join(base, id).0;
                    docs.insert(b.clone(), x.clone());
                }
                register(&b, x, docs);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| register(base, x, docs)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------------------

/// What a schema demands at one instance location, with `$ref` and `allOf` merged.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    title: Option<String>,
    types: Option<BTreeSet<String>>,
    values: Option<Vec<Value>>,
    props: BTreeMap<String, Shape>,
    required: BTreeSet<String>,
    closed: bool,
    items: Option<Box<Shape>>,
    bounds: BTreeMap<String, f64>,
    patterns: BTreeSet<String>,
    formats: BTreeSet<String>,
    alts: Vec<Vec<(String, Shape)>>,
    conds: Vec<(String, Shape)>,
    opaque: BTreeSet<String>,
    cycle: bool,
}

const LOWER_BOUNDS: [&str; 4] = ["minimum", "minItems", "minLength", "minProperties"];
const UPPER_BOUNDS: [&str; 4] = ["maximum", "maxItems", "maxLength", "maxProperties"];
const EXCLUSIVE_BOUNDS: [&str; 2] = ["exclusiveMinimum", "exclusiveMaximum"];

fn allows(types: &Option<BTreeSet<String>>, t: &str) -> bool {
    match types {
        None => true,
        Some(s) => s.contains(t) || (t == "integer" && s.contains("number")),
    }
}

fn intersect_types(a: &BTreeSet<String>, b: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for t in a {
        if b.contains(t) {
            out.insert(t.clone());
        } else if (t == "integer" && b.contains("number"))
            || (t == "number" && b.contains("integer"))
        {
            out.insert("integer".into());
        }
    }
    out
}

/// Every type of `a` is allowed by `b`.
fn types_within(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    a.iter().all(|t| allows(&Some(b.clone()), t))
}

impl Shape {
    fn merge(&mut self, other: Shape) {
        if self.title.is_none() {
            self.title = other.title;
        }
        self.types = match (self.types.take(), other.types) {
            (Some(a), Some(b)) => Some(intersect_types(&a, &b)),
            (a, b) => a.or(b),
        };
        self.values = match (self.values.take(), other.values) {
            (Some(a), Some(b)) => Some(a.into_iter().filter(|v| b.contains(v)).collect()),
            (a, b) => a.or(b),
        };
        for (k, s) in other.props {
            match self.props.get_mut(&k) {
                Some(mine) => mine.merge(s),
                None => {
                    self.props.insert(k, s);
                }
            }
        }
        self.required.extend(other.required);
        self.closed |= other.closed;
        self.items = match (self.items.take(), other.items) {
            (Some(mut a), Some(b)) => {
                a.merge(*b);
                Some(a)
            }
            (a, b) => a.or(b),
        };
        for (k, v) in other.bounds {
            let tighter = |old: f64| {
                if LOWER_BOUNDS.contains(&k.as_str()) || k == "exclusiveMinimum" {
                    old.max(v)
                } else {
                    old.min(v)
                }
            };
            let nv = self.bounds.get(&k).map_or(v, |o| tighter(*o));
            self.bounds.insert(k, nv);
        }
        self.patterns.extend(other.patterns);
        self.formats.extend(other.formats);
        self.alts.extend(other.alts);
        for (label, s) in other.conds {
            match self.conds.iter_mut().find(|(l, _)| *l == label) {
                Some((_, mine)) => mine.merge(s),
                None => self.conds.push((label, s)),
            }
        }
        self.opaque.extend(other.opaque);
        self.cycle |= other.cycle;
    }
}

struct Expander<'a> {
    set: &'a SchemaSet,
    stack: Vec<String>,
    /// Leave out the entry schema's dispatch items (`if: {event: const}, then: ...`): each event's own
    /// schema is expanded on its own.
    skip_dispatch: bool,
}

/// An entry schema's dispatch item: `{"if": {"properties": {"event": {"const": E}}}, "then": ...}`.
fn is_dispatch(item: &Value) -> bool {
    item.pointer("/if/properties/event/const")
        .is_some_and(Value::is_string)
        && item.get("then").is_some()
}

impl Expander<'_> {
    fn shape(&mut self, s: &Value, base: &str) -> Shape {
        let mut out = Shape::default();
        let m = match s {
            Value::Bool(true) => return out,
            Value::Bool(false) => {
                out.types = Some(BTreeSet::new());
                return out;
            }
            Value::Object(m) => m,
            _ => return out,
        };
        let mut base = base.to_string();
        if let Some(id) = m.get("$id").and_then(Value::as_str) {
            base = join(&base, id).0;
        }
        let base = base.as_str();
        if let Some(t) = m.get("title").and_then(Value::as_str) {
            out.title = Some(t.to_string());
        }
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            let (doc, fragment) = join(base, r);
            let key = format!("{doc}#{fragment}");
            if self.stack.contains(&key) || self.stack.len() > 64 {
                out.cycle = true;
            } else if let Some((b, target)) = self.set.resolve(base, r) {
                let target = target.clone();
                self.stack.push(key);
                let t = self.shape(&target, &b);
                self.stack.pop();
                out.merge(t);
            } else {
                out.opaque.insert(format!("unresolved $ref {r}"));
            }
        }
        match m.get("type") {
            Some(Value::String(t)) => out.merge_types([t.clone()].into()),
            Some(Value::Array(a)) => out.merge_types(
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect(),
            ),
            _ => {}
        }
        if let Some(Value::Array(vals)) = m.get("enum") {
            out.merge(Shape {
                values: Some(vals.clone()),
                ..Shape::default()
            });
        }
        if let Some(c) = m.get("const") {
            out.merge(Shape {
                values: Some(vec![c.clone()]),
                ..Shape::default()
            });
        }
        if let Some(Value::Object(props)) = m.get("properties") {
            let mut p = Shape::default();
            for (k, sub) in props {
                p.props.insert(k.clone(), self.shape(sub, base));
            }
            out.merge(p);
        }
        if let Some(Value::Array(req)) = m.get("required") {
            out.required
                .extend(req.iter().filter_map(Value::as_str).map(String::from));
        }
        match m.get("additionalProperties") {
            Some(Value::Bool(false)) => out.closed = true,
            Some(Value::Bool(true)) | None => {}
            Some(other) => {
                out.opaque.insert(format!("additionalProperties {other}"));
            }
        }
        if let Some(items) = m.get("items") {
            let it = self.shape(items, base);
            out.merge(Shape {
                items: Some(Box::new(it)),
                ..Shape::default()
            });
        }
        for k in LOWER_BOUNDS
            .iter()
            .chain(UPPER_BOUNDS.iter())
            .chain(EXCLUSIVE_BOUNDS.iter())
        {
            if let Some(n) = m.get(*k).and_then(Value::as_f64) {
                out.merge(Shape {
                    bounds: [(k.to_string(), n)].into(),
                    ..Shape::default()
                });
            }
        }
        if let Some(p) = m.get("pattern").and_then(Value::as_str) {
            out.patterns.insert(p.to_string());
        }
        if let Some(f) = m.get("format").and_then(Value::as_str) {
            out.formats.insert(f.to_string());
        }
        if let Some(n) = m.get("not") {
            out.opaque.insert(format!("not {n}"));
        }
        for item in m
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if self.skip_dispatch && is_dispatch(item) {
                continue;
            }
            let s = self.shape(item, base);
            out.merge(s);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = m.get(key) {
                let mut group: Vec<(String, Shape)> = Vec::new();
                for (i, b) in branches.iter().enumerate() {
                    let s = self.shape(b, base);
                    let mut label = branch_label(&s).unwrap_or_else(|| format!("#{i}"));
                    if group.iter().any(|(l, _)| *l == label) {
                        label = format!("{label} #{i}");
                    }
                    group.push((label, s));
                }
                out.alts.push(group);
            }
        }
        if let Some(cond) = m.get("if") {
            let label = describe_if(cond);
            if let Some(then) = m.get("then") {
                let s = self.shape(then, base);
                out.merge(Shape {
                    conds: vec![(format!("when {label}"), s)],
                    ..Shape::default()
                });
            }
            if let Some(els) = m.get("else") {
                let s = self.shape(els, base);
                out.merge(Shape {
                    conds: vec![(format!("unless {label}"), s)],
                    ..Shape::default()
                });
            }
        }
        out
    }
}

impl Shape {
    fn merge_types(&mut self, t: BTreeSet<String>) {
        self.merge(Shape {
            types: Some(t),
            ..Shape::default()
        });
    }
}

/// What tells an `anyOf` branch apart: `null`, a discriminating `const` (`type=user`), its scalar type, or
/// its title.
fn branch_label(s: &Shape) -> Option<String> {
    if let Some(t) = &s.types {
        if t.len() == 1 && t.contains("null") {
            return Some("null".into());
        }
    }
    for (k, p) in &s.props {
        if let Some(v) = p.values.as_ref().filter(|v| v.len() == 1) {
            if s.required.contains(k) {
                return Some(format!("{k}={}", scalar(&v[0])));
            }
        }
    }
    if let Some(t) = &s.types {
        if s.props.is_empty() && s.items.is_none() && !t.is_empty() {
            let t: Vec<&str> = t.iter().map(String::as_str).collect();
            return Some(t.join("|"));
        }
    }
    s.title.clone()
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A short description of an `if` condition: `type=user`, `type absent`, `object`, `a or b`.
fn describe_if(c: &Value) -> String {
    let Some(m) = c.as_object() else {
        return c.to_string();
    };
    let mut parts = Vec::new();
    if let Some(Value::Object(props)) = m.get("properties") {
        for (k, p) in props {
            match p.get("const") {
                Some(v) => parts.push(format!("{k}={}", scalar(v))),
                None => parts.push(format!("{k} matches {p}")),
            }
        }
    }
    if let Some(Value::Array(req)) = m.get("not").and_then(|n| n.get("required")) {
        for k in req.iter().filter_map(Value::as_str) {
            parts.push(format!("{k} absent"));
        }
    }
    if let Some(Value::Array(any)) = m.get("anyOf") {
        let alts: Vec<String> = any.iter().map(describe_if).collect();
        parts.push(alts.join(" or "));
    }
    match m.get("type") {
        Some(Value::String(t)) => parts.push(t.clone()),
        Some(t @ Value::Array(_)) => parts.push(t.to_string()),
        _ => {}
    }
    if parts.is_empty() {
        c.to_string()
    } else {
        parts.join(", ")
    }
}

// ---------------------------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Loc {
    event: String,
    pointer: String,
    branch: Vec<String>,
}

impl Loc {
    fn child(&self, seg: &str) -> Loc {
        let seg = seg.replace('~', "~0").replace('/', "~1");
        Loc {
            pointer: format!("{}/{seg}", self.pointer),
            ..self.clone()
        }
    }
    fn within(&self, label: &str) -> Loc {
        let mut l = self.clone();
        l.branch.push(label.to_string());
        l
    }
}

struct Out(Vec<Change>);

impl Out {
    fn push(&mut self, kind: Kind, loc: &Loc, message: String) {
        self.0.push(Change {
            kind,
            event: loc.event.clone(),
            pointer: loc.pointer.clone(),
            branch: loc.branch.clone(),
            message,
            closed_object: false,
        });
    }
}

fn show_types(t: &Option<BTreeSet<String>>) -> String {
    match t {
        None => "any type".into(),
        Some(s) if s.is_empty() => "nothing".into(),
        Some(s) => s
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn compare(old: &Shape, new: &Shape, loc: &Loc, out: &mut Out) {
    if old.cycle || new.cycle {
        return; // a recursive reference: its expansion is compared where it first occurs
    }
    // Types.
    let (ot, nt) = (&old.types, &new.types);
    let widened = match (ot, nt) {
        (_, None) => ot.is_some(),
        (None, Some(_)) => false,
        (Some(a), Some(b)) => !types_within(b, a),
    };
    let narrowed = match (ot, nt) {
        (None, _) => nt.is_some(),
        (Some(_), None) => false,
        (Some(a), Some(b)) => !types_within(a, b),
    };
    let msg = format!("type {} (was {})", show_types(nt), show_types(ot));
    match (widened, narrowed) {
        (true, true) => out.push(Kind::TypeChanged, loc, msg),
        (true, false) => out.push(Kind::TypeWidened, loc, msg),
        (false, true) => out.push(Kind::TypeNarrowed, loc, msg),
        _ => {}
    }
    // Enum / const.
    match (&old.values, &new.values) {
        (Some(a), Some(b)) => {
            for v in b.iter().filter(|v| !a.contains(v)) {
                out.push(Kind::EnumValueAdded, loc, format!("value {v} now allowed"));
            }
            for v in a.iter().filter(|v| !b.contains(v)) {
                out.push(
                    Kind::EnumValueRemoved,
                    loc,
                    format!("value {v} no longer allowed"),
                );
            }
        }
        (Some(a), None) => out.push(
            Kind::EnumRemoved,
            loc,
            format!("no longer limited to {}", Value::Array(a.clone())),
        ),
        (None, Some(b)) => out.push(
            Kind::EnumAdded,
            loc,
            format!("now limited to {}", Value::Array(b.clone())),
        ),
        (None, None) => {}
    }
    // Bounds.
    let keys: BTreeSet<&String> = old.bounds.keys().chain(new.bounds.keys()).collect();
    for k in keys {
        let lower = LOWER_BOUNDS.contains(&k.as_str()) || k == "exclusiveMinimum";
        let (o, n) = (old.bounds.get(k), new.bounds.get(k));
        let show = |x: Option<&f64>| x.map_or("none".to_string(), |v| v.to_string());
        let tighter = match (o, n) {
            (None, Some(_)) => Some(true),
            (Some(_), None) => Some(false),
            (Some(a), Some(b)) if a == b => None,
            (Some(a), Some(b)) => Some(if lower { b > a } else { b < a }),
            (None, None) => None,
        };
        if let Some(t) = tighter {
            let kind = if t {
                Kind::BoundTightened
            } else {
                Kind::BoundLoosened
            };
            out.push(kind, loc, format!("{k} {} (was {})", show(n), show(o)));
        }
    }
    // Patterns and formats.
    for (what, a, b) in [
        ("pattern", &old.patterns, &new.patterns),
        ("format", &old.formats, &new.formats),
    ] {
        for p in b.difference(a) {
            out.push(Kind::PatternAdded, loc, format!("{what} {p:?} added"));
        }
        for p in a.difference(b) {
            out.push(Kind::PatternRemoved, loc, format!("{what} {p:?} removed"));
        }
    }
    for o in new.opaque.difference(&old.opaque) {
        out.push(Kind::OtherChanged, loc, format!("constraint added: {o}"));
    }
    for o in old.opaque.difference(&new.opaque) {
        out.push(Kind::OtherChanged, loc, format!("constraint removed: {o}"));
    }
    // Objects.
    if allows(ot, "object") && allows(nt, "object") {
        match (old.closed, new.closed) {
            (false, true) => out.push(
                Kind::Closed,
                loc,
                "unknown keys now rejected (additionalProperties: false)".into(),
            ),
            (true, false) => out.push(Kind::Opened, loc, "unknown keys now allowed".into()),
            _ => {}
        }
        for (k, o) in &old.props {
            match new.props.get(k) {
                Some(n) => compare(o, n, &loc.child(k), out),
                None => {
                    let was = if old.required.contains(k) {
                        "required"
                    } else {
                        "optional"
                    };
                    let mut c = Change {
                        kind: Kind::KeyRemoved,
                        event: loc.event.clone(),
                        pointer: loc.pointer.clone(),
                        branch: loc.branch.clone(),
                        message: format!("key `{k}` no longer declared (was {was})"),
                        closed_object: new.closed,
                    };
                    if new.required.contains(k) {
                        c.message = format!("key `{k}` no longer described (still required)");
                    }
                    out.0.push(c);
                }
            }
        }
        for k in new.props.keys().filter(|k| !old.props.contains_key(*k)) {
            if new.required.contains(k) && !old.required.contains(k) {
                out.push(
                    Kind::RequiredKeyAdded,
                    loc,
                    format!("required key `{k}` added"),
                );
            } else {
                out.push(Kind::KeyAdded, loc, format!("optional key `{k}` added"));
            }
        }
        for k in new.required.difference(&old.required) {
            if old.props.contains_key(k) || !new.props.contains_key(k) {
                out.push(
                    Kind::KeyNowRequired,
                    loc,
                    format!("key `{k}` is now required"),
                );
            }
        }
        for k in old.required.difference(&new.required) {
            if old.props.contains_key(k) && !new.props.contains_key(k) {
                continue; // reported as key-removed
            }
            out.push(
                Kind::KeyNowOptional,
                loc,
                format!("key `{k}` is now optional (was required)"),
            );
        }
    }
    // Arrays.
    if allows(ot, "array") && allows(nt, "array") {
        match (&old.items, &new.items) {
            (Some(o), Some(n)) => compare(o, n, &loc.child("*"), out),
            (Some(_), None) => out.push(
                Kind::OtherChanged,
                loc,
                "array items no longer described".into(),
            ),
            (None, Some(_)) => {
                out.push(Kind::OtherChanged, loc, "array items now described".into())
            }
            (None, None) => {}
        }
    }
    // Conditions: matched by label.
    for (label, o) in &old.conds {
        match new.conds.iter().find(|(l, _)| l == label) {
            Some((_, n)) => compare(o, n, &loc.within(label), out),
            None => out.push(
                Kind::ConditionRemoved,
                loc,
                format!("condition `{label}` removed"),
            ),
        }
    }
    for (label, _) in new
        .conds
        .iter()
        .filter(|(l, _)| !old.conds.iter().any(|(o, _)| o == l))
    {
        out.push(
            Kind::ConditionAdded,
            loc,
            format!("condition `{label}` added"),
        );
    }
    // Alternatives: groups by position, branches by label, leftovers by position.
    let groups = old.alts.len().max(new.alts.len());
    for g in 0..groups {
        let empty = Vec::new();
        let o = old.alts.get(g).unwrap_or(&empty);
        let n = new.alts.get(g).unwrap_or(&empty);
        let mut unmatched_old: Vec<&(String, Shape)> = Vec::new();
        let mut matched_new = BTreeSet::new();
        for ob in o {
            match n.iter().position(|(l, _)| *l == ob.0) {
                Some(i) => {
                    matched_new.insert(i);
                    compare(&ob.1, &n[i].1, &loc.within(&ob.0), out);
                }
                None => unmatched_old.push(ob),
            }
        }
        let unmatched_new: Vec<&(String, Shape)> = n
            .iter()
            .enumerate()
            .filter(|(i, _)| !matched_new.contains(i))
            .map(|(_, b)| b)
            .collect();
        if unmatched_old.len() == unmatched_new.len() {
            for (ob, nb) in unmatched_old.iter().zip(&unmatched_new) {
                compare(&ob.1, &nb.1, &loc.within(&ob.0), out);
            }
        } else {
            for ob in unmatched_old {
                out.push(
                    Kind::AlternativeRemoved,
                    loc,
                    format!("alternative `{}` removed", ob.0),
                );
            }
            for nb in unmatched_new {
                out.push(
                    Kind::AlternativeAdded,
                    loc,
                    format!("alternative `{}` added", nb.0),
                );
            }
        }
    }
}

/// Compares two versions of the schema set, event by event.
pub fn diff(old: &SchemaSet, new: &SchemaSet) -> Vec<Change> {
    let (oe, ne) = (old.events(), new.events());
    let mut out = Out(Vec::new());
    let top = |e: &str| Loc {
        event: e.to_string(),
        pointer: String::new(),
        branch: Vec::new(),
    };
    let (oroot, nroot) = (old.entry_shape(), new.entry_shape());
    for (event, (schema, base)) in &oe {
        match ne.get(event) {
            Some((nschema, nbase)) => {
                let mut o = Expander {
                    set: old,
                    stack: Vec::new(),
                    skip_dispatch: false,
                }
                .shape(schema, base);
                o.merge(oroot.clone());
                let mut n = Expander {
                    set: new,
                    stack: Vec::new(),
                    skip_dispatch: false,
                }
                .shape(nschema, nbase);
                n.merge(nroot.clone());
                compare(&o, &n, &top(event), &mut out);
            }
            None => out.push(
                Kind::EventRemoved,
                &top(event),
                format!("event `{event}` removed"),
            ),
        }
    }
    for event in ne.keys().filter(|e| !oe.contains_key(*e)) {
        out.push(
            Kind::EventAdded,
            &top(event),
            format!("event `{event}` added"),
        );
    }
    let mut v = out.0;
    v.sort();
    v.dedup();
    v
}

/// Compares two single schemas (no dispatch, references local to each): the changes at their root and
/// below, with `event` empty.
pub fn diff_values(old: &Value, new: &Value) -> Vec<Change> {
    let (o, n) = (
        SchemaSet::from_bundle(old.clone(), "old".into()),
        SchemaSet::from_bundle(new.clone(), "new".into()),
    );
    let so = Expander {
        set: &o,
        stack: Vec::new(),
        skip_dispatch: false,
    }
    .shape(old, &o.entry);
    let sn = Expander {
        set: &n,
        stack: Vec::new(),
        skip_dispatch: false,
    }
    .shape(new, &n.entry);
    let mut out = Out(Vec::new());
    compare(
        &so,
        &sn,
        &Loc {
            event: String::new(),
            pointer: String::new(),
            branch: Vec::new(),
        },
        &mut out,
    );
    let mut v = out.0;
    v.sort();
    v.dedup();
    v
}

/// The number of events a schema set dispatches to (for summaries and tests).
pub fn event_count(set: &SchemaSet) -> usize {
    set.events().len()
}
