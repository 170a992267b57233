// ajv 8 + ajv-formats over an NDJSON corpus: JSON.parse + validate, single-threaded.
// Usage: node ajv.mjs SCHEMAS_DIR PROFILE CORPUS  -> prints one JSON line of figures.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

// With a fourth argument `--once`: compile (first-error mode) and check every line once, as a script
// run on the file would; bench/compare times that whole process, start-up included.
// With `--releases DIR` instead: compat's exact union as another validator gets it, from the bundles of
// `hookcheck schemas export --format bundle --every-release --out DIR`: a payload is valid when one of them
// accepts it (tried newest first, as hookcheck does; SCHEMAS_DIR and PROFILE are then unused).
const [schemasDir, profile, corpus, mode, releasesDir] = process.argv.slice(2);
const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const dim = (y, m) => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
const iso = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.[0-9]{3}Z$/;
const js = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([0-9]{2}) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT([+-])([0-9]{2})([0-9]{2})( \(([^()]+)\))?$/;
const okTime = (h, mi, s) => h <= 23 && mi <= 59 && s <= 59;
const okDate = (y, m, d) => y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= dim(y, m);
function isIso(s) {
  const m = iso.exec(s); if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  return okDate(y, mo, d) && okTime(h, mi, se);
}
function isJsDate(s) {
  const m = js.exec(s); if (!m) return false;
  const mo = months.indexOf(m[2]) + 1, d = +m[3], y = +m[4];
  if (!okDate(y, mo, d) || !okTime(+m[5], +m[6], +m[7])) return false;
  const oh = +m[9], om = +m[10];
  if (oh > 14 || om > 59 || oh * 60 + om > 840 || (m[8] === "-" && oh === 0 && om === 0)) return false;
  const wd = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
  return days[wd] === m[1];
}

function ajvWithFormats(all) {
  const ajv = new Ajv2020({ allErrors: all, strict: false });
  addFormats(ajv);
  ajv.addFormat("iso8601-ms-utc", { type: "string", validate: isIso });
  ajv.addFormat("js-date", { type: "string", validate: isJsDate });
  ajv.addFormat("unix-seconds", { type: "number", validate: () => true });
  ajv.addFormat("unix-float", { type: "number", validate: () => true });
  return ajv;
}

// One validator per release bundle, newest first; valid when one accepts (its errors are the last one's).
function loadReleases(all) {
  const index = JSON.parse(fs.readFileSync(path.join(releasesDir, "index.json"), "utf8"));
  const validators = index.contracts.slice().reverse().map((c) =>
    ajvWithFormats(all).compile(JSON.parse(fs.readFileSync(path.join(releasesDir, c.file), "utf8"))));
  const validate = (x) => {
    for (const v of validators) {
      if (v(x)) return true;
      validate.errors = v.errors;
    }
    return false;
  };
  return validate;
}

function load(all) {
  if (mode === "--releases") return loadReleases(all);
  const ajv = ajvWithFormats(all);
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".json") ? [path.join(d, e.name)] : []);
  for (const f of walk(schemasDir)) ajv.addSchema(JSON.parse(fs.readFileSync(f, "utf8")));
  const entry = profile === "v4.15" ? "chatwoot/profiles/v4.15/webhook.json" : "chatwoot/webhook.json";
  return ajv.getSchema("https://hookcheck.dev/schemas/" + entry);
}

const lines = fs.readFileSync(corpus, "utf8").split("\n").filter((l) => l.length > 0);
if (mode === "--once") {
  const validate = load(false);
  let valid = 0, invalid = 0;
  for (const l of lines) {
    let ok = false;
    try { ok = validate(JSON.parse(l)); } catch { ok = false; }
    if (ok) valid++; else invalid++;
  }
  console.log(JSON.stringify({ lines: lines.length, valid, invalid }));
  process.exit(0);
}
const out = { lines: lines.length };
for (const all of [false, true]) {
  const t0 = process.hrtime.bigint();
  const validate = load(all);
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  let valid = 0, errors = 0;
  // one warm-up pass, then the measured pass
  for (const l of lines) validate(JSON.parse(l));
  const t1 = process.hrtime.bigint();
  for (const l of lines) {
    if (validate(JSON.parse(l))) valid++; else errors += validate.errors.length;
  }
  const secs = Number(process.hrtime.bigint() - t1) / 1e9;
  out[all ? "all_errors" : "first_error"] = { per_sec: lines.length / secs, valid, errors, compile_ms: compileMs };
}
console.log(JSON.stringify(out));
