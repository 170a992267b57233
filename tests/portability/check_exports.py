#!/usr/bin/env python3
"""Checks hookcheck's exports (`hookcheck schemas export`) with Python tooling.

Usage:
  check_exports.py openapi FILE...            openapi-spec-validator (OpenAPI 3.1: the document against the
                                              specification's schema, every $ref resolved)
  check_exports.py bundle-meta FILE...        Draft202012Validator.check_schema on each bundle
  check_exports.py bundle-validate --bundle FILE INPUT...
                                              validate.py's verdict lines, against the bundle alone (no
                                              registry: every $ref must be local)

Exit status: 0 when every check passes, 1 when one fails, 2 on a usage error or a missing package.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def openapi(files) -> int:
    try:
        from openapi_spec_validator import validate
        from openapi_spec_validator.readers import read_from_filename
    except ImportError as exc:
        sys.stderr.write(f"check_exports.py: needs openapi-spec-validator: {exc}\n")
        return 2
    try:
        from importlib.metadata import version
        v = version("openapi-spec-validator")
    except Exception:  # pragma: no cover
        v = "?"
    failed = 0
    for f in files:
        spec, base_uri = read_from_filename(f)
        try:
            validate(spec, base_uri=base_uri)
        except Exception as exc:  # the validator's own error types vary by version
            failed += 1
            print(f"{f}: INVALID: {exc}")
            continue
        print(f"{f}: valid OpenAPI {spec.get('openapi')} (openapi-spec-validator {v}): "
              f"{len(spec.get('webhooks', {}))} webhooks, {len(spec.get('components', {}).get('schemas', {}))} schemas")
    return 1 if failed else 0


def bundle_meta(files) -> int:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    failed = 0
    for f in files:
        with open(f, encoding="utf-8") as fh:
            doc = json.load(fh)
        try:
            Draft202012Validator.check_schema(doc)
            # Every subschema too (check_schema does not descend into $defs values it never applies).
            for name, sub in doc.get("$defs", {}).items():
                Draft202012Validator.check_schema(sub)
        except SchemaError as exc:
            failed += 1
            print(f"{f}: INVALID against the 2020-12 meta-schema: {exc.message}")
            continue
        print(f"{f}: valid against the 2020-12 meta-schema ({len(doc.get('$defs', {}))} definitions)")
    return 1 if failed else 0


def bundle_validate(argv) -> int:
    import validate as V
    from jsonschema import Draft202012Validator
    if len(argv) < 2 or argv[0] != "--bundle":
        sys.stderr.write("usage: check_exports.py bundle-validate --bundle FILE INPUT...\n")
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        bundle = json.load(fh)
    # No registry: a reference that is not local fails to resolve instead of being fetched.
    validator = Draft202012Validator(bundle, format_checker=V.make_format_checker())
    for f in argv[2:]:
        with open(f, "rb") as fh:
            data = fh.read()
        if V.file_kind(f) == "ndjson":
            V.process_ndjson(validator, f, data)
        else:
            try:
                doc = V.json_loads(data.decode("utf-8"))
            except ValueError as exc:
                V.emit(f, None, V.parse_error(exc))
                continue
            if isinstance(doc, dict) and "event" not in doc and isinstance(doc.get("body"), dict):
                doc = doc["body"]
            V.emit(f, None, V.validate_instance(validator, doc))
    return 0


def main(argv) -> int:
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "openapi":
        return openapi(rest)
    if cmd == "bundle-meta":
        return bundle_meta(rest)
    if cmd == "bundle-validate":
        return bundle_validate(rest)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
