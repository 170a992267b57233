#!/usr/bin/env python3
"""Compares another validator's verdicts with hookcheck's, record by record (used by .ci/exports).

Usage: compare_verdicts.py --hookcheck HOOKCHECK.jsonl --theirs THEIRS.jsonl --name NAME [--compat]

HOOKCHECK.jsonl: `hookcheck validate --format json FILE.ndjson` output. A record is schema-invalid for
hookcheck when it has an error finding other than `semantic/*` (cross-field rules, which are not schema
rules); records without findings are valid.
THEIRS.jsonl: one `{"source", "line", "valid", "errors"}` line per record (validate.py, validate.js,
the Go snippet).
--compat: THEIRS is a validator over the bundles of every release (`--releases DIR`) or the union, which
hookcheck's compat refines: only "hookcheck accepts it without an unknown-key warning (some release sent it)
=> they accept" is required; the records they accept and hookcheck rejects (a payload whose accepting releases
lack some of its keys, or the union's combinations) and the records hookcheck accepts with unknown keys are
counted (tests/it/portability.rs and exports.rs check them one by one).
Exit status: 0 when every verdict agrees, 1 otherwise, 2 on a usage error.
"""
import argparse
import json
import sys


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--hookcheck", required=True)
    p.add_argument("--theirs", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--compat", action="store_true")
    a = p.parse_args(argv)
    invalid, unknown, payloads = set(), set(), None
    with open(a.hookcheck, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["type"] == "finding" and r["severity"] == "error" and not r["rule"].startswith("semantic/"):
                invalid.add(r["line"])
            elif r["type"] == "finding" and r["rule"] == "unknown-key":
                unknown.add(r["line"])
            elif r["type"] == "summary":
                payloads = r["payloads"]
            elif r["type"] == "input_error":
                print(f"hookcheck could not read {r['source']}: {r['message']}")
                return 2
    with open(a.theirs, encoding="utf-8") as fh:
        theirs = [json.loads(line) for line in fh if line.strip()]
    if payloads != len(theirs):
        print(f"{a.name}: {len(theirs)} verdicts for {payloads} records")
        return 1
    diffs = [t for t in theirs if t["valid"] != (t["line"] not in invalid)]
    refined = []
    if a.compat:
        refined = [t for t in diffs if t["valid"] or t["line"] in unknown]
        diffs = [t for t in diffs if not t["valid"] and t["line"] not in unknown]
    for t in diffs[:20]:
        ours = "rejects" if t["line"] in invalid else "accepts"
        print(f"{a.name}: line {t['line']}: hookcheck {ours}, {a.name} {'accepts' if t['valid'] else 'rejects'}: "
              f"{json.dumps(t['errors'])[:300]}")
    n_invalid = sum(1 for t in theirs if t["line"] in invalid)
    print(f"{a.name}: {len(theirs)} records ({len(theirs) - n_invalid} valid, {n_invalid} invalid): "
          + (f"{len(diffs)} DIFFERENCES" if diffs else "every verdict agrees with hookcheck")
          + (f" ({len(refined)} outside the comparison: they accept and hookcheck's compat rejects, or "
             "hookcheck accepts with unknown keys)" if a.compat else ""))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
