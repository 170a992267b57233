#!/usr/bin/env python3
"""Independent validator for hookcheck's Chatwoot webhook contract, with python-jsonschema.

Proves the contract is portable: Draft202012Validator, with the four custom formats
implemented exactly as hookcheck's Rust validator implements them, reads either

  * what hookcheck exports (`hookcheck schemas export --format bundle`): one
    release's bundle is exactly that release's contract; the bundles written by
    `--every-release` (one per distinct release contract, with `index.json`),
    read together, give hookcheck's compat verdict: a body conforms when SOME
    release's bundle accepts it; or
  * the union files under schemas/chatwoot as written (their `$id`s in a
    `referencing` Registry; the `x-` release annotations are ignored): every
    release at once, a superset of compat (never rejects what a release sent).

No release logic is copied here: what a release sends comes from hookcheck's export.

Usage:
  validate.py --bundle FILE [--bundle FILE...] [--event NAME] [--unwrap-anyof] INPUT...
  validate.py --releases DIR [--event NAME] [--unwrap-anyof] INPUT...
  validate.py --schemas DIR [--event NAME] [--unwrap-anyof] INPUT...
  validate.py --schemas DIR --check-metaschema

--bundle: with several, a body is valid when one of them accepts it.
--releases DIR: every bundle DIR/index.json lists (`hookcheck schemas export
  --format bundle --every-release --out DIR`), read as with several --bundle.
--event NAME: that event's schema (`#/$defs/events.NAME`, or events/NAME.json)
  instead of the entry schema.

INPUT: `.json` (one document; a contract example {"_reconstructed":..,"body":..}
is validated through its body), `.ndjson`/`.jsonl` (one record per non-empty
line), or `-` (NDJSON on stdin).

Output: one JSON line per record on stdout:
  {"source": FILE, "line": N|null, "valid": bool,
   "errors": [{"pointer": "/json/pointer", "keyword": "type", "message": "..."}]}
With several bundles, also "accepted_by": [bundle labels], and when none accepts,
"closest": the label of the bundle with the fewest errors (the errors are its).
`keyword` is python-jsonschema's `e.validator` ("false" for a false subschema).
--unwrap-anyof reports a failed nullable `anyOf: [null, {$ref}]` through the
branch that fits, as hookcheck does, instead of as one `anyOf` error.
Exit status: 0, or 2 on a usage or I/O error. Standard library + jsonschema only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import SchemaError, ValidationError
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012
except ImportError as exc:  # pragma: no cover - environment problem
    sys.stderr.write(f"validate.py: needs jsonschema>=4.18 with referencing: {exc}\n")
    sys.exit(2)


# --------------------------------------------------------------------------
# Custom formats (must match hookcheck's Rust implementation exactly)
# --------------------------------------------------------------------------

_ISO_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3})Z"
)

_JS_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # date.weekday() order
_JS_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_JS_DATE_RE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{2}) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT([+-])([0-9]{2})([0-9]{2})"
    r"( \((.+)\))?",
    re.DOTALL,  # the zone name may hold any character (hookcheck checks only for parentheses)
)


def _real_datetime(year: int, month: int, day: int, hour: int, minute: int, second: int) -> bool:
    """A real proleptic-Gregorian date (year >= 1) and a time without leap second."""
    if year < 1 or not (1 <= month <= 12):
        return False
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def check_iso8601_ms_utc(instance) -> bool:
    if not isinstance(instance, str):
        return True
    # fullmatch: anchored at both ends, no "$ before a trailing newline" leniency.
    m = _ISO_RE.fullmatch(instance)
    if m is None:
        return False
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    return _real_datetime(y, mo, d, h, mi, s)


def check_js_date(instance) -> bool:
    if not isinstance(instance, str):
        return True
    m = _JS_DATE_RE.fullmatch(instance)
    if m is None:
        return False
    wd, mon, day, year, hh, mm, ss, _sign, oh, om, paren, zone = m.groups()
    month = _JS_MONTHS.index(mon) + 1
    y, d, h, mi, s = int(year), int(day), int(hh), int(mm), int(ss)
    if not _real_datetime(y, month, d, h, mi, s):
        return False
    off_h, off_m = int(oh), int(om)
    if off_h > 14 or off_m > 59 or off_h * 60 + off_m > 14 * 60:
        return False
    if _sign == "-" and off_h == 0 and off_m == 0:
        return False  # browsers print a zero offset as GMT+0000 (hookcheck rejects -0000)
    if paren is not None:
        if not zone or "(" in zone or ")" in zone:
            return False
    return _JS_WEEKDAYS[datetime.date(y, month, d).weekday()] == wd


def check_annotation_only(instance) -> bool:
    # `unix-seconds` / `unix-float`: annotations; the schemas bound them with
    # type/minimum/maximum. Always true (and true for non-strings anyway).
    return True


def make_format_checker() -> FormatChecker:
    checker = FormatChecker()  # the standard formats (harmless here)
    checker.checks("iso8601-ms-utc")(check_iso8601_ms_utc)
    checker.checks("js-date")(check_js_date)
    checker.checks("unix-seconds")(check_annotation_only)
    checker.checks("unix-float")(check_annotation_only)
    return checker


# --------------------------------------------------------------------------
# Work around python-jsonschema losing the instance path of a `false` subschema
# (descend() returns before prepending `path`, so an error for
# `properties: {"type": false}` is reported at the parent object). Applied only
# when the installed version shows the defect.
# --------------------------------------------------------------------------

def _false_schema_path_is_lost() -> bool:
    errs = list(Draft202012Validator({"properties": {"k": False}}).iter_errors({"k": 1}))
    return bool(errs) and list(errs[0].absolute_path) != ["k"]


def _patch_false_schema_descend() -> None:
    original = Draft202012Validator.descend

    def descend(self, instance, schema, path=None, schema_path=None, resolver=None):
        if schema is False:
            error = ValidationError(
                f"False schema does not allow {instance!r}",
                validator=None,
                validator_value=None,
                instance=instance,
                schema=schema,
            )
            if path is not None:
                error.path.appendleft(path)
            if schema_path is not None:
                error.schema_path.appendleft(schema_path)
            yield error
            return
        yield from original(self, instance, schema, path=path,
                            schema_path=schema_path, resolver=resolver)

    Draft202012Validator.descend = descend


if _false_schema_path_is_lost():
    _patch_false_schema_descend()


# --------------------------------------------------------------------------
# Schema loading
# --------------------------------------------------------------------------

class UsageError(Exception):
    pass


def _reject_constant(name):
    raise ValueError(f"invalid JSON constant {name}")


def json_loads(text):
    """Strict JSON: no NaN/Infinity."""
    return json.loads(text, parse_constant=_reject_constant)


def schema_files(schemas_dir: str) -> list[str]:
    """The schema files below `schemas_dir`: every `.json` file with an `$id` (schemas/chatwoot also
    holds releases.json, the release table, which is data, not a schema)."""
    out = []
    for root, dirs, files in os.walk(schemas_dir):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            path = os.path.join(root, name)
            try:
                with open(path, "r", encoding="utf-8") as fh:
                    contents = json_loads(fh.read())
            except (OSError, ValueError) as exc:
                raise UsageError(f"cannot load schema {path}: {exc}")
            if isinstance(contents, dict) and isinstance(contents.get("$id"), str):
                out.append(path)
    return sorted(out, key=lambda p: os.path.relpath(p, schemas_dir))


def load_registry(schemas_dir: str):
    """Returns (registry, {abs path: $id})."""
    resources = []
    ids_by_path = {}
    seen = {}
    for path in schema_files(schemas_dir):
        try:
            with open(path, "r", encoding="utf-8") as fh:
                contents = json_loads(fh.read())
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot load schema {path}: {exc}")
        uri = contents["$id"]
        if uri in seen:
            raise UsageError(f"duplicate $id {uri} in {seen[uri]} and {path}")
        seen[uri] = path
        ids_by_path[os.path.abspath(path)] = uri
        resources.append((uri, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources), ids_by_path


def check_metaschema(schemas_dir: str) -> int:
    all_ok = True
    for path in schema_files(schemas_dir):
        rel = os.path.relpath(path, schemas_dir).replace(os.sep, "/")
        ok, error = True, None
        try:
            with open(path, "r", encoding="utf-8") as fh:
                contents = json_loads(fh.read())
            Draft202012Validator.check_schema(contents)
        except SchemaError as exc:
            ok, error = False, exc.message
        except (OSError, ValueError) as exc:
            ok, error = False, f"cannot load: {exc}"
        all_ok &= ok
        line = {"schema": rel, "ok": ok}
        if error is not None:
            line["error"] = error
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0 if all_ok else 1


def check_event_name(event: str | None) -> None:
    if event is not None and not re.fullmatch(r"[a-z_]+", event):
        raise UsageError(f"bad --event name: {event!r}")


def entry_schema_path(schemas_dir: str, event: str | None) -> str:
    """The union files' entry schema (or one event's schema)."""
    check_event_name(event)
    path = os.path.join(schemas_dir, "webhook.json" if event is None else os.path.join("events", event + ".json"))
    if not os.path.isfile(path):
        raise UsageError(f"no schema {path}")
    return path


def build_validator(schemas_dir: str, event: str | None = None):
    """A validator over the union files as written (every release at once)."""
    registry, ids_by_path = load_registry(schemas_dir)
    path = entry_schema_path(schemas_dir, event)
    uri = ids_by_path[os.path.abspath(path)]
    schema = registry[uri].contents
    return Draft202012Validator(schema, registry=registry, format_checker=make_format_checker())


def load_json_file(path: str):
    try:
        with open(path, "r", encoding="utf-8") as fh:
            return json_loads(fh.read())
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot load {path}: {exc}")


def bundle_schema(bundle, event: str | None = None):
    """The bundle itself, or (with `event`) the same document pointed at `#/$defs/events.<event>`."""
    if not isinstance(bundle, dict) or not isinstance(bundle.get("$defs"), dict):
        raise UsageError("not a bundle from `hookcheck schemas export --format bundle` (no $defs)")
    if event is None:
        return bundle
    check_event_name(event)
    key = f"events.{event}"
    if key not in bundle["$defs"]:
        raise UsageError(f"the bundle has no $defs/{key}")
    return dict(bundle, allOf=[{"$ref": f"#/$defs/{key}"}])


def bundle_validator(bundle, event: str | None = None):
    """A validator over one bundle alone: no registry, so a reference that is not local fails to
    resolve instead of being fetched."""
    return Draft202012Validator(bundle_schema(bundle, event), format_checker=make_format_checker())


def load_release_index(directory: str) -> list[tuple[str, list[str], dict]]:
    """[(label, releases, bundle)] from DIR/index.json of `schemas export --every-release`; the label is
    the contract's release ranges (`2.0.0-2.1.1`). `index_events` gives the events of each."""
    index = load_json_file(os.path.join(directory, "index.json"))
    contracts = index.get("contracts") if isinstance(index, dict) else None
    if index.get("format") != "bundle" or not isinstance(contracts, list) or not contracts:
        raise UsageError(f"{directory}/index.json: not the index of `hookcheck schemas export --format "
                         "bundle --every-release`")
    out = []
    for c in contracts:
        if not isinstance(c, dict) or not isinstance(c.get("file"), str) or "/" in c["file"] \
                or not isinstance(c.get("releases"), list):
            raise UsageError(f"{directory}/index.json: bad contract entry {c!r}")
        out.append((c.get("ranges") or c["file"], c["releases"], load_json_file(os.path.join(directory, c["file"]))))
    return out


