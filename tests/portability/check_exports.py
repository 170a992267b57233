#!/usr/bin/env python3
"""Checks hookcheck's exports (`hookcheck schemas export`) with Python tooling.

Usage:
  check_exports.py openapi FILE...            openapi-spec-validator (OpenAPI 3.1: the document against the
                                              specification's schema, every $ref resolved)
  check_exports.py bundle-meta FILE...        Draft202012Validator.check_schema on each bundle

Verdicts on payloads: validate.py --bundle FILE (the bundle alone, no registry: every $ref must be local).

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


def main(argv) -> int:
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "openapi":
        return openapi(rest)
    if cmd == "bundle-meta":
        return bundle_meta(rest)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
