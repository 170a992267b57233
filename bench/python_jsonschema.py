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
# compat: the union files as written (every release at once; the same documents ajv reads). A release or
# `v4.15`: the bundle `hookcheck schemas export` derives for it (HOOKCHECK_BIN, default the release build).
bundle = None
if profile != "compat":
    import os, subprocess
    exe = os.environ.get("HOOKCHECK_BIN", str(here.parent / "target/release/hookcheck"))
    bundle = json.loads(subprocess.run([exe, "schemas", "export", "--format", "bundle", "--profile", profile],
                                       check=True, capture_output=True).stdout)
t0 = time.perf_counter()
validator = v.build_validator(schemas) if bundle is None else v.bundle_validator(bundle)
compile_ms = (time.perf_counter() - t0) * 1000
valid = errors = 0
t1 = time.perf_counter()
for l in lines:
    n = sum(1 for _ in validator.iter_errors(json.loads(l)))
    valid += n == 0
    errors += n
secs = time.perf_counter() - t1
print(json.dumps({"lines": len(lines), "per_sec": len(lines) / secs, "valid": valid, "errors": errors, "compile_ms": compile_ms}))
