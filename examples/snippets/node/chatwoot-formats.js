// The four custom `format`s of hookcheck's Chatwoot webhook schemas, for ajv 8:
//
//   const addChatwootFormats = require("./chatwoot-formats");
//   addChatwootFormats(ajv);
//
// Equivalent to hookcheck's Rust checks (src/format.rs) and tests/portability/validate.py; the portability
// tests run the same fixtures and generated payloads through all three and require the same verdicts.
// No dependencies.
"use strict";

const ISO = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3})Z$/;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]; // Date#getUTCDay() order
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const JS_DATE = new RegExp(
  "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) " +
    "([0-9]{2}) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT([+-])([0-9]{2})([0-9]{2})" +
    "( \\(([\\s\\S]+)\\))?$" // the zone name may hold any character; only parentheses are refused below
);

function daysInMonth(year, month) {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** A real proleptic-Gregorian date (year >= 1) and a time without leap second. */
function realDateTime(y, mo, d, h, mi, s) {
  if (y < 1 || mo < 1 || mo > 12) return false;
  if (h > 23 || mi > 59 || s > 59) return false;
  return d >= 1 && d <= daysInMonth(y, mo);
}

/** `2026-06-17T12:34:56.789Z`: exactly 3 fractional digits, `Z`, a real date and time. */
function iso8601MsUtc(s) {
  const m = ISO.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number);
  return realDateTime(y, mo, d, h, mi, sec);
}

/** `Wed Jun 17 2026 18:04:56 GMT+0530 (India Standard Time)`: the weekday matches the date, the offset is
 * within +/-14:00 (`-0000` is refused: browsers print `+0000`), the zone name is optional. */
function jsDate(s) {
  const m = JS_DATE.exec(s);
  if (!m) return false;
  const [, wd, mon, day, year, hh, mm, ss, sign, oh, om, paren, zone] = m;
  const month = MONTHS.indexOf(mon) + 1;
  const [y, d] = [Number(year), Number(day)];
  if (!realDateTime(y, month, d, Number(hh), Number(mm), Number(ss))) return false;
  const [offH, offM] = [Number(oh), Number(om)];
  if (offH > 14 || offM > 59 || offH * 60 + offM > 14 * 60) return false;
  if (sign === "-" && offH === 0 && offM === 0) return false;
  if (paren !== undefined && (!zone || zone.includes("(") || zone.includes(")"))) return false;
  const date = new Date(0);
  date.setUTCFullYear(y, month - 1, d); // not Date.UTC: it maps years 0-99 to 1900-1999
  return WEEKDAYS[date.getUTCDay()] === wd;
}

/** Registers the four formats on an ajv instance; returns it. `unix-seconds` and `unix-float` annotate
 * numbers whose bounds the schemas check with minimum/maximum, so they accept every number. */
function addChatwootFormats(ajv) {
  ajv.addFormat("iso8601-ms-utc", { type: "string", validate: iso8601MsUtc });
  ajv.addFormat("js-date", { type: "string", validate: jsDate });
  ajv.addFormat("unix-seconds", { type: "number", validate: () => true });
  ajv.addFormat("unix-float", { type: "number", validate: () => true });
  return ajv;
}

module.exports = addChatwootFormats;
module.exports.iso8601MsUtc = iso8601MsUtc;
module.exports.jsDate = jsDate;