def index_events(directory: str) -> dict:
    """{contract label: [events it sends]} from DIR/index.json."""
    index = load_json_file(os.path.join(directory, "index.json"))
    return {c.get("ranges") or c["file"]: c.get("events", []) for c in index.get("contracts", [])}


# --------------------------------------------------------------------------
# Validation and reporting
# --------------------------------------------------------------------------

def json_pointer(parts) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def iter_reported(validator, instance, unwrap_anyof: bool = False):
    """Yields (pointer, keyword, message, failing subschema) for every error.

    With `unwrap_anyof`, a failed `anyOf`/`oneOf` is reported the way hookcheck
    reports it (src/validate.rs, nullable references `anyOf: [null, {$ref}]`):
    through the errors of its only branch that fits the value's type; as one
    `type` error when no branch fits; as itself when several do. A branch
    "fits" unless all its errors are `type` errors at the anyOf's own location.
    """
    for err in validator.iter_errors(instance):
        yield from _reported(err, unwrap_anyof)


def _reported(err, unwrap_anyof: bool):
    pointer = json_pointer(err.absolute_path)
    if unwrap_anyof and err.validator in ("anyOf", "oneOf") and err.context:
        here = list(err.absolute_path)
        branches: dict = {}
        for sub in err.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        fitting = [
            branch for branch in branches.values()
            if not all(x.validator == "type" and list(x.absolute_path) == here for x in branch)
        ]
        if len(fitting) == 1:
            for sub in fitting[0]:
                yield from _reported(sub, unwrap_anyof)
            return
        if not fitting:
            expected = []
            for sub in err.context:
                types = sub.validator_value if isinstance(sub.validator_value, list) else [sub.validator_value]
                expected += [t for t in types if t not in expected]
            yield (pointer, "type",
                   f"expected {' or '.join(map(str, expected))}, found {json_type(err.instance)}",
                   err.schema)
            return
    keyword = err.validator if err.validator is not None else "false"
    yield (pointer, str(keyword), err.message, err.schema)


