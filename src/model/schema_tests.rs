//! The models against the schemas as written (the union of every release, what a plain JSON Schema
//! validator sees): declared keys, required keys, nullability and enum values, object coverage, and
//! agreement with the union's validators on every single-step mutation of every example body, of the
//! release payloads of VERSIONS.md section 3 and of generated payloads of a sample of releases.
use std::collections::BTreeSet;

use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde_json::{json, Value};

use super::tests::bodies;
use super::*;
use crate::generate::mutate::{sites, Class};
use crate::generate::Generator;
use crate::schema::EventValidators;
use crate::{Catalog, EventName, Profile};

/// Schema keywords the models deliberately do not enforce (see the module docs).
const NOT_CHECKED: &[&str] = &[
    "format", "pattern", "minimum", "maximum", "minItems", "maxItems",
];

/// Keys a schema forbids (`"key": false`) on top of a modelled object, and the model that rejects them.
const FORBIDDEN: &[(&str, &str, &str)] = &[
    ("events/contact_created.json", "type", "ContactEvent"),
    ("events/contact_updated.json", "type", "ContactUpdatedEvent"),
];

fn catalog() -> &'static Catalog {
    Catalog::shared().unwrap()
}

/// The schema value at `location` (`file` or `file#/pointer`, below `schemas/chatwoot/`).
fn resolve(location: &str) -> &'static Value {
    let (file, pointer) = location.split_once('#').unwrap_or((location, ""));
    let doc = &catalog()
        .file(&format!("chatwoot/{file}"))
        .unwrap_or_else(|| panic!("{file}"))
        .document;
    doc.pointer(pointer).unwrap_or_else(|| panic!("{location}"))
}

