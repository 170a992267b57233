#!/usr/bin/env node
// Independent validator for hookcheck's contract with ajv 8 (draft 2020-12, strict mode) + ajv-formats, the
// custom formats implemented in examples/snippets/node/chatwoot-formats.js. The Node twin of ../validate.py.
// No release logic is copied here: what a release sends comes from hookcheck's export.
//
// Usage:
//   node validate.js --bundle FILE [--bundle FILE...] INPUT...   bundles from `hookcheck schemas export
//                                                                --format bundle`; with several, a body is
//                                                                valid when one of them accepts it
//   node validate.js --releases DIR INPUT...                     every bundle DIR/index.json lists (`schemas
//                                                                export --format bundle --every-release
//                                                                --out DIR`): hookcheck's compat verdict
//   node validate.js --schemas DIR INPUT...                      the union files of DIR (schemas/chatwoot) as
//                                                                written, loaded by their $id: every release
//                                                                at once (a superset of compat)
//
// INPUT: `.json` (one document; a recorded delivery or contract example {"body": ...} without a top-level
// `event` is validated through its body) or `.ndjson`/`.jsonl` (one record per non-empty line).
// Output: one JSON line per record: {"source", "line", "valid", "errors": [{"pointer", "keyword", "message"}]},
// with several bundles also "accepted_by" (labels) and, when none accepts, "closest" (fewest errors; the
// errors are its).
// Exit status: 0, or 2 on a usage error, an unreadable input or a schema ajv refuses.
"use strict";

const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;
const addChatwootFormats = require("../../../examples/snippets/node/chatwoot-formats");

/** The release annotations of the union files (schemas/README.md, "Release annotations"). Plain validators
 * ignore them; ajv's strict mode refuses unknown keywords, so they are declared as annotation-only keywords
 * (exactly these: a new `x-` keyword in schemas/ makes ajv fail here until it is listed). The exports carry
 * none of them. */
const RELEASE_ANNOTATIONS = ["x-since", "x-until", "x-enum-releases", "x-required", "x-edition", "x-source"];

/** The ajv options the portability tests use: strict mode stays on, except what these schemas need. */
function newAjv() {
  const ajv = new Ajv2020({
    allErrors: true,
    // Strict mode stays on (unknown keywords and unknown formats are errors) except strictTypes, whose
    // default "log" warns about `required`/`properties` in a schema that does not repeat `type: "object"`
    // itself: the event files take their type from a `$ref`ed schema. No verdict changes.
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

function compileFromDir(dir) {
  const ajv = newAjv();
  ajv.addVocabulary(RELEASE_ANNOTATIONS);
  for (const file of walk(dir)) {
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    if (doc && typeof doc.$id === "string") ajv.addSchema(doc); // releases.json is data, not a schema
  }
  const id = JSON.parse(fs.readFileSync(path.join(dir, "webhook.json"), "utf8")).$id;
  const validate = ajv.getSchema(id);
  if (!validate) throw new Error(`no schema ${id}`);
  return [["schemas", validate]];
}

function compileBundle(file, label) {
  return [label || file, newAjv().compile(JSON.parse(fs.readFileSync(file, "utf8")))];
}

function compileReleases(dir) {
  const index = JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8"));
  if (index.format !== "bundle" || !Array.isArray(index.contracts) || index.contracts.length === 0) {
    throw new Error(`${dir}/index.json is not the index of \`hookcheck schemas export --format bundle --every-release\``);
  }
  return index.contracts.map((c) => {
    if (typeof c.file !== "string" || c.file.includes("/")) throw new Error(`bad contract entry ${JSON.stringify(c)}`);
    return compileBundle(path.join(dir, c.file), c.ranges || c.file);
  });
}

function errorsOf(validate, doc) {
  if (validate(doc)) return [];
  return validate.errors.map((e) => ({ pointer: e.instancePath, keyword: e.keyword, message: e.message }));
}

function verdict(validators, source, line, doc) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    const errors = [{ pointer: "", keyword: "json", message: "record is not an object" }];
    return { source, line, valid: false, errors };
  }
  if (validators.length === 1) {
    const errors = errorsOf(validators[0][1], doc);
    return { source, line, valid: errors.length === 0, errors };
  }
  const accepted = [];
  let closest = null;
  for (const [label, validate] of validators) {
    const errors = errorsOf(validate, doc);
    if (errors.length === 0) accepted.push(label);
    else if (closest === null || errors.length < closest[1].length) closest = [label, errors];
  }
  if (accepted.length > 0) return { source, line, valid: true, errors: [], accepted_by: accepted };
  return { source, line, valid: false, errors: closest[1], accepted_by: [], closest: closest[0] };
}

const USAGE = "usage: validate.js (--bundle FILE [--bundle FILE...] | --releases DIR | --schemas DIR) INPUT...\n";

function main(argv) {
  let schemas = null;
  let releases = null;
  const bundles = [];
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--schemas") schemas = argv[++i];
    else if (a === "--releases") releases = argv[++i];
    else if (a === "--bundle") bundles.push(argv[++i]);
    else if (a === "--profile") {
      process.stderr.write(
        "validate.js: --profile is gone (schemas/chatwoot/profiles/ no longer exists): export the release with " +
          "`hookcheck schemas export --format bundle --release X.Y.Z --out FILE` and pass --bundle FILE\n"
      );
      return 2;
    } else files.push(a);
  }
  const sources = [schemas !== null, releases !== null, bundles.length > 0].filter(Boolean).length;
  if (sources !== 1 || [schemas, releases, ...bundles].includes(undefined)) {
    process.stderr.write(USAGE);
    return 2;
  }
  let validators;
  try {
    if (schemas !== null) validators = compileFromDir(schemas);
    else if (releases !== null) validators = compileReleases(releases);
    else validators = bundles.map((b) => compileBundle(b));
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
        out.push(verdict(validators, file, i + 1, doc));
      });
    } else {
      let doc;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        out.push({ source: file, line: null, valid: false, errors: [{ pointer: "", keyword: "json", message: e.message }] });
        continue;
      }
      if (doc && typeof doc === "object" && !("event" in doc) && doc.body && typeof doc.body === "object") {
        doc = doc.body;
      }
      out.push(verdict(validators, file, null, doc));
    }
  }
  process.stdout.write(out.map((r) => JSON.stringify(r)).join("\n") + (out.length ? "\n" : ""));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
