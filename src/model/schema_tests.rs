//! The models against the schemas themselves: declared keys, enum values, object coverage, and
//! agreement with hookcheck's validator on every single-step mutation of every example body.
use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::tests::bodies;
use super::*;
use crate::{Catalog, Options};

/// Schema-check rules the models deliberately do not enforce (see the module docs); the validator's
/// `semantic/*` cross-field rules are not schema checks and are ignored too.
const NOT_CHECKED: &[&str] = &[
    "schema/format",
    "schema/pattern",
    "schema/minimum",
    "schema/maximum",
    "schema/minItems",
    "schema/maxItems",
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

fn keys(schema: &Value) -> BTreeSet<&str> {
    schema["properties"]
        .as_object()
        .map(|p| p.keys().map(String::as_str).collect())
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

#[test]
fn every_model_declares_exactly_its_schema_properties() {
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
    let cases: [(&str, Vec<Value>); 12] = [
        ("content-type", wire(ContentType::ALL)),
        ("message-type-sendable", wire(MessageType::ALL)),
        ("message-type-code", wire(MessageTypeCode::ALL)),
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

/// What the validator says: `Ok(unknown-key pointers)` when the body conforms (up to the rules the
/// models do not check), `Err(errors)` otherwise.
fn schema_verdict(body: &Value) -> Result<BTreeSet<String>, Vec<String>> {
    let report = catalog().validate_value(body, &Options::default());
    let errors: Vec<String> = report
        .errors()
        .filter(|f| !NOT_CHECKED.contains(&f.rule.as_str()) && !f.rule.starts_with("semantic/"))
        .map(|f| format!("{} {}", f.rule, f.pointer))
        .collect();
    if errors.is_empty() {
        Ok(report
            .warnings()
            .filter(|f| f.rule == "unknown-key")
            .map(|f| f.pointer.clone())
            .collect())
    } else {
        Err(errors)
    }
}

/// The same from the model: unknown keys on success, and the payload must round-trip.
fn model_verdict(body: &Value) -> Result<BTreeSet<String>, String> {
    let event = serde_json::from_value::<Event>(body.clone()).map_err(|e| e.to_string())?;
    assert_eq!(&serde_json::to_value(&event).unwrap(), body, "round trip");
    Ok(event.unknown_keys().into_iter().collect())
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

fn agree(body: &Value, what: &str) {
    match (schema_verdict(body), model_verdict(body)) {
        (Ok(warned), Ok(extras)) => {
            // Exact agreement: the keys the model keeps in `extra` are the validator's unknown keys
            // (including unknown keys nested inside union members; see tests/it/regressions.rs).
            assert_eq!(
                extras, warned,
                "{what}: model extras vs unknown-key warnings"
            );
        }
        (Err(_), Err(_)) => {}
        (s, m) => panic!("{what}: schema says {s:?}, model says {m:?}\n{body:#}"),
    }
}

/// The one place where the model rejects what the schema accepts (see the module docs).
#[test]
fn integer_valued_floats_are_the_known_divergence() {
    let mut body = bodies()[0].clone();
    body["id"] = json!(1.0);
    assert_eq!(schema_verdict(&body), Ok(BTreeSet::new()));
    let err = model_verdict(&body).unwrap_err();
    assert_eq!(err, "/id: invalid type: floating point `1.0`, expected u64");
}

/// The example bodies plus variants that reach the events and union members the examples lack.
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
    b["type"] = json!("contact");
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
    assert_eq!(events.len(), 12);
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

/// Payloads from hookcheck's generator (compat profile): each round-trips, its unknown keys are the
/// validator's, and each of its single-defect mutations of a type / required / enum / null class is
/// rejected by the model as by the schema.
#[test]
fn generated_payloads_round_trip_and_their_mutations_are_rejected() {
    use crate::generate::mutate::{sites, Class};
    use crate::generate::Generator;
    use crate::{EventName, Profile};

    let generator = Generator::new(catalog(), Profile::Compat).unwrap();
    let classes = [
        Class::RemoveRequired,
        Class::WrongType,
        Class::OutsideEnum,
        Class::NullNotNullable,
        Class::UnknownEvent,
    ];
    let mut rejected = 0;
    for event in EventName::ALL {
        for body in generator.values(event, 20_260_617, 12).unwrap() {
            agree(&body, &format!("generated {}", event.as_str()));
            for site in sites(generator.node(event), event, Profile::Compat, &body) {
                if !classes.contains(&site.expect.class) {
                    continue;
                }
                let mut b = body.clone();
                site.apply(event, &mut b);
                let what = &site.expect.description;
                assert!(
                    model_verdict(&b).is_err(),
                    "{}: {what} accepted\n{b:#}",
                    event.as_str()
                );
                rejected += 1;
            }
        }
    }
    assert!(rejected > 1000, "{rejected}");
}