/// The keys `schema` declares: its `properties` but those it forbids (`false`).
fn keys(schema: &Value) -> BTreeSet<&str> {
    schema["properties"]
        .as_object()
        .map(|p| {
            p.iter()
                .filter(|(_, v)| **v != Value::Bool(false))
                .map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// The keys `schema` forbids (`"key": false` in its `properties`).
fn forbidden(schema: &Value) -> BTreeSet<&str> {
    schema["properties"]
        .as_object()
        .map(|p| {
            p.iter()
                .filter(|(_, v)| **v == Value::Bool(false))
                .map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `schema` (in `file`) accepts JSON `null`, following `$ref`s, for the schemas' own idioms
/// (`type`, `enum`, `const`, `anyOf`, `oneOf`, `allOf`).
fn accepts_null(schema: &Value, file: &str) -> bool {
    let Value::Object(map) = schema else {
        return schema == &Value::Bool(true);
    };
    let null = json!("null");
    let checks = [
        map.get("type")
            .map(|t| t == &null || t.as_array().is_some_and(|a| a.contains(&null))),
        map.get("enum")
            .map(|e| e.as_array().is_some_and(|a| a.contains(&Value::Null))),
        map.get("const").map(Value::is_null),
        map.get("$ref").and_then(Value::as_str).map(|r| {
            let (path, pointer) = r.split_once('#').unwrap_or((r, ""));
            let target = if path.is_empty() {
                file.to_string()
            } else {
                join(file, path)
            };
            accepts_null(resolve(&format!("{target}#{pointer}")), &target)
        }),
        map.get("anyOf")
            .or(map.get("oneOf"))
            .and_then(Value::as_array)
            .map(|b| b.iter().any(|s| accepts_null(s, file))),
        map.get("allOf")
            .and_then(Value::as_array)
            .map(|b| b.iter().all(|s| accepts_null(s, file))),
    ];
    checks.into_iter().all(|c| c.unwrap_or(true))
}

/// `rel` resolved against the directory of `file` (both below `schemas/chatwoot/`).
fn join(file: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Each model against the plain keywords of the files as written (the union): its keys are the
/// `properties`, its required keys the plain `required` (keys in `x-required` or with a release range
/// are optional, since some release omits them), and a key is nullable iff the schema accepts `null`
/// (in some release).
#[test]
fn every_model_declares_exactly_its_schema_properties() {
    let mut forbids = BTreeSet::new();
    for model in models() {
        let mine: BTreeSet<&str> = model.fields.iter().map(|f| f.key).collect();
        assert_eq!(
            mine.len(),
            model.fields.len(),
            "{} repeats a key",
            model.name
        );
        let required: BTreeSet<&str> = model
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.key)
            .collect();
        for location in model.schemas {
            let schema = resolve(location);
            let file = location.split('#').next().unwrap_or_default();
            for key in forbidden(schema) {
                forbids.insert((location.to_string(), key, model.name));
            }
            let mut theirs = keys(schema);
            theirs.remove("event");
            assert_eq!(mine, theirs, "{} keys vs {location}", model.name);
            let mut theirs: BTreeSet<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            theirs.remove("event");
            assert_eq!(
                required, theirs,
                "{} required keys vs {location}",
                model.name
            );
            for f in model.fields {
                let nullable = accepts_null(&schema["properties"][f.key], file);
                assert_eq!(
                    f.nullable, nullable,
                    "{}.{} nullable vs {location}",
                    model.name, f.key
                );
            }
            let open = schema["additionalProperties"] == json!(true);
            assert_eq!(
                model.free_form, open,
                "{} free-form vs {location}",
                model.name
            );
        }
    }
    let listed: BTreeSet<(String, &str, &str)> = FORBIDDEN
        .iter()
        .map(|(l, k, m)| (l.to_string(), *k, *m))
        .collect();
    assert_eq!(
        forbids, listed,
        "forbidden keys (each needs a check in its model)"
    );
}

/// Every object schema with `properties` in the compat files is a model, or one of the listed places
/// that are not objects of their own.
#[test]
fn every_object_schema_has_a_model() {
    fn walk(v: &Value, pointer: &str, file: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                if map.contains_key("properties") && !pointer.split('/').any(|s| s == "if") {
                    out.insert(if pointer.is_empty() {
                        file.to_string()
                    } else {
                        format!("{file}#{pointer}")
                    });
                }
                for (k, child) in map {
                    walk(
                        child,
                        &format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1")),
                        file,
                        out,
                    );
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{pointer}/{i}"), file, out);
                }
            }
            _ => {}
        }
    }
    let mut found = BTreeSet::new();
    for f in catalog().files() {
        if let Some(rel) = f.path.strip_prefix("chatwoot/") {
            if rel.starts_with("_defs/") || rel.starts_with("events/") {
                walk(&f.document, "", rel, &mut found);
            }
        }
    }
    let modelled: BTreeSet<String> = models()
        .iter()
        .flat_map(|m| m.schemas.iter().map(|s| s.to_string()))
        .collect();
    let not_objects = [
        // unions: `type` only, dispatching to modelled objects (WebhookActor, PushActor, Assignee)
        "_defs/webhook-actor.json",
        "_defs/push-actor.json",
        "_defs/assignee.json#/then",
        // refinements of modelled objects (the js-date `timestamp` of InitiatedAt)
        "_defs/conversation.json#/allOf/0/then",
        "_defs/conversation.json#/allOf/0/then/properties/additional_attributes",
        "_defs/conversation.json#/allOf/0/then/properties/additional_attributes/properties/initiated_at",
        "_defs/event-info.json#/properties/initiated_at",
        // refinements of Attachment: the keys and `data_url` type each `file_type` requires (checked by
        // its `attachment_keys`; `anyOf/1` is the 4.12.0+ file without a stored blob)
        "_defs/attachment.json#/allOf/0/then",
        "_defs/attachment.json#/allOf/3/then",
        "_defs/attachment.json#/allOf/4/then",
        "_defs/attachment.json#/allOf/4/then/anyOf/1",
        // refinement of ContactWebhook: `type: false` once a 2.14.0 key is there (`typed_contact_is_old`)
        "_defs/contact-webhook.json#/then",
        // refinement of WebhookActor: a typing contact has no `type` (TypingEvent's check)
        "events/conversation_typing_off.json#/properties/user",
        "events/conversation_typing_on.json#/properties/user",
    ];
    // `{event}` only: the tag, which `Event` models, over a `$ref` to a modelled object.
    found.retain(|location| {
        keys(resolve(location)) != BTreeSet::from(["event"]) || modelled.contains(location)
    });
    let expected: BTreeSet<String> = found.difference(&modelled).cloned().collect();
    let listed: BTreeSet<String> = not_objects.iter().map(|s| s.to_string()).collect();
    assert_eq!(expected, listed);
    assert!(
        modelled.is_subset(&found),
        "{:?}",
        modelled.difference(&found).collect::<Vec<_>>()
    );
}

#[test]
fn enums_match_common_json() {
    fn wire<T: Serialize>(all: &[T]) -> Vec<Value> {
        all.iter()
            .map(|v| serde_json::to_value(v).unwrap())
            .collect()
    }
    let common = resolve("_defs/common.json#/$defs");
    let cases: [(&str, Vec<Value>); 13] = [
        ("content-type", wire(ContentType::ALL)),
        ("message-type-sendable", wire(MessageType::ALL)),
        ("message-type-code", wire(MessageTypeCode::ALL)),
        ("message-type-code-chat", wire(MessageTypeCode::CHAT)),
        ("message-status", wire(MessageStatus::ALL)),
        ("conversation-status", wire(ConversationStatus::ALL)),
        ("priority", wire(Priority::ALL)),
        ("file-type", wire(FileType::ALL)),
        ("availability-status", wire(AvailabilityStatus::ALL)),
        ("sender-name-type", wire(SenderNameType::ALL)),
        ("channel-type", wire(Channel::ALL)),
        ("sender-type-column", wire(SenderType::ALL)),
        ("assignee-type", wire(AssigneeType::ALL)),
    ];
    for (name, mine) in cases {
        let theirs: Vec<Value> = common[name]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| !v.is_null())
            .cloned()
            .collect();
        assert_eq!(mine, theirs, "{name}");
    }
    let tags = [
        ("_defs/contact-push.json", wire(ContactType::ALL)),
        ("_defs/user-push.json", wire(UserType::ALL)),
        ("_defs/agent-bot-push.json", wire(AgentBotType::ALL)),
        (
            "_defs/captain-assistant-webhook.json",
            wire(CaptainAssistantType::ALL),
        ),
    ];
    for (file, mine) in tags {
        assert_eq!(
            mine,
            [resolve(file)["properties"]["type"]["const"].clone()],
            "{file}"
        );
    }
}

/// The errors of the union's validator (the files as written) that the models must see too: those of the
/// keywords in [`NOT_CHECKED`] are counted apart. A failed `anyOf` / `oneOf` whose one branch fits the
/// value's type is the errors of that branch (as hookcheck's reporter reads nullable references).
fn union_errors(e: &ValidationError<'_>, checked: &mut Vec<String>, unchecked: &mut usize) {
    match e.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let fitting: Vec<_> = context
                .iter()
                .filter(|branch| {
                    !branch.iter().all(|x| {
                        matches!(x.kind(), ValidationErrorKind::Type { .. })
                            && x.instance_path() == e.instance_path()
                    })
                })
                .collect();
            if let [only] = fitting.as_slice() {
                for x in only.iter() {
                    union_errors(x, checked, unchecked);
                }
                return;
            }
            checked.push(format!("{} at {}", e.kind().keyword(), e.instance_path()));
        }
        kind if NOT_CHECKED.contains(&kind.keyword()) => *unchecked += 1,
        kind => checked.push(format!("{} at {}", kind.keyword(), e.instance_path())),
    }
}

/// What the union's validator says: `Err(errors)` when the body breaks a keyword the models check;
/// otherwise its validators, or `None` when it breaks only [`NOT_CHECKED`] keywords (its unknown keys
/// are then not comparable: the closed twin fails on those keywords too).
fn schema_verdict(body: &Value) -> Result<Option<EventValidators<'static>>, Vec<String>> {
    let Some(event) = body["event"].as_str().and_then(EventName::from_wire) else {
        return Err(vec![format!("event {}", body["event"])]);
    };
    let validators = catalog().event(Profile::Compat, event).unwrap();
    if validators.open.is_valid(body) {
        return Ok(Some(validators));
    }
    let (mut checked, mut unchecked) = (Vec::new(), 0);
    for e in validators.open.iter_errors(body) {
        union_errors(&e, &mut checked, &mut unchecked);
    }
    if checked.is_empty() {
        Ok(None)
    } else {
        Err(checked)
    }
}

