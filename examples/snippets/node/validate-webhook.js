#!/usr/bin/env node
// Validate Chatwoot webhook bodies in Node with ajv 8 against hookcheck's contract.
//
//   npm install ajv ajv-formats            # and copy chatwoot-formats.js next to this file
//   hookcheck schemas export --format bundle --release 4.15.1 --out chatwoot.bundle.json
//   node validate-webhook.js chatwoot.bundle.json body.json deliveries.ndjson
//
// SCHEMA is a bundle from `hookcheck schemas export --format bundle` (`--release X.Y.Z`: exactly what that
// Chatwoot release sends; without it, every release at once) or a copy of hookcheck's schemas/chatwoot
// directory (every release at once: the files carry release annotations, `x-since` and the like, which ajv
// is told to accept as annotations). Prints `SOURCE[:LINE]: valid` or `SOURCE[:LINE]: INVALID` followed by
// one indented line per error; exits 1 if a body is invalid. In a server, call `loadValidator()` once and
// `validate(body)` per request (after checking X-Chatwoot-Signature over the raw bytes).
"use strict";

const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020").default; // the draft 2020-12 build of ajv
const addFormats = require("ajv-formats").default;
const addChatwootFormats = require("./chatwoot-formats");

/** The release annotations of hookcheck's schema files (the exports have none). */
const RELEASE_ANNOTATIONS = ["x-since", "x-until", "x-enum-releases", "x-required", "x-edition", "x-source"];

/** Compiles a bundle file, or the entry schema of a schemas/chatwoot directory (every schema file registered
 * under its `$id`, so the relative `$ref`s resolve offline). Strict mode stays on. */
function loadValidator(schema) {
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  addChatwootFormats(ajv);
  if (!fs.statSync(schema).isDirectory()) return ajv.compile(JSON.parse(fs.readFileSync(schema, "utf8")));
  ajv.addVocabulary(RELEASE_ANNOTATIONS);
  const files = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".json") ? [path.join(dir, e.name)] : []
    );
  for (const file of files(schema)) {
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    if (typeof doc.$id === "string") ajv.addSchema(doc); // releases.json is data, not a schema
  }
  return ajv.getSchema(JSON.parse(fs.readFileSync(path.join(schema, "webhook.json"), "utf8")).$id);
}

function main(argv) {
  const [schema, ...inputs] = argv;
  if (!schema || schema.startsWith("-")) {
    console.error("usage: validate-webhook.js BUNDLE.json|SCHEMAS_DIR FILE...");
    return 2;
  }
  const validate = loadValidator(schema);
  let invalid = 0;
  const report = (label, body) => {
    if (validate(body)) {
      console.log(`${label}: valid`);
      return;
    }
    invalid++;
    console.log(`${label}: INVALID`);
    for (const e of validate.errors) console.log(`    ${e.instancePath || "/"} ${e.keyword}: ${e.message}`);
  };
  for (const file of inputs) {
    const text = fs.readFileSync(file, "utf8");
    if (/\.(ndjson|jsonl)$/.test(file)) {
      text.split("\n").forEach((line, i) => line.trim() && report(`${file}:${i + 1}`, JSON.parse(line)));
    } else {
      let doc = JSON.parse(text);
      if (doc && typeof doc === "object" && !("event" in doc) && doc.body) doc = doc.body; // a recorded delivery
      report(file, doc);
    }
  }
  return invalid ? 1 : 0;
}

module.exports = { loadValidator };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
