//! The contract in other ecosystems' formats: one self-contained JSON Schema bundle, an OpenAPI 3.1 document
//! whose `webhooks` section lists the events, and an AsyncAPI 3.0 document with one channel, operation and
//! message per event (`hookcheck schemas export`).
//!
//! Every export is plain JSON Schema: no `x-` keyword is left in it.
//!
//! * A **release** (`--release X.Y.Z`, `--profile v4.15`) exports the documents derived for it
//!   ([`Catalog::documents_for`]): exactly what that release sends, and only the events it sends in the API
//!   documents. A plain validator on that bundle reaches hookcheck's verdict for that release.
//! * **`compat`** exports the files as written, the union of every release, with their release annotations
//!   (`x-since`, `x-until`, `x-enum-releases`, `x-required`, `x-source`, `x-edition`) removed: they mean
//!   nothing to a plain validator, strict validators (ajv's default strict mode) refuse unknown keywords, and
//!   code generators copy them into generated code. What a plain validator sees is unchanged. That bundle
//!   accepts every payload some release sent, and more (a key of one release combined with a shape of
//!   another): hookcheck's compat is exact, payload by payload. Closer to it in another validator: export
//!   one bundle per distinct release contract ([`every_release`], `--every-release`) and accept a payload
//!   when one of them accepts it. What compat accepts, one of them accepts; what none accepts, compat
//!   rejects. The one difference: compat also rejects a payload that only releases lacking some of its keys
//!   accept (those keys are another release's, not a fork's; see [`Catalog::fit`]).
//!
//! All three are built from the same flattening of the schema files reachable from a profile's entry schema:
//!
//! * every file becomes one named definition, its name the path below `schemas/chatwoot/` without `.json`,
//!   with `/` written `.`: `_defs/common.json` is `_defs.common`, `events/message_created.json` is
//!   `events.message_created`;
//! * a file's own `$defs` become definitions of their own, named `<file>.<def>` (`_defs.common.id`,
//!   `_defs.timestamps.iso8601-ms-utc`), so no definition nests another;
//! * every `$ref` becomes a local one (`#/$defs/<name>` in the bundle, `#/components/schemas/<name>` in the
//!   API documents), and `$id` / `$schema` are dropped from the definitions;
//! * a `$ref` never has sibling keywords: `{"$ref": X, ...}` becomes `{"allOf": [{"$ref": X}, ...], ...}`,
//!   which means the same in draft 2020-12 and keeps older engines (draft-07, AsyncAPI schema, code
//!   generators that ignore `$ref` siblings) from dropping the siblings.
//!
//! The result uses only keywords whose meaning is the same in draft-07 and draft 2020-12, which is what lets
//! the AsyncAPI document (whose default schema format is a draft-07 superset) and draft-07 validators use it.
//!
//! ```
//! use hookcheck::{export, Catalog, Profile};
//!
//! let bundle = export::bundle(Catalog::shared()?, Profile::Compat)?;
//! assert_eq!(bundle["allOf"][0]["$ref"], "#/$defs/webhook");
//! assert!(bundle["$defs"]["events.message_created"].is_object());
//! let text = serde_json::to_string(&bundle).unwrap();
//! assert!(!text.contains(".json#") && !text.contains("\"$ref\":\"..")); // no reference leaves the document
//! # Ok::<(), hookcheck::Error>(())
//! ```
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::{
    error::{Error, Result},
    event::EventName,
    profile::Profile,
    release::ReleaseSet,
    schema::{resolve::join, Catalog},
    signature::Scheme,
};

/// The draft every export is written in (the bundle's `$schema`, OpenAPI's `jsonSchemaDialect`).
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// An export format of `hookcheck schemas export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// One self-contained JSON Schema 2020-12 document (every `$ref` local, into `$defs`).
    Bundle,
    /// OpenAPI 3.1: the events under `webhooks`, with the signing headers.
    Openapi,
    /// AsyncAPI 3.0: one channel, operation and message per event.
    Asyncapi,
}