/// The same from the model: unknown keys on success, and the payload must round-trip.
fn model_verdict(body: &Value) -> Result<Vec<String>, String> {
    let event = serde_json::from_value::<Event>(body.clone()).map_err(|e| e.to_string())?;
    assert_eq!(&serde_json::to_value(&event).unwrap(), body, "round trip");
    Ok(event.unknown_keys())
}

/// `body` without the keys at `pointers`.
fn without(body: &Value, pointers: &[String]) -> Value {
    let mut b = body.clone();
    for p in pointers {
        let (parent, key) = p.rsplit_once('/').unwrap_or(("", p));
        if let Some(Value::Object(map)) = b.pointer_mut(parent) {
            map.shift_remove(&key.replace("~1", "/").replace("~0", "~"));
        }
    }
    b
}

/// Model and union agree on acceptance, and, when both accept, on the unknown keys: the keys the model
/// keeps in `extra` are exactly those the union's closed twin rejects (without them the body is clean,
/// and each one alone makes it unclean again).
fn agree(body: &Value, what: &str) {
    match (schema_verdict(body), model_verdict(body)) {
        (Ok(Some(validators)), Ok(extras)) => {
            assert!(
                validators.closed.is_valid(&without(body, &extras)),
                "{what}: unknown keys the model does not report (it reports {extras:?})\n{body:#}"
            );
            for (i, key) in extras.iter().enumerate() {
                let mut others = extras.clone();
                others.remove(i);
                assert!(
                    !validators.closed.is_valid(&without(body, &others)),
                    "{what}: the model reports {key} as unknown, the schema declares it\n{body:#}"
                );
            }
        }
        (Ok(None), Ok(_)) | (Err(_), Err(_)) => {}
        (s, m) => panic!(
            "{what}: schema says {:?}, model says {m:?}\n{body:#}",
            s.map(|v| v.is_some())
        ),
    }
}