def validate_instance(validator, instance, unwrap_anyof: bool = False) -> list[dict]:
    """Errors as sorted, de-duplicated {pointer, keyword, message} dicts."""
    if not isinstance(instance, dict):
        return [{"pointer": "", "keyword": "json",
                 "message": f"record is a JSON {json_type(instance)}, not an object"}]
    found = {(p, k, m) for p, k, m, _ in iter_reported(validator, instance, unwrap_anyof)}
    return [{"pointer": p, "keyword": k, "message": m} for p, k, m in sorted(found)]


def validate_any(validators, instance, unwrap_anyof: bool = False) -> dict:
    """The verdict of several (label, validator) pairs read together: valid when one accepts.

    Returns {"errors": [...], "accepted_by": [labels]} and, when none accepts, "closest": the label
    with the fewest errors (the first such), whose errors are returned. One validator: its errors."""
    if len(validators) == 1:
        return {"errors": validate_instance(validators[0][1], instance, unwrap_anyof)}
    accepted, closest = [], None
    for label, validator in validators:
        errors = validate_instance(validator, instance, unwrap_anyof)
        if not errors:
            accepted.append(label)
        elif closest is None or len(errors) < len(closest[1]):
            closest = (label, errors)
    if accepted:
        return {"errors": [], "accepted_by": accepted}
    return {"errors": closest[1], "accepted_by": [], "closest": closest[0]}


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def emit(source: str, line, verdict: dict) -> None:
    record = {"source": source, "line": line, "valid": not verdict["errors"]}
    record.update(verdict)
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def parse_error(exc) -> dict:
    return {"errors": [{"pointer": "", "keyword": "json", "message": f"not JSON: {exc}"}]}


