#!/usr/bin/env node
// Validate Chatwoot webhook bodies in Node with ajv 8 against hookcheck's schema files.
//
//   npm install ajv ajv-formats            # and copy chatwoot-formats.js next to this file
//   node validate-webhook.js path/to/schemas/chatwoot [--profile v4.15] body.json deliveries.ndjson
//
// Prints `SOURCE[:LINE]: valid` or `SOURCE[:LINE]: INVALID` followed by one indented line per error;
// exits 1 if a body is invalid. In a server, call `loadValidator()` once and `validate(body)` per request
// (after checking X-Chatwoot-Signature over the raw bytes).
"use strict";

const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020").default; // the draft 2020-12 build of ajv
const addFormats = require("ajv-formats").default;
const addChatwootFormats = require("./chatwoot-formats");

/** Compiles the entry schema of a profile ("compat": any Chatwoot since 2.0, "v4.15": the current release).
 * Every schema file is registered under its `$id`, so the relative `$ref`s resolve offline. */
function loadValidator(schemasDir, profile = "compat") {
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  addChatwootFormats(ajv);
  const files = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".json") ? [path.join(dir, e.name)] : []
    );
  for (const file of files(schemasDir)) ajv.addSchema(JSON.parse(fs.readFileSync(file, "utf8")));
  const entry = profile === "v4.15" ? "profiles/v4.15/webhook.json" : "webhook.json";
  return ajv.getSchema(JSON.parse(fs.readFileSync(path.join(schemasDir, entry), "utf8")).$id);
}

function main(argv) {
  const [schemasDir, ...rest] = argv;
  let profile = "compat";
  const inputs = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--profile") profile = rest[++i];
    else inputs.push(rest[i]);
  }
  if (!schemasDir) {
    console.error("usage: validate-webhook.js SCHEMAS_DIR [--profile compat|v4.15] FILE...");
    return 2;
  }
  const validate = loadValidator(schemasDir, profile);
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