/// The one place where the model rejects what the schema accepts (see the module docs).
#[test]
fn integer_valued_floats_are_the_known_divergence() {
    let mut body = bodies()[0].clone();
    body["id"] = json!(1.0);
    assert!(matches!(schema_verdict(&body), Ok(Some(_))));
    let err = model_verdict(&body).unwrap_err();
    assert_eq!(err, "/id: invalid type: floating point `1.0`, expected u64");
}

/// The payloads of VERSIONS.md section 3 (real releases' bodies that older schemas rejected), each
/// named by its item and release.
fn section3() -> Vec<(String, Value)> {
    let file: Value =
        serde_json::from_str(include_str!("../../tests/fixtures/releases/section3.json")).unwrap();
    file["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let what = format!("section {} ({}): {}", e["item"], e["release"], e["what"]);
            (what, e["body"].clone())
        })
        .collect()
}

/// Every body of VERSIONS.md section 3 parses, round-trips and has no unknown key; every body of
/// section 4 (what no release sent) is rejected, by the model as by the union.
#[test]
fn release_payloads_parse_and_impossible_ones_are_rejected() {
    for (what, body) in section3() {
        let event =
            serde_json::from_value::<Event>(body.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(serde_json::to_value(&event).unwrap(), body, "{what}");
        assert_eq!(event.unknown_keys(), Vec::<String>::new(), "{what}");
        agree(&body, &what);
    }
    let file: Value =
        serde_json::from_str(include_str!("../../tests/fixtures/releases/section4.json")).unwrap();
    let entries = file["entries"].as_array().unwrap();
    for e in entries {
        let what = format!("section {}: {}", e["item"], e["what"]);
        agree(&e["body"], &what);
        assert!(model_verdict(&e["body"]).is_err(), "{what}: accepted");
    }
}

fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => map.iter().for_each(|(k, c)| {
            pointers(
                c,
                format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                out,
            )
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, c)| pointers(c, format!("{at}/{i}"), out)),
        _ => {}
    }
    out.push(at);
}