/// Builds one export of the embedded schemas under `profile`.
///
/// # Errors
/// A reference that does not resolve, or two definitions that would get the same name (defects in
/// `schemas/` that the test suite catches).
pub fn export(catalog: &Catalog, format: Format, profile: Profile) -> Result<Value> {
    match format {
        Format::Bundle => bundle(catalog, profile),
        Format::Openapi => openapi(catalog, profile),
        Format::Asyncapi => asyncapi(catalog, profile),
    }
}

/// The definition name of a schema file: its path below `schemas/chatwoot/`, without `.json`, `/` written
/// `.` (`chatwoot/_defs/common.json` is `_defs.common`).
///
/// ```
/// assert_eq!(hookcheck::export::def_name("chatwoot/events/message_created.json"), "events.message_created");
/// assert_eq!(hookcheck::export::def_name("chatwoot/_defs/common.json"), "_defs.common");
/// ```
pub fn def_name(path: &str) -> String {
    let p = path.strip_prefix("chatwoot/").unwrap_or(path);
    p.strip_suffix(".json").unwrap_or(p).replace('/', ".")
}

/// The definitions reachable from a profile's entry schema, with local references.
struct Flat {
    /// Definitions by name, files in path order, each file followed by its own `$defs`.
    defs: Map<String, Value>,
}

/// Keys whose values are data, not schemas: never walked for `$ref`.
const DATA_KEYS: [&str; 4] = ["const", "enum", "examples", "default"];

fn compile_error(id: &str, message: String) -> Error {
    Error::SchemaCompile {
        id: id.to_string(),
        message,
    }
}

fn flatten(catalog: &Catalog, profile: Profile, prefix: &str) -> Result<Flat> {
    // A release exports its derived documents (plain JSON Schema); `compat` the files as written.
    let docs = catalog.documents_for(profile)?;
    let path_of: BTreeMap<&str, &str> = catalog
        .files()
        .iter()
        .map(|f| (f.id.as_str(), f.path))
        .collect();
    let entry = catalog
        .file(profile.entry_path())
        .ok_or_else(|| compile_error(profile.entry_path(), "no entry schema".into()))?;

    // Every document reachable from the entry.
    let mut reachable = BTreeSet::new();
    let mut todo = vec![entry.id.clone()];
    while let Some(id) = todo.pop() {
        if !reachable.insert(id.clone()) {
            continue;
        }
        let doc = docs
            .get(&id)
            .ok_or_else(|| compile_error(&id, "referenced but not in schemas/".into()))?;
        let mut refs = Vec::new();
        collect_refs(doc, &mut refs);
        for r in refs {
            let (target, _) = join(&id, &r);
            if !reachable.contains(&target) {
                todo.push(target);
            }
        }
    }

    let mut defs = Map::new();
    for f in catalog.files().iter().filter(|f| reachable.contains(&f.id)) {
        let key = def_name(f.path);
        let mut body = docs
            .get(&f.id)
            .cloned()
            .unwrap_or_else(|| f.document.clone());
        let nested = match body.as_object_mut() {
            Some(obj) => {
                obj.shift_remove("$schema");
                obj.shift_remove("$id");
                obj.shift_remove("$defs")
            }
            None => None,
        };
        rewrite(&mut body, &f.id, &path_of, prefix)?;
        strip_annotations(&mut body);
        insert_unique(&mut defs, key.clone(), body, f.path)?;
        if let Some(Value::Object(nested)) = nested {
            for (name, mut sub) in nested {
                rewrite(&mut sub, &f.id, &path_of, prefix)?;
                strip_annotations(&mut sub);
                insert_unique(&mut defs, format!("{key}.{name}"), sub, f.path)?;
            }
        }
    }
    Ok(Flat { defs })
}

/// Keywords whose value maps names (property names, definition names) to subschemas: the names are data,
/// never keywords, even when they start with `x-`.
const NAME_MAPS: [&str; 4] = [
    "properties",
    "patternProperties",
    "$defs",
    "dependentSchemas",
];

