#!/usr/bin/env python3
"""Validate Chatwoot webhook bodies in Python with `jsonschema` against hookcheck's contract.

    pip install 'jsonschema>=4.18'
    hookcheck schemas export --format bundle --release 4.15.1 --out chatwoot.bundle.json
    python3 validate_webhook.py chatwoot.bundle.json body.json deliveries.ndjson

SCHEMA is a bundle from `hookcheck schemas export --format bundle` (`--release X.Y.Z`: exactly what that
Chatwoot release sends; without it, every release at once) or a copy of hookcheck's schemas/chatwoot
directory (every release at once; `jsonschema` ignores the files' release annotations, `x-since` and the
like). Prints `SOURCE[:LINE]: valid` or `SOURCE[:LINE]: INVALID` followed by one indented line per error;
exits 1 if a body is invalid. In a server, call `load_validator()` once and `validator.iter_errors(body)` per
request (after checking X-Chatwoot-Signature over the raw bytes).
"""
import datetime
import json
import pathlib
import re
import sys

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# ---- The four custom formats (see schemas/README.md) ----
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.[0-9]{3}Z")
_JS_DATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([0-9]{2}) ([0-9]{4}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT([+-])([0-9]{2})([0-9]{2})( \((.+)\))?",
    re.DOTALL,
)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()  # date.weekday() order


def _date(y, mo, d, h, mi, s):
    """The date if it is real (year >= 1) and the time has no leap second, else None."""
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0 <= s <= 59):
        return None
    try:
        return datetime.date(y, mo, d)
    except ValueError:
        return None


def formats() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("iso8601-ms-utc")
    def iso8601_ms_utc(value):
        if not isinstance(value, str):
            return True
        m = _ISO.fullmatch(value)
        return bool(m) and _date(*map(int, m.groups())) is not None

    @checker.checks("js-date")
    def js_date(value):
        if not isinstance(value, str):
            return True
        m = _JS_DATE.fullmatch(value)
        if not m:
            return False
        wd, mon, d, y, h, mi, s, sign, oh, om, paren, zone = m.groups()
        date = _date(int(y), _MONTHS.index(mon) + 1, int(d), int(h), int(mi), int(s))
        oh, om = int(oh), int(om)
        if date is None or oh > 14 or om > 59 or oh * 60 + om > 14 * 60 or (sign == "-" and oh == om == 0):
            return False
        if paren is not None and (not zone or "(" in zone or ")" in zone):
            return False
        return _WEEKDAYS[date.weekday()] == wd

    # unix-seconds / unix-float annotate numbers; the schemas bound them with minimum/maximum.
    checker.checks("unix-seconds")(lambda value: True)
    checker.checks("unix-float")(lambda value: True)
    return checker


def load_validator(schema) -> Draft202012Validator:
    """A bundle file, or the entry schema of a schemas/chatwoot directory with every schema file registered
    under its `$id` so the relative `$ref`s resolve offline."""
    root = pathlib.Path(schema)
    if root.is_file():
        return Draft202012Validator(json.loads(root.read_text(encoding="utf-8")), format_checker=formats())
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.json"))]
    registry = Registry().with_resources(
        (d["$id"], Resource.from_contents(d, default_specification=DRAFT202012))
        for d in docs
        if "$id" in d  # releases.json is data, not a schema
    )
    entry = json.loads((root / "webhook.json").read_text(encoding="utf-8"))
    return Draft202012Validator(entry, registry=registry, format_checker=formats())


def main(argv) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    schema, rest = argv[0], argv[1:]
    validator = load_validator(schema)
    invalid = 0

    def report(label, body):
        nonlocal invalid
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if not errors:
            print(f"{label}: valid")
            return
        invalid += 1
        print(f"{label}: INVALID")
        for e in errors:
            pointer = "".join(f"/{p}" for p in e.absolute_path) or "/"
            print(f"    {pointer} {e.validator}: {e.message}")

    for name in rest:
        text = pathlib.Path(name).read_text(encoding="utf-8")
        if name.endswith((".ndjson", ".jsonl")):
            for n, line in enumerate(text.split("\n"), start=1):
                if line.strip():
                    report(f"{name}:{n}", json.loads(line))
        else:
            doc = json.loads(text)
            if isinstance(doc, dict) and "event" not in doc and isinstance(doc.get("body"), dict):
                doc = doc["body"]  # a recorded delivery {"headers", "body"}
            report(name, doc)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