/// The example bodies, the section 3 release payloads, and variants that reach the events and union
/// members the examples lack.
fn corpus() -> Vec<Value> {
    let examples = bodies();
    let find = |event: &str| {
        examples
            .iter()
            .find(|b| b["event"] == event)
            .cloned()
            .unwrap()
    };
    let agent_bot = json!({"id": 3, "name": "Bot", "avatar_url": null, "type": "agent_bot"});
    let captain = json!({"id": 4, "name": "Cap", "avatar_url": null, "description": "d",
        "created_at": "2026-06-17T12:34:56.789Z", "type": "captain_assistant"});
    let user_push = json!({"id": 5, "name": "Ana", "available_name": "Ana", "avatar_url": "",
        "type": "user", "availability_status": null, "thumbnail": ""});
    let mut out = examples.clone();

    let mut b = examples
        .iter()
        .rfind(|b| b["event"] == "message_created")
        .cloned()
        .unwrap();
    b["event"] = json!("message_updated");
    b["conversation"]["messages"][0]["sender"] = user_push;
    out.push(b);

    let mut b = find("conversation_typing_on");
    b["event"] = json!("conversation_typing_off");
    b["user"] = agent_bot.clone();
    b["is_private"] = json!("true");
    b["conversation"]["meta"]["assignee"] = agent_bot.clone();
    b["conversation"]["meta"]["assignee_type"] = json!("AgentBot");
    out.push(b);

    let mut b = find("conversation_typing_on");
    b["user"] = captain.clone();
    b["conversation"]["messages"][0]["sender"] = captain;
    out.push(b);

    let mut b = find("contact_updated");
    b["event"] = json!("contact_created");
    b.as_object_mut()
        .unwrap()
        .shift_remove("changed_attributes");
    out.push(b);

    let mut b = find("inbox_created");
    b["event"] = json!("inbox_updated");
    b["changed_attributes"] =
        json!([{"greeting_enabled": {"previous_value": false, "current_value": true}}]);
    out.push(b);

    let mut b = find("conversation_status_changed");
    b["changed_attributes"] = Value::Null;
    out.push(b);

    let mut b = find("webwidget_triggered");
    let mut conversation = find("conversation_created");
    conversation.as_object_mut().unwrap().shift_remove("event");
    b["current_conversation"] = conversation;
    out.push(b);

    // 2.0.0-2.4.1: the conversation_opened of a 2.4.x release (changed_attributes null)
    let mut b = find("conversation_status_changed");
    b["event"] = json!("conversation_opened");
    out.push(b);

    // the 2.0.0-2.13.1 contact, with `type`
    let mut b = find("message_created");
    b["sender"] = json!({"id": 7, "name": "Old", "avatar": "", "type": "contact",
        "account": {"id": 1, "name": "Acme"}});
    out.push(b);

    // the first release payload of each item of VERSIONS.md section 3 (all of them are checked, without
    // mutations, by `release_payloads_parse_and_impossible_ones_are_rejected`)
    let mut items = BTreeSet::new();
    out.extend(
        section3()
            .into_iter()
            .filter(|(what, _)| {
                items.insert(what.split(' ').nth(1).unwrap_or_default().to_string())
            })
            .map(|(_, body)| body),
    );
    out
}