def process_json_document(validators, source: str, data: bytes, unwrap: bool = False) -> None:
    try:
        doc = json_loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        emit(source, None, parse_error(exc))
        return
    if isinstance(doc, dict) and "event" not in doc and isinstance(doc.get("body"), dict):
        doc = doc["body"]  # a contract example or a recorded delivery: validate its POST body
    emit(source, None, validate_any(validators, doc, unwrap))


def process_ndjson(validators, source: str, data: bytes, unwrap: bool = False) -> None:
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw.strip():
            continue
        try:
            record = json_loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            emit(source, number, parse_error(exc))
            continue
        emit(source, number, validate_any(validators, record, unwrap))


def file_kind(name: str) -> str:
    if name == "-":
        return "ndjson"
    lower = name.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith(".ndjson") or lower.endswith(".jsonl"):
        return "ndjson"
    raise UsageError(f"unsupported input {name!r}: expected .json, .ndjson, .jsonl or -")


def validators_from_args(args) -> list:
    """[(label, validator)] for --bundle / --releases / --schemas."""
    if args.releases is not None:
        return [(label, bundle_validator(bundle, args.event))
                for label, _releases, bundle in load_release_index(args.releases)]
    if args.bundle:
        return [(path, bundle_validator(load_json_file(path), args.event)) for path in args.bundle]
    return [("schemas", build_validator(args.schemas, args.event))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="validate.py",
        description="Validate Chatwoot webhook bodies against hookcheck's exports or schema files "
                    "with python-jsonschema.")
    parser.add_argument("--bundle", action="append", metavar="FILE", default=[],
                        help="a bundle from `hookcheck schemas export --format bundle` (repeatable: "
                             "valid when one accepts)")
    parser.add_argument("--releases", metavar="DIR", default=None,
                        help="the bundles of `hookcheck schemas export --format bundle --every-release "
                             "--out DIR`: valid when one accepts (hookcheck's compat)")
    parser.add_argument("--schemas", metavar="DIR", default=None,
                        help="the schemas/chatwoot directory, read as written (every release at once)")
    parser.add_argument("--profile", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--event", metavar="NAME", default=None,
                        help="validate against this event's schema instead of the entry schema")
    parser.add_argument("--check-metaschema", action="store_true",
                        help="check every schema file of --schemas against the 2020-12 meta-schema and exit")
    parser.add_argument("--unwrap-anyof", action="store_true",
                        help="report a failed anyOf through its only branch that fits the value's "
                             "type, as hookcheck does (default: report the anyOf itself)")
    parser.add_argument("files", nargs="*", metavar="FILE")
    args = parser.parse_args(argv)  # exits 2 on a usage error

    if args.profile is not None:
        parser.error("--profile is gone (schemas/chatwoot/profiles/ no longer exists): export the release "
                     "with `hookcheck schemas export --format bundle --release X.Y.Z --out FILE` and pass "
                     "--bundle FILE, or --releases DIR for compat")
    if sum(x is not None and x != [] for x in (args.bundle, args.releases, args.schemas)) != 1:
        parser.error("give exactly one of --bundle, --releases, --schemas")
    if args.schemas is not None and not os.path.isdir(args.schemas):
        sys.stderr.write(f"validate.py: --schemas {args.schemas}: not a directory\n")
        return 2
    if args.check_metaschema:
        if args.schemas is None:
            parser.error("--check-metaschema needs --schemas")
        try:
            return check_metaschema(args.schemas)
        except UsageError as exc:
            sys.stderr.write(f"validate.py: {exc}\n")
            return 2
    if not args.files:
        parser.error("at least one FILE is required")

    try:
        validators = validators_from_args(args)
        kinds = [(name, file_kind(name)) for name in args.files]
        if sum(1 for name in args.files if name == "-") > 1:
            raise UsageError("stdin ('-') given more than once")
        # Read everything first so that an I/O error aborts before any output.
        inputs = []
        for name, kind in kinds:
            if name == "-":
                data = sys.stdin.buffer.read()
            else:
                try:
                    with open(name, "rb") as fh:
                        data = fh.read()
                except OSError as exc:
                    raise UsageError(f"cannot read {name}: {exc}")
            inputs.append((name, kind, data))
    except UsageError as exc:
        sys.stderr.write(f"validate.py: {exc}\n")
        return 2

    try:
        for name, kind, data in inputs:
            if kind == "json":
                process_json_document(validators, name, data, args.unwrap_anyof)
            else:
                process_ndjson(validators, name, data, args.unwrap_anyof)
    except Unresolvable as exc:  # unresolvable $ref
        sys.stderr.write(f"validate.py: schema reference error: {exc}\n")
        return 2
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