/// Removes every `x-` keyword below `v` (the release annotations of the union files): see the module docs.
/// Data (`const`, `enum`, `examples`, `default`) and the names in `properties` and the like are kept.
///
/// ```
/// let mut s = serde_json::json!({"properties": {"x-id": {"x-since": "2.1.0", "type": "integer"}},
///     "enum": [{"x-a": 1}], "x-required": ["x-id"]});
/// hookcheck::export::strip_annotations(&mut s);
/// assert_eq!(s, serde_json::json!({"properties": {"x-id": {"type": "integer"}}, "enum": [{"x-a": 1}]}));
/// ```
pub fn strip_annotations(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with("x-"));
            for (k, x) in m.iter_mut() {
                if DATA_KEYS.contains(&k.as_str()) {
                    continue;
                }
                match (NAME_MAPS.contains(&k.as_str()), x) {
                    (true, Value::Object(named)) => named.values_mut().for_each(strip_annotations),
                    (_, x) => strip_annotations(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_annotations),
        _ => {}
    }
}

fn insert_unique(defs: &mut Map<String, Value>, key: String, v: Value, path: &str) -> Result<()> {
    if defs.contains_key(&key) {
        return Err(compile_error(
            path,
            format!("two definitions would be named `{key}` in the export"),
        ));
    }
    defs.insert(key, v);
    Ok(())
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    if let Some(s) = x.as_str() {
                        out.push(s.to_string());
                    }
                } else if !DATA_KEYS.contains(&k.as_str()) {
                    collect_refs(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// Rewrites every `$ref` below `v` (found in the document `base`) into a local reference under `prefix`, and
/// moves `$ref`s that have siblings into `allOf`.
fn rewrite(v: &mut Value, base: &str, path_of: &BTreeMap<&str, &str>, prefix: &str) -> Result<()> {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k != "$ref" && !DATA_KEYS.contains(&k.as_str()) {
                    rewrite(x, base, path_of, prefix)?;
                }
            }
            if let Some(Value::String(r)) = m.get("$ref") {
                let (doc, fragment) = join(base, r);
                let path = path_of.get(doc.as_str()).ok_or_else(|| {
                    compile_error(base, format!("`$ref: {r}` points outside schemas/"))
                })?;
                let key = def_name(path);
                let local = match fragment.strip_prefix("/$defs/") {
                    Some(rest) => {
                        let (name, tail) = match rest.find('/') {
                            Some(i) => (&rest[..i], &rest[i..]),
                            None => (rest, ""),
                        };
                        format!("{prefix}{key}.{name}{tail}")
                    }
                    None => format!("{prefix}{key}{fragment}"),
                };
                m.insert("$ref".into(), Value::String(local));
            }
            if m.contains_key("$ref") && m.len() > 1 {
                let r = m.shift_remove("$ref").unwrap_or(Value::Null);
                let mut all = vec![json!({ "$ref": r })];
                if let Some(Value::Array(existing)) = m.shift_remove("allOf") {
                    all.extend(existing);
                }
                m.insert("allOf".into(), Value::Array(all));
            }
        }
        Value::Array(a) => {
            for x in a {
                rewrite(x, base, path_of, prefix)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Where a profile's exports say they come from (`$id` of the bundle, base of the API documents).
fn bundle_id(profile: Profile) -> String {
    let entry = profile.entry_path();
    let dir = entry.strip_suffix("webhook.json").unwrap_or(entry);
    format!("{}{dir}bundle.json", crate::schema::resolve::BASE_URI)
}

fn generated_note(profile: Profile) -> String {
    let what = match profile {
        Profile::Compat => {
            "The union of every release, with the files' release annotations (x-since, x-until, ...) \
             removed: it accepts every payload some release sent, and some that no release sent; export \
             one release with --release X.Y.Z, or every release contract with --every-release."
        }
        Profile::Release(_) => "Derived from the release annotations of the schema files.",
    };
    format!(
        "Generated by hookcheck {} (`hookcheck schemas export`, profile {}: {}) from the JSON Schema files in \
         schemas/; do not edit by hand. {what} Custom formats: iso8601-ms-utc, unix-seconds, unix-float, \
         js-date (see schemas/README.md); register them in your validator.",
        env!("CARGO_PKG_VERSION"),
        profile.name(),
        profile.summary()
    )
}

/// One self-contained JSON Schema 2020-12 document for `profile`: the entry schema (dispatching on `event`)
/// at the root, every file it reaches in `$defs`, every `$ref` local. Event `E`'s schema alone is
/// `#/$defs/events.E`.
///
/// # Errors
/// As [`export`].
pub fn bundle(catalog: &Catalog, profile: Profile) -> Result<Value> {
    let flat = flatten(catalog, profile, "#/$defs/")?;
    let title = match profile {
        Profile::Compat => catalog
            .file(profile.entry_path())
            .and_then(|f| f.document.get("title"))
            .and_then(Value::as_str)
            .unwrap_or("Chatwoot account webhook")
            .to_string(),
        Profile::Release(r) => format!("Chatwoot account webhook (Chatwoot {r})"),
    };
    Ok(json!({
        "$schema": DIALECT,
        "$id": bundle_id(profile),
        "title": format!("{title}, bundled"),
        "description": format!(
            "Every account-webhook body, dispatched on `event`; each event's schema alone is `#/$defs/{}`. {}",
            def_name(&profile.event_path(EventName::MessageCreated)).replace("message_created", "<event>"),
            generated_note(profile)
        ),
        "allOf": [{ "$ref": format!("#/$defs/{}", def_name(profile.entry_path())) }],
        "$defs": flat.defs,
    }))
}

/// Title and description of an event's schema file.
fn event_text(catalog: &Catalog, event: EventName) -> (String, String) {
    let doc = catalog
        .file(&Profile::Compat.event_path(event))
        .map(|f| &f.document);
    let get = |k: &str| {
        doc.and_then(|d| d.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (get("title"), get("description"))
}

/// The contract examples' bodies for one event, by example name.
fn examples_of(catalog: &Catalog, event: EventName) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for ex in catalog.examples() {
        let Ok(v) = serde_json::from_str::<Value>(ex.text) else {
            continue;
        };
        let body = &v["body"];
        if body.get("event").and_then(Value::as_str) == Some(event.as_str()) {
            let name = ex
                .path
                .rsplit('/')
                .next()
                .unwrap_or(ex.path)
                .trim_end_matches(".json")
                .replace(['.', '/'], "_");
            out.push((name, body.clone()));
        }
    }
    out
}

/// The signing and delivery headers, as `(name, schema, description)`.
fn headers() -> Vec<(String, Value, String)> {
    let s = Scheme::chatwoot();
    vec![
        (
            s.signature_header.clone(),
            json!({"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"}),
            format!(
                "`sha256=` + lowercase hex HMAC-SHA256 keyed with the webhook's secret (UTF-8) over \
                 `{{{}}}.{{raw body}}`: the timestamp header's value, a dot, and the exact bytes of the body. \
                 Verify over the raw bytes, before parsing, in constant time. Sent since Chatwoot 4.12.0.",
                s.timestamp_header
            ),
        ),
        (
            s.timestamp_header.clone(),
            json!({"type": "string", "pattern": "^[0-9]+$"}),
            "Send time in decimal Unix seconds; it is signed. Reject deliveries more than 300 s old to stop \
             replays. Sent since Chatwoot 4.12.0."
                .to_string(),
        ),
        (
            s.id_header.clone().unwrap_or_else(|| "X-Chatwoot-Delivery".into()),
            json!({"type": "string", "format": "uuid"}),
            "A UUID per delivery, for de-duplication. Sent since Chatwoot 4.12.0.".to_string(),
        ),
    ]
}

/// The first release that signs its deliveries (CHATWOOT.md: "every account webhook is signed from 4.12.0
/// onward", `c218eff5e`, #13573).
const SIGNED_SINCE: (u16, u16, u16) = (4, 12, 0);

/// What the signing and delivery headers are under a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signing {
    /// Every release of the profile sends them (a release from 4.12.0 on).
    Required,
    /// Some releases send them (`compat`).
    Optional,
    /// The release sends none (before 4.12.0): the exports do not mention them.
    Absent,
}

fn signing(profile: Profile) -> Signing {
    match profile.pinned() {
        None => Signing::Optional,
        Some(r) if r.number() >= SIGNED_SINCE => Signing::Required,
        Some(_) => Signing::Absent,
    }
}

fn headers_note(profile: Profile) -> &'static str {
    match signing(profile) {
        Signing::Required => "Every delivery is signed (Chatwoot 4.12.0 and later).",
        Signing::Optional => {
            "The signing headers are optional in this profile: releases before 4.12.0 send none."
        }
        Signing::Absent => {
            "Deliveries of this release are not signed (signing starts with Chatwoot 4.12.0)."
        }
    }
}

/// An OpenAPI 3.1 document: the events `profile` sends under `webhooks` (a POST each, the body schema, the
/// signing headers as header parameters, 2xx responses), every schema under `components/schemas`.
///
/// # Errors
/// As [`export`].
pub fn openapi(catalog: &Catalog, profile: Profile) -> Result<Value> {
    let flat = flatten(catalog, profile, "#/components/schemas/")?;
    let required = signing(profile) == Signing::Required;
    let mut parameters = Map::new();
    let mut refs = Vec::new();
    let sent = if signing(profile) == Signing::Absent {
        Vec::new()
    } else {
        headers()
    };
    for (name, schema, description) in sent {
        parameters.insert(
            name.clone(),
            json!({"name": name, "in": "header", "required": required,
                   "description": description, "schema": schema}),
        );
        refs.push(json!({ "$ref": format!("#/components/parameters/{name}") }));
    }
    let events = catalog.events(profile)?;
    let mut webhooks = Map::new();
    for event in events.iter().copied() {
        let (title, description) = event_text(catalog, event);
        let mut media = Map::new();
        media.insert(
            "schema".into(),
            json!({ "$ref": format!("#/components/schemas/{}", def_name(&profile.event_path(event))) }),
        );
        let examples = examples_of(catalog, event);
        if !examples.is_empty() {
            let ex: Map<String, Value> = examples
                .into_iter()
                .map(|(name, body)| {
                    (
                        name,
                        json!({"summary": "A contract example (examples/chatwoot/)", "value": body}),
                    )
                })
                .collect();
            media.insert("examples".into(), Value::Object(ex));
        }
        webhooks.insert(
            event.as_str().into(),
            json!({"post": {
                "operationId": event.as_str(),
                "summary": format!("{title}: Chatwoot POSTs this body to the webhook URL"),
                "description": format!("{description} {}", headers_note(profile)),
                "tags": [tag(event)],
                "parameters": refs,
                "requestBody": {
                    "required": true,
                    "description": format!("The `{}` body: `event` is `\"{}\"`.", event, event),
                    "content": {"application/json": media},
                },
                "responses": {
                    "2XX": {"description": "Any 2xx status acknowledges the delivery. Chatwoot makes one \
                        attempt with a 5 s timeout and ignores the response body; it does not retry."},
                },
            }}),
        );
    }
    let tags: BTreeSet<&str> = events.iter().map(|e| tag(*e)).collect();
    Ok(json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": DIALECT,
        "info": {
            "title": format!("Chatwoot account webhooks ({} profile)", profile.name()),
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "The outgoing account webhooks of Chatwoot, as its source code defines them.",
            "description": generated_note(profile),
            "license": {"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"},
        },
        "externalDocs": {"description": "hookcheck", "url": env!("CARGO_PKG_REPOSITORY")},
        "tags": tags.into_iter().map(|t| json!({"name": t})).collect::<Vec<_>>(),
        "webhooks": webhooks,
        "components": {"schemas": flat.defs, "parameters": parameters},
    }))
}

