#!/usr/bin/env node
// Validates AsyncAPI documents with the official parser (@asyncapi/parser, which runs the AsyncAPI
// specification's JSON Schema and the core Spectral rules, and parses every message payload schema).
//
// Usage: node check-asyncapi.js FILE...
// Prints every diagnostic as `FILE: severity path: message`; exits 1 if a document has an error-severity
// diagnostic or does not parse, 2 on a usage or I/O error.
"use strict";

const fs = require("fs");
const { Parser } = require("@asyncapi/parser");

const SEVERITY = ["error", "warning", "info", "hint"];

async function main(files) {
  if (files.length === 0) {
    process.stderr.write("usage: check-asyncapi.js FILE...\n");
    return 2;
  }
  const parser = new Parser();
  let failed = false;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const { document, diagnostics } = await parser.parse(text, { source: file });
    const errors = diagnostics.filter((d) => d.severity === 0);
    for (const d of diagnostics) {
      console.log(`${file}: ${SEVERITY[d.severity] || d.severity} ${d.path.join(".")}: ${d.message} [${d.code}]`);
    }
    if (!document || errors.length > 0) {
      failed = true;
      console.log(`${file}: INVALID (${errors.length} errors)`);
    } else {
      const version = document.version();
      const ops = document.operations().length;
      const msgs = document.allMessages().length;
      console.log(`${file}: valid AsyncAPI ${version}: ${document.channels().length} channels, ${ops} operations, ${msgs} messages, ${diagnostics.length} diagnostics`);
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`check-asyncapi.js: ${e.stack || e}\n`); process.exitCode = 2; }
);
