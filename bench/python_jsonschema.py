"""Python jsonschema (Draft 2020-12, formats checked) over an NDJSON corpus: json.loads + iter_errors.

Usage: python3 python_jsonschema.py SCHEMAS_DIR PROFILE CORPUS [MAX_LINES]  -> one JSON line of figures.
"""
import json, sys, time, pathlib, importlib.util

here = pathlib.Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("v", here.parent / "tests/portability/validate.py")
v = importlib.util.module_from_spec(spec)
spec.loader.exec_module(v)

schemas, profile, corpus = sys.argv[1], sys.argv[2], sys.argv[3]
limit = int(sys.argv[4]) if len(sys.argv) > 4 else None
lines = [l for l in pathlib.Path(corpus).read_text().split("\n") if l]
if limit:
    lines = lines[:limit]
t0 = time.perf_counter()
validator = v.build_validator(schemas, profile) if hasattr(v, "build_validator") else None
if validator is None:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    reg = Registry()
    root = pathlib.Path(schemas)
    for p in root.rglob("*.json"):
        d = json.loads(p.read_text()); reg = reg.with_resource(d["$id"], Resource.from_contents(d))
    entry = "profiles/v4.15/webhook.json" if profile == "v4.15" else "webhook.json"
    validator = Draft202012Validator(json.loads((root / entry).read_text()), registry=reg, format_checker=v.format_checker() if hasattr(v, "format_checker") else None)
compile_ms = (time.perf_counter() - t0) * 1000
valid = errors = 0
t1 = time.perf_counter()
for l in lines:
    n = sum(1 for _ in validator.iter_errors(json.loads(l)))
    valid += n == 0
    errors += n
secs = time.perf_counter() - t1
print(json.dumps({"lines": len(lines), "per_sec": len(lines) / secs, "valid": valid, "errors": errors, "compile_ms": compile_ms}))