/// The object an event is about: `conversation`, `message`, `contact`, `inbox` or `webwidget`.
fn tag(event: EventName) -> &'static str {
    let s = event.as_str();
    ["conversation", "message", "contact", "inbox", "webwidget"]
        .into_iter()
        .find(|t| s.starts_with(t))
        .unwrap_or("webhook")
}

/// An AsyncAPI 3.0 document: one channel, one `send` operation (Chatwoot sends) and one message per event;
/// the message payloads and headers are schemas under `components/schemas` (AsyncAPI's default schema
/// format, which these schemas fit: see the module docs).
///
/// # Errors
/// As [`export`].
pub fn asyncapi(catalog: &Catalog, profile: Profile) -> Result<Value> {
    let flat = flatten(catalog, profile, "#/components/schemas/")?;
    let mut defs = flat.defs;
    let signed = signing(profile);
    if signed != Signing::Absent {
        let mut header_props = Map::new();
        let mut header_names = Vec::new();
        for (name, mut schema, description) in headers() {
            schema["description"] = Value::String(description);
            header_names.push(Value::String(name.clone()));
            header_props.insert(name, schema);
        }
        let mut header_schema = json!({
            "title": "Delivery headers",
            "description": format!("The signing and delivery headers. {}", headers_note(profile)),
            "type": "object",
            "properties": header_props,
        });
        if signed == Signing::Required {
            header_schema["required"] = Value::Array(header_names);
        }
        defs.insert("delivery-headers".into(), header_schema);
    }

    let (mut channels, mut operations, mut messages) = (Map::new(), Map::new(), Map::new());
    for event in catalog.events(profile)? {
        let name = event.as_str();
        let (title, description) = event_text(catalog, event);
        channels.insert(
            name.into(),
            json!({
                "address": null,
                "title": name,
                "description": "The webhook URL configured in Chatwoot (Settings > Integrations > Webhooks, or \
                    the webhooks API). Every subscribed event goes to that one URL; the body's `event` tells them apart.",
                "messages": {name: {"$ref": format!("#/components/messages/{name}")}},
            }),
        );
        operations.insert(
            name.into(),
            json!({
                "action": "send",
                "title": format!("Send {name}"),
                "summary": format!("Chatwoot POSTs a {name} body to the webhook URL."),
                "channel": {"$ref": format!("#/channels/{name}")},
                "messages": [{"$ref": format!("#/channels/{name}/messages/{name}")}],
            }),
        );
        let mut message = json!({
            "name": name,
            "title": title,
            "summary": description,
            "contentType": "application/json",
        });
        if signed != Signing::Absent {
            message["headers"] = json!({"$ref": "#/components/schemas/delivery-headers"});
        }
        message["payload"] = json!({"$ref": format!("#/components/schemas/{}", def_name(&profile.event_path(event)))});
        let examples = examples_of(catalog, event);
        if !examples.is_empty() {
            message["examples"] = examples
                .into_iter()
                .map(|(n, body)| json!({"name": n, "summary": "A contract example (examples/chatwoot/)", "payload": body}))
                .collect();
        }
        messages.insert(name.into(), message);
    }
    Ok(json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": format!("Chatwoot account webhooks ({} profile)", profile.name()),
            "version": env!("CARGO_PKG_VERSION"),
            "description": generated_note(profile),
            "license": {"name": "MIT OR Apache-2.0"},
            "externalDocs": {"description": "hookcheck", "url": env!("CARGO_PKG_REPOSITORY")},
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": defs},
    }))
}

/// One export per distinct release contract: releases whose derived documents are identical share one,
/// exported under the newest of them (`--release X.Y.Z` of that release gives the same document). Oldest
/// contract first. What hookcheck accepts under `compat`, one of these accepts; what none of them accepts,
/// compat rejects (see the module docs for the one difference). The `compat` export itself is the plain
/// union, which accepts more.
///
/// ```
/// use hookcheck::{export::{self, Format}, Catalog};
/// let all = export::every_release(Catalog::shared()?, Format::Bundle)?;
/// assert!(all.len() > 10);
/// assert_eq!(all.iter().map(|(r, _)| r.len()).sum::<usize>(), hookcheck::release::COUNT);
/// # Ok::<(), hookcheck::Error>(())
/// ```
///
/// # Errors
/// As [`export`].
pub fn every_release(catalog: &Catalog, format: Format) -> Result<Vec<(ReleaseSet, Value)>> {
    let mut out = Vec::new();
    for (releases, _) in catalog.release_documents()? {
        let Some(newest) = releases.newest() else {
            continue;
        };
        out.push((releases, export(catalog, format, Profile::Release(newest))?));
    }
    Ok(out)
}

/// Serialises an export as it is written to a file: pretty JSON and a final newline.
pub fn to_text(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
