#!/usr/bin/env node
// Independent validator for hookcheck's schemas with ajv 8 (draft 2020-12) + ajv-formats, the custom formats
// implemented in examples/snippets/node/chatwoot-formats.js. The Node twin of ../validate.py.
//
// Usage:
//   node validate.js --schemas DIR --profile compat|v4.15 FILE...   every file of DIR (schemas/chatwoot)
//                                                                   loaded by its $id, the entry schema used
//   node validate.js --bundle FILE FILE...                          one bundle from `hookcheck schemas export`
//
// FILE: `.json` (one document; a recorded delivery or contract example {"body": ...} without a top-level
// `event` is validated through its body) or `.ndjson`/`.jsonl` (one record per non-empty line).
// Output: one JSON line per record: {"source", "line", "valid", "errors": [{"pointer", "keyword", "message"}]}.
// Exit status: 0, or 2 on a usage error, an unreadable input or a schema ajv refuses.
"use strict";

const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;
const addChatwootFormats = require("../../../examples/snippets/node/chatwoot-formats");

/** The ajv options the portability tests use: strict mode stays on, except what these schemas need. */
function newAjv() {
  const ajv = new Ajv2020({
    allErrors: true,
    // Strict mode stays on (unknown keywords and unknown formats are errors) except strictTypes, whose
    // default "log" warns about `required`/`properties` in a schema that does not repeat `type: "object"`
    // itself: the event files and the v4.15 overlays take their type from a `$ref`ed schema. No verdict changes.
    strictTypes: false,
  });
  addFormats(ajv);
  addChatwootFormats(ajv);
  return ajv;
}

function walk(dir) {
  const out = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith(".json")) out.push(p);
  }
  return out;
}

function compileFromDir(dir, profile) {
  const ajv = newAjv();
  for (const file of walk(dir)) {
    ajv.addSchema(JSON.parse(fs.readFileSync(file, "utf8")));
  }
  const entry = profile === "v4.15" ? "profiles/v4.15/webhook.json" : "webhook.json";
  const id = JSON.parse(fs.readFileSync(path.join(dir, entry), "utf8")).$id;
  const validate = ajv.getSchema(id);
  if (!validate) throw new Error(`no schema ${id}`);
  return validate;
}

function compileBundle(file) {
  return newAjv().compile(JSON.parse(fs.readFileSync(file, "utf8")));
}

function verdict(validate, source, line, doc) {
  let errors = [];
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    errors = [{ pointer: "", keyword: "json", message: "record is not an object" }];
  } else if (!validate(doc)) {
    errors = validate.errors.map((e) => ({ pointer: e.instancePath, keyword: e.keyword, message: e.message }));
  }
  return { source, line, valid: errors.length === 0, errors };
}

function main(argv) {
  let schemas = null;
  let profile = "compat";
  let bundle = null;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--schemas") schemas = argv[++i];
    else if (a === "--profile") profile = argv[++i];
    else if (a === "--bundle") bundle = argv[++i];
    else files.push(a);
  }
  if (!schemas === !bundle || !["compat", "v4.15"].includes(profile)) {
    process.stderr.write("usage: validate.js (--schemas DIR [--profile compat|v4.15] | --bundle FILE) FILE...\n");
    return 2;
  }
  let validate;
  try {
    validate = bundle ? compileBundle(bundle) : compileFromDir(schemas, profile);
  } catch (e) {
    process.stderr.write(`validate.js: ajv refuses the schemas: ${e.message}\n`);
    return 2;
  }
  const out = [];
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      process.stderr.write(`validate.js: ${e.message}\n`);
      return 2;
    }
    if (file.endsWith(".ndjson") || file.endsWith(".jsonl")) {
      text.split("\n").forEach((raw, i) => {
        if (raw.trim() === "") return;
        let doc;
        try {
          doc = JSON.parse(raw);
        } catch (e) {
          out.push({ source: file, line: i + 1, valid: false, errors: [{ pointer: "", keyword: "json", message: e.message }] });
          return;
        }
        out.push(verdict(validate, file, i + 1, doc));
      });
    } else {
      let doc = JSON.parse(text);
      if (doc && typeof doc === "object" && !("event" in doc) && doc.body && typeof doc.body === "object") {
        doc = doc.body;
      }
      out.push(verdict(validate, file, null, doc));
    }
  }
  process.stdout.write(out.map((r) => JSON.stringify(r)).join("\n") + (out.length ? "\n" : ""));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