/// Every single-step mutation of every example: a key added to each object, each value replaced by one
/// of another JSON type, each key removed. Model and schema must agree on acceptance, and on which keys
/// are unknown.
#[test]
fn model_and_schema_agree_on_every_mutation() {
    let mut checked = 0;
    let corpus = corpus();
    let events: BTreeSet<&str> = corpus.iter().filter_map(|b| b["event"].as_str()).collect();
    assert_eq!(events.len(), EventName::ALL.len());
    for body in &corpus {
        let body = body.clone();
        let mut all = Vec::new();
        pointers(&body, String::new(), &mut all);
        for p in &all {
            let mut b = body.clone();
            if let Some(Value::Object(map)) = b.pointer_mut(p) {
                map.insert("zz_added".into(), json!({"k": 1}));
                agree(&b, &format!("add {p}/zz_added"));
                checked += 1;
            }
            if p.is_empty() {
                continue;
            }
            let original = body.pointer(p).unwrap();
            let replacements = match original {
                Value::String(_) => vec![json!(7), Value::Null],
                Value::Null => vec![json!(7), json!({})],
                Value::Number(_) => vec![json!("7"), json!(1.5), Value::Null],
                _ => vec![json!("7"), Value::Null],
            };
            for r in replacements {
                let mut b = body.clone();
                *b.pointer_mut(p).unwrap() = r.clone();
                agree(&b, &format!("replace {p} with {r}"));
                checked += 1;
            }
            let (parent, key) = p.rsplit_once('/').unwrap();
            let mut b = body.clone();
            if let Some(Value::Object(map)) = b.pointer_mut(parent) {
                map.shift_remove(&key.replace("~1", "/").replace("~0", "~"));
                agree(&b, &format!("remove {p}"));
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

/// The mutation classes of the generator that a parser can see: types, required keys, enums, nulls and
/// the event name.
const PARSER_CLASSES: [Class; 5] = [
    Class::RemoveRequired,
    Class::WrongType,
    Class::OutsideEnum,
    Class::NullNotNullable,
    Class::UnknownEvent,
];

/// The generator of `profile`, compiled once per test binary.
fn generator(profile: Profile) -> &'static Generator {
    Generator::shared(profile).unwrap_or_else(|e| panic!("{profile}: {e:?}"))
}

/// `per_event` generated payloads of every event the generator's profile sends: each is its release's,
/// parses, round-trips and has the union's unknown keys; each single-defect mutation of a
/// [`PARSER_CLASSES`] class of the payloads `mutate(event, index)` picks gets the same verdict from the
/// model as from the union. Returns how many payloads there were and how many mutations the model
/// rejected.
fn check_generated(
    generator: &Generator,
    seed: u64,
    per_event: usize,
    mutate: impl Fn(EventName, usize) -> bool,
) -> (usize, usize) {
    let profile = generator.profile();
    let (mut payloads, mut rejected) = (0, 0);
    for event in catalog().events(profile).unwrap() {
        for (i, body) in generator
            .values(event, seed, per_event)
            .unwrap()
            .into_iter()
            .enumerate()
        {
            let what = format!("{profile} generated {}", event.as_str());
            if let Profile::Release(_) = profile {
                assert!(
                    catalog().verdict(profile, event, &body),
                    "{what}: not its release's payload\n{body:#}"
                );
            }
            agree(&body, &what);
            payloads += 1;
            if !mutate(event, i) {
                continue;
            }
            for site in sites(generator.node(event), event, profile, &body) {
                if !PARSER_CLASSES.contains(&site.expect.class) {
                    continue;
                }
                let mut b = body.clone();
                site.apply(event, &mut b);
                agree(&b, &format!("{what}: {}", site.expect.description));
                if model_verdict(&b).is_err() {
                    rejected += 1;
                }
            }
        }
    }
    (payloads, rejected)
}

/// Payloads from hookcheck's generator under compat (every distinct release shape): they round-trip,
/// and the model rejects more than a thousand of their mutations (so the union-rejects branch of
/// [`check_generated`] is exercised, not only the accepting one).
#[test]
fn generated_payloads_round_trip_and_their_mutations_are_rejected() {
    let (payloads, rejected) =
        check_generated(generator(Profile::Compat), 20_260_617, 12, |_, i| i < 4);
    assert!(payloads >= 12 * EventName::ALL.len(), "{payloads}");
    assert!(rejected > 1000, "{rejected}");
}

/// Generated payloads of a sample of releases across 2.0-4.15, every event each sends: the models parse
/// and round-trip each release's own shapes, and judge the mutations of one payload per event as the
/// union does.
#[test]
fn generated_payloads_of_sampled_releases_round_trip() {
    let releases = [
        "2.0.0", "2.5.0", "2.12.1", "2.14.0", "3.0.0", "3.8.0", "4.2.0", "4.8.0", "4.11.1",
        "4.15.1",
    ];
    let (mut events, mut generated) = (BTreeSet::new(), 0);
    for version in releases {
        let profile = Profile::release(version).unwrap();
        let g = generator(profile);
        let sent = catalog().events(profile).unwrap();
        events.extend(sent.iter().copied());
        let (payloads, rejected) = check_generated(g, 20_260_618, 3, |_, i| i == 0);
        assert_eq!(payloads, 3 * sent.len(), "{version}");
        assert!(rejected > 20 * sent.len(), "{version}: {rejected}");
        generated += 1;
    }
    assert_eq!(generated, releases.len());
    assert_eq!(events.len(), EventName::ALL.len());
}
