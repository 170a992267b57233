#!/usr/bin/env python3
"""Verify the hand-written negative cases in tests/fixtures/negative/cases.json.

Each case is one mutation of a valid contract example body (RFC 6902-style
`remove` / `replace` / `add` ops on JSON pointers into the body) plus the one
error it must provoke, as `{"pointer", "keyword"}`. The cases are checked with
python-jsonschema against what hookcheck EXPORTS (validate.py's logic: same
custom formats, same error reporting), never against a copy of its release logic:
the bundles of `hookcheck schemas export --format bundle --every-release`, one per
distinct release contract. A case's `profile` picks them:

  * `v4.15`: the bundle of release 4.15.1;
  * `compat`: every bundle; a body conforms when SOME release's bundle accepts it
    (hookcheck's compat, payload by payload);
  * `both`: each of the two.

For every case and profile:

  1. the unmutated base body must be valid (event schema and entry schema): under
     compat, some bundle accepts it; the releases whose bundles accept it are the
     base's releases;
  2. the ops are applied;
  3. if the mutated body's `event` is one of the 14 event names, it is validated
     with that event's schema (`#/$defs/events.<event>`) AND with the entry
     schema, otherwise (event removed or unknown) with the entry schema only; the
     expected (pointer, keyword) must be among the errors of every one of the
     base's releases (v4.15: of 4.15.1), and under compat no bundle may accept the
     mutated body. Errors are read as validate.py --unwrap-anyof reports them, i.e.
     as hookcheck does: a failed nullable `anyOf: [null, {$ref}]` counts through the
     branch that fits the value (so `meta.team: {"id": 1}` is `required` at
     /meta/team, not `anyOf`); every other error is python-jsonschema's own;
  4. for an expected `format` error, the same pointer must have no `pattern`
     error (the mutation must target `format` alone).

The bundles come from `--exports DIR` (written by `hookcheck schemas export
--format bundle --every-release --out DIR`) or, without it, are exported into a
temporary directory by `$HOOKCHECK` (a hookcheck binary) or `cargo run --quiet --`.

Exit status: 0 if every case passes, 1 if any fails (each failure is printed),
2 on a usage or I/O error. `--coverage` also prints, per schema file, which
constraint keywords the file uses and which ones some case's expected error
comes from (attributed through the `$defs` entry, i.e. the file, of the failing
subschema).

Standard library + jsonschema only.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import validate as V  # noqa: E402  (tests/portability/validate.py)
from jsonschema import Draft202012Validator  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_CASES = os.path.join(REPO, "tests", "fixtures", "negative", "cases.json")
DEFAULT_EXAMPLES = os.environ.get(
    "HOOKCHECK_CONTRACT_EXAMPLES",
    # the copy in this repository (tests check it matches shared/contract/examples)
    os.path.join(REPO, "examples", "chatwoot"),
)

PROFILES = ("compat", "v4.15")
# `v4.15` names the newest release (hookcheck's `--profile v4.15`).
LATEST = "4.15.1"
EVENTS = (
    "conversation_opened", "conversation_resolved",
    "conversation_created", "conversation_updated", "conversation_status_changed",
    "message_created", "message_updated", "webwidget_triggered",
    "conversation_typing_on", "conversation_typing_off",
    "contact_created", "contact_updated", "inbox_created", "inbox_updated",
)
KEYWORDS = (
    "type", "required", "enum", "const", "format", "pattern", "minimum", "maximum",
    "minItems", "maxItems", "minProperties", "maxProperties", "not", "false",
)
ANNOTATION_FORMATS = ("unix-seconds", "unix-float")
NAME_RE = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")


class CaseError(Exception):
    pass


# --------------------------------------------------------------------------
# JSON pointer ops (RFC 6901 / RFC 6902 subset)
# --------------------------------------------------------------------------

def parse_pointer(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise CaseError(f"bad JSON pointer {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _array_index(token: str, length: int, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return length
    if not re.fullmatch(r"0|[1-9][0-9]*", token):
        raise CaseError(f"bad array index {token!r}")
    index = int(token)
    if index > length or (index == length and not allow_end):
        raise CaseError(f"array index {index} out of range")
    return index


def apply_op(doc, op: dict):
    kind = op.get("op")
    if kind not in ("remove", "replace", "add"):
        raise CaseError(f"unknown op {kind!r}")
    if "path" not in op:
        raise CaseError("op without path")
    if kind in ("replace", "add") and "value" not in op:
        raise CaseError(f"{kind} op without value")
    tokens = parse_pointer(op["path"])
    if not tokens:
        if kind == "remove":
            raise CaseError("cannot remove the whole document")
        return copy.deepcopy(op["value"])
    parent = doc
    for token in tokens[:-1]:
        if isinstance(parent, dict):
            if token not in parent:
                raise CaseError(f"path {op['path']!r}: no key {token!r}")
            parent = parent[token]
        elif isinstance(parent, list):
            parent = parent[_array_index(token, len(parent), False)]
        else:
            raise CaseError(f"path {op['path']!r} goes through a scalar")
    last = tokens[-1]
    if isinstance(parent, dict):
        if kind in ("remove", "replace") and last not in parent:
            raise CaseError(f"{kind} {op['path']!r}: no such key")
        if kind == "remove":
            del parent[last]
        else:
            parent[last] = copy.deepcopy(op["value"])
    elif isinstance(parent, list):
        if kind == "add":
            parent.insert(_array_index(last, len(parent), True), copy.deepcopy(op["value"]))
        else:
            index = _array_index(last, len(parent), False)
            if kind == "remove":
                del parent[index]
            else:
                parent[index] = copy.deepcopy(op["value"])
    else:
        raise CaseError(f"path {op['path']!r}: parent is a scalar")
    return doc


# --------------------------------------------------------------------------
# Schema bookkeeping for the coverage report
# --------------------------------------------------------------------------

_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SUBSCHEMA_ARRAYS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_SINGLE = ("additionalProperties", "items", "not", "if", "then", "else",
                     "contains", "propertyNames", "unevaluatedItems",
                     "unevaluatedProperties")
# errors below these never surface as top-level errors (they are wrapped or
# discarded); keywords found there are listed separately.
_SILENT = ("anyOf", "oneOf", "not", "if", "contains", "propertyNames")


def walk_schema(schema, owner: str, ids: dict, used: dict, silent: bool = False) -> None:
    if schema is False:
        used.setdefault(owner, {}).setdefault("false", silent)
        used[owner]["false"] = used[owner]["false"] and silent
        return
    if not isinstance(schema, dict):
        return
    ids[id(schema)] = owner
    for key in KEYWORDS:
        if key in schema and key != "false":
            if key == "format" and schema[key] in ANNOTATION_FORMATS:
                continue
            prev = used.setdefault(owner, {}).get(key)
            used[owner][key] = silent if prev is None else (prev and silent)
    for key in _SUBSCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            for sub in schema[key].values():
                walk_schema(sub, owner, ids, used, silent)
    for key in _SUBSCHEMA_ARRAYS:
        if isinstance(schema.get(key), list):
            for sub in schema[key]:
                walk_schema(sub, owner, ids, used, silent or key in _SILENT)
    for key in _SUBSCHEMA_SINGLE:
        if key in schema:
            walk_schema(schema[key], owner, ids, used, silent or key in _SILENT)


def def_files(defs) -> dict:
    """{definition name: schema file below schemas/chatwoot} for a bundle's `$defs`: a file is
    `<path with / written .>` (hookcheck's export::def_name), its own `$defs` are `<file>.<name>`."""
    names = set(defs)
    out = {}
    for name in names:
        owner = name
        for other in names:
            if name != other and name.startswith(other + ".") and len(other) < len(owner):
                owner = other
        out[name] = owner.replace(".", "/") + ".json"
    return out


class Schemas:
    """The exported bundles, one validator per (contract, event) on demand."""

    def __init__(self, contracts, events: dict, fits: dict, neuter: str | None = None):
        # contracts: [(label, releases, bundle)] from validate.load_release_index; events: {label: [event]};
        # fits: {example file name: [releases that send that body]} from `hookcheck releases`.
        self.contracts = contracts
        self.events = events
        self.fits = fits
        self.neuter = neuter
        self.ids: dict[int, str] = {}
        self.used: dict[str, dict[str, bool]] = {}
        self.false_props: dict[str, set] = {}
        self.bundles = []
        files = set()
        for label, releases, bundle in contracts:
            owners = def_files(bundle["$defs"])
            files.update(owners.values())
            if neuter is not None:
                bundle = dict(bundle, **{"$defs": {
                    name: ({} if owners[name] == neuter else sub) for name, sub in bundle["$defs"].items()}})
            for name, sub in bundle["$defs"].items():
                rel = owners[name]
                self.used.setdefault(rel, {})
                walk_schema(sub, rel, self.ids, self.used)
                self._find_false_props(sub, rel)
            self.bundles.append((label, releases, bundle))
        self.files = sorted(files)
        self.latest = [i for i, (_, releases, _) in enumerate(self.bundles) if LATEST in releases]
        if len(self.latest) != 1:
            raise V.UsageError(f"the exports hold release {LATEST} {len(self.latest)} times")
        self._validators: dict = {}
        self.base_errors: dict = {}

    def validator(self, index: int, event: str | None):
        key = (index, event)
        if key not in self._validators:
            self._validators[key] = V.bundle_validator(self.bundles[index][2], event)
        return self._validators[key]

    def indices(self, profile: str, base_name: str) -> list[int]:
        """The contracts a case is checked against: 4.15.1's for `v4.15`; for `compat`, those of the
        releases hookcheck says sent the base body (`hookcheck releases`)."""
        if profile == "v4.15":
            return self.latest
        fits = set(self.fits.get(base_name, ()))
        return [i for i, (_, releases, _) in enumerate(self.bundles) if fits & set(releases)]

    def sends(self, index: int, event) -> bool:
        return event in self.events.get(self.bundles[index][0], ())

    def _find_false_props(self, node, rel):
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                for name, sub in props.items():
                    if sub is False:
                        self.false_props.setdefault(name, set()).add(rel)
            for value in node.values():
                self._find_false_props(value, rel)
        elif isinstance(node, list):
            for value in node:
                self._find_false_props(value, rel)

    def attribute(self, validator, instance, pointer: str, keyword: str) -> set:
        """Schema files whose `keyword` produced an error at `pointer`."""
        owners = set()
        for ptr, kw, _msg, schema in V.iter_reported(validator, instance, unwrap_anyof=True):
            if kw != keyword or ptr != pointer:
                continue
            if schema is False:
                token = parse_pointer(pointer)[-1] if pointer else ""
                owners.update(self.false_props.get(token, {"?"}))
            else:
                owners.add(self.ids.get(id(schema), "?"))
        return owners


def hookcheck(args: list[str], ok_codes=(0,)) -> str:
    """Runs hookcheck: $HOOKCHECK (a command line, e.g. the built binary) or `cargo run --quiet --` in the
    repository. Returns stdout."""
    cmd = shlex.split(os.environ["HOOKCHECK"]) if os.environ.get("HOOKCHECK") else ["cargo", "run", "--quiet", "--"]
    cmd += args
    try:
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    except OSError as exc:
        raise V.UsageError(f"cannot run {' '.join(cmd)}: {exc} (set HOOKCHECK)")
    if done.returncode not in ok_codes:
        raise V.UsageError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def version_key(v: str) -> tuple:
    return tuple(int(x) for x in v.split("."))


def base_fits(examples_dir: str, contracts) -> dict:
    """{example file name: [releases whose contract accepts its body cleanly]}, as `hookcheck releases
    --format json` says (the one place that knows which release sent what)."""
    names = sorted(n for n in os.listdir(examples_dir) if n.endswith(".json"))
    out = hookcheck(["releases", "--format", "json"] + [os.path.join(examples_dir, n) for n in names],
                    ok_codes=(0, 1))
    known = sorted({r for _, releases, _ in contracts for r in releases}, key=version_key)
    fits = {}
    for line in out.splitlines():
        record = json.loads(line)
        if record.get("type") != "releases":
            continue
        name = os.path.basename(record["source"])
        fits[name] = [r for r in known
                      if any(version_key(x["from"]) <= version_key(r) <= version_key(x["to"])
                             for x in record.get("clean") or [])]
    return fits


# --------------------------------------------------------------------------
# Case checking
# --------------------------------------------------------------------------

def load_examples(examples_dir: str) -> dict:
    bodies = {}
    for name in sorted(os.listdir(examples_dir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(examples_dir, name), "r", encoding="utf-8") as fh:
            doc = V.json_loads(fh.read())
        if isinstance(doc, dict) and isinstance(doc.get("body"), dict):
            bodies[name] = doc["body"]
    return bodies


def check_shape(case, index: int, seen: set) -> None:
    if not isinstance(case, dict):
        raise CaseError(f"case #{index} is not an object")
    allowed = {"name", "base", "profile", "ops", "expect", "why"}
    extra = set(case) - allowed
    missing = allowed - set(case)
    if extra or missing:
        raise CaseError(f"keys: missing {sorted(missing)}, unexpected {sorted(extra)}")
    name = case["name"]
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise CaseError(f"name {name!r} is not snake_case")
    if name in seen:
        raise CaseError(f"duplicate name {name!r}")
    seen.add(name)
    if case["profile"] not in ("compat", "v4.15", "both"):
        raise CaseError(f"bad profile {case['profile']!r}")
    if not isinstance(case["ops"], list) or not case["ops"]:
        raise CaseError("ops must be a non-empty array")
    for op in case["ops"]:
        if not isinstance(op, dict) or set(op) - {"op", "path", "value"}:
            raise CaseError(f"bad op {op!r}")
        if op.get("op") == "remove" and "value" in op:
            raise CaseError("remove op with a value")
    expect = case["expect"]
    if not isinstance(expect, dict) or set(expect) != {"pointer", "keyword"}:
        raise CaseError("expect must be {pointer, keyword}")
    if expect["keyword"] not in KEYWORDS:
        raise CaseError(f"expect.keyword {expect['keyword']!r} not in {KEYWORDS}")
    parse_pointer(expect["pointer"])
    if not isinstance(case["why"], str) or not case["why"].strip() or "\n" in case["why"]:
        raise CaseError("why must be one non-empty line")


def check_case(case, schemas: Schemas, bodies: dict, coverage: dict) -> list[str]:
    """Returns a list of failure messages (empty = pass)."""
    problems = []
    base_name = case["base"]
    if base_name not in bodies:
        return [f"base {base_name!r} is not a contract example with a body"]
    base = bodies[base_name]
    base_event = base.get("event")
    profiles = PROFILES if case["profile"] == "both" else (case["profile"],)
    try:
        mutated = copy.deepcopy(base)
        for op in case["ops"]:
            mutated = apply_op(mutated, op)
    except CaseError as exc:
        return [f"ops: {exc}"]
    want = (case["expect"]["pointer"], case["expect"]["keyword"])
    event = mutated.get("event") if isinstance(mutated, dict) else None
    for profile in profiles:
        indices = schemas.indices(profile, base_name)
        if not indices:
            problems.append(f"[{profile}] `hookcheck releases` says no release sent the base body")
            continue
        for i in indices:
            label = f"[{profile}: {schemas.bundles[i][0]}]"
            for which in (base_event, None):
                key = (base_name, i, which)
                if key not in schemas.base_errors:  # many cases share a base
                    schemas.base_errors[key] = V.validate_instance(schemas.validator(i, which), base)
                errs = schemas.base_errors[key]
                if errs:
                    problems.append(f"{label} base body invalid under {which or 'entry'} schema: {errs[:3]}")
            # The event's own schema too when the release sends that event; the entry schema always.
            targets = [event, None] if event in EVENTS and schemas.sends(i, event) else [None]
            for which in targets:
                validator = schemas.validator(i, which)
                errs = V.validate_instance(validator, mutated, unwrap_anyof=True)
                got = {(e["pointer"], e["keyword"]) for e in errs}
                where = f"{label[:-1]}/{which or 'entry'}]"
                if want not in got:
                    problems.append(f"{where} expected {want} not among errors: "
                                    f"{sorted(got) or 'none (body valid)'}")
                    continue
                if want[1] == "format" and (want[0], "pattern") in got:
                    problems.append(f"{where} `format` case also fails `pattern` at {want[0]!r}")
                if isinstance(mutated, dict):
                    for owner in schemas.attribute(validator, mutated, *want):
                        coverage.setdefault(owner, {}).setdefault(want[1], set()).add(case["name"])
            if len(problems) > 6:
                return problems  # one wrong expectation fails in every release: the first few say it
    return problems


def print_coverage(schemas: Schemas, coverage: dict, out) -> int:
    """Prints the per-file report; returns the number of files no case reaches."""
    unreached = 0
    out.write("\nCoverage (keyword: cases; '-' = no case; '~' = only under anyOf/if/not):\n")
    for rel in schemas.files:
        used = schemas.used.get(rel, {})
        covered = coverage.get(rel, {})
        parts = []
        for kw in KEYWORDS:
            if kw in used or kw in covered:
                n = len(covered.get(kw, ()))
                mark = str(n) if n else ("~" if used.get(kw) else "-")
                parts.append(f"{kw}:{mark}")
        if not covered:
            unreached += 1
        out.write(f"  {rel}: {', '.join(parts) or '(no constraint keywords)'}"
                  f"{'' if covered else '   <- no expected error originates here (see --kill-files)'}\n")
    return unreached


def run_cases(cases, schemas: Schemas, bodies: dict, coverage: dict, report) -> int:
    """Checks every case; `report(label, problems)` is called for each. Returns failures."""
    seen: set = set()
    failed = 0
    for index, case in enumerate(cases):
        label = case.get("name", f"#{index}") if isinstance(case, dict) else f"#{index}"
        try:
            check_shape(case, index, seen)
            problems = check_case(case, schemas, bodies, coverage)
        except CaseError as exc:
            problems = [str(exc)]
        except V.Unresolvable as exc:
            problems = [f"unresolvable reference: {exc}"]
        if problems:
            failed += 1
        report(label, problems)
    return failed


def kill_files(cases, schemas: Schemas, bodies: dict, out) -> int:
    """Neuters each schema file in turn; a file no case notices is a survivor."""
    survivors = 0
    out.write("\nSchema-file mutation (each file replaced by an empty schema):\n")
    for rel in schemas.files:
        killers = []

        def report(label, problems, killers=killers):
            if problems:
                killers.append(label)
        run_cases(cases, Schemas(schemas.contracts, schemas.events, schemas.fits, neuter=rel), bodies, {}, report)
        if not killers:
            survivors += 1
        out.write(f"  {rel}: {len(killers)} case(s) fail"
                  f"{'   <- SURVIVES: no case depends on this file' if not killers else ''}\n")
    out.write(f"  {survivors} surviving file(s)\n")
    return survivors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="check_cases.py", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default=DEFAULT_CASES)
    parser.add_argument("--exports", metavar="DIR", default=None,
                        help="the output of `hookcheck schemas export --format bundle --every-release --out "
                             "DIR` (default: export into a temporary directory)")
    parser.add_argument("--examples", default=DEFAULT_EXAMPLES)
    parser.add_argument("--coverage", action="store_true",
                        help="print the per-schema-file keyword coverage report")
    parser.add_argument("--kill-files", action="store_true",
                        help="also neuter each schema file in turn and report files "
                             "that no case depends on (slow)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    args = parser.parse_args(argv)

    try:
        with open(args.cases, "r", encoding="utf-8") as fh:
            cases = V.json_loads(fh.read())
        bodies = load_examples(args.examples)
        with tempfile.TemporaryDirectory(prefix="check-cases-") as tmp:
            exports = args.exports
            if exports is None:
                exports = tmp
                hookcheck(["schemas", "export", "--format", "bundle", "--every-release", "--out", exports])
            contracts = V.load_release_index(exports)
            schemas = Schemas(contracts, V.index_events(exports), base_fits(args.examples, contracts))
    except (OSError, ValueError, V.UsageError) as exc:
        sys.stderr.write(f"check_cases.py: {exc}\n")
        return 2
    if not isinstance(cases, list) or not cases:
        sys.stderr.write("check_cases.py: cases file must hold a non-empty JSON array\n")
        return 2

    def report(label, problems):
        if problems:
            print(f"FAIL {label}")
            for problem in problems:
                print(f"     {problem}")
        elif not args.quiet:
            print(f"ok   {label}")

    coverage: dict = {}
    failed = run_cases(cases, schemas, bodies, coverage, report)
    if args.coverage:
        print_coverage(schemas, coverage, sys.stdout)
    if args.kill_files and not failed:
        kill_files(cases, schemas, bodies, sys.stdout)
    print(f"\n{len(cases) - failed}/{len(cases)} cases pass ({len(schemas.bundles)} release contracts)"
          + (f", {failed} FAILED" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
