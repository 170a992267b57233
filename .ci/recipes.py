#!/usr/bin/env python3
"""Runs the recipes as written: every `run:` step of the GitHub Actions workflows in
examples/snippets/github-actions/, and every `sh` block of docs/INTEGRATION.md.

The commands are read from the YAML, never retyped here, so a recipe that breaks fails CI. Each workflow
runs in its own scratch workspace with stand-ins for what belongs to the user:

  verify-sender.yml      ./scripts/send-test-webhooks.sh runs the Python test sender
  validate-recorded.yml  $RECORDED holds two contract examples
  schema-gate.yml        a git repository whose base branch (origin/base) holds a copy of schemas/

Only the install step is not run: it installs from github.com, which CI cannot reach; the hookcheck under
test must be on PATH instead.

The `sh` blocks of docs/INTEGRATION.md are extracted from the Markdown and run whole, each in a scratch
directory holding what the page tells the reader to have: the snippet files of its section, a `body.json` (a
contract example's body) and a `deliveries.ndjson` (generated 4.15.1 payloads). `npm install` and `pip
install` run as written (pip into the virtual environment running this script, first on PATH). Not run, each
printed with the reason: a synopsis block (`[optional]` parts) and the Go block (`go get` needs the Go module
proxy; .ci/exports builds and runs the Go snippet from Debian's packages instead).

The README's `sh` blocks run line by line in a scratch directory with `./my-sender` (a correct sender) and
the repository's `tests/` and `examples/`; a line succeeds with exit 0 unless its comment says `# exit N`
(a demonstration of a failing sender). Not run, with the reason printed: the newcomer's two commands (.ci/run's
own steps) and the `jq | curl` re-send (it needs the reader's receiver). GitHub's `${{ ... }}` expressions are replaced by the values a pull request
would give them. Usage: recipes.py REPO_ROOT (hookcheck on PATH, PyYAML importable).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
RECIPES = os.path.join(ROOT, "examples", "snippets", "github-actions")
EXPRESSIONS = {"${{ github.base_ref }}": "base", "${{ runner.os }}": "Linux"}


def sh(cmd, cwd, env):
    return subprocess.run(["bash", "-eo", "pipefail", "-c", cmd], cwd=cwd, env=env)


def stand_ins(name, work, env):
    """What the user's repository would hold for this recipe."""
    if name == "verify-sender.yml":
        os.makedirs(os.path.join(work, "scripts"))
        script = os.path.join(work, "scripts", "send-test-webhooks.sh")
        sender = os.path.join(ROOT, "tests", "fixtures", "senders", "sender.py")
        with open(script, "w", encoding="utf-8") as fh:
            fh.write(f'#!/usr/bin/env bash\nexec python3 "{sender}" good\n')
        os.chmod(script, 0o755)
    elif name == "validate-recorded.yml":
        recorded = os.path.join(work, env["RECORDED"])
        os.makedirs(recorded)
        for example in ("conversation_created.json", "message_created.incoming_contact.json"):
            shutil.copy(os.path.join(ROOT, "examples", "chatwoot", example), recorded)
    elif name == "schema-gate.yml":
        shutil.copytree(os.path.join(ROOT, "schemas"), os.path.join(work, env["SCHEMAS"]))
        git = "git -c user.name=ci -c user.email=ci@localhost"
        setup = (
            f"git init -q -b main && git add -A && {git} commit -qm base && git branch base && "
            'git remote add origin "$PWD" && git fetch -q origin'
        )
        if sh(setup, work, env).returncode != 0:
            sys.exit(f"{name}: could not set up the stand-in repository")


def markdown_sh_blocks(path):
    """(section heading, block text) for every ```sh block of a Markdown file."""
    blocks, heading, block = [], "", None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if block is not None:
                if line.startswith("```"):
                    blocks.append((heading, "".join(block)))
                    block = None
                else:
                    block.append(line)
            elif line.startswith("```sh"):
                block = []
            elif line.startswith("#"):
                heading = line.strip("# \n")
    return blocks


SNIPPETS = {"Node": "node", "Python": "python", "Go": "go"}


def expected_exit(line):
    """A command line's expected exit code: 0, or N when its comment says `# exit N`."""
    m = re.search(r"#\s*exit (\d+)", line)
    return int(m.group(1)) if m else 0


def run_readme(env):
    """The README's sh blocks, line by line, each with the exit code its comment states (default 0)."""
    failures = ran = 0
    for heading, block in markdown_sh_blocks(os.path.join(ROOT, "README.md")):
        label = f"README.md / {heading}"
        if "cargo test" in block:
            print(f"not run (the newcomer's two commands are .ci/run's own steps): {label}")
            continue
        if block.lstrip().startswith("jq "):
            print(f"not run (needs jq and your receiver at $URL; the same re-send, byte for "
                  f"byte, is tested in src/replay.rs): {label}")
            continue
        work = tempfile.mkdtemp(prefix="readme-")
        # Stand-ins for the reader's own: ./my-sender is a correct sender; the repository's paths resolve.
        sender = os.path.join(work, "my-sender")
        with open(sender, "w", encoding="utf-8") as fh:
            fh.write(f'#!/usr/bin/env bash\nexec python3 "{ROOT}/tests/fixtures/senders/sender.py" good\n')
        os.chmod(sender, 0o755)
        for item in ("tests", "examples"):
            os.symlink(os.path.join(ROOT, item), os.path.join(work, item))
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            want = expected_exit(line)
            print(f"--- {label} (expect exit {want})\n{line}", flush=True)
            rc = sh(line, work, env).returncode
            ran += 1
            if rc != want:
                print(f"FAILED (exit {rc}, expected {want}): {label}: {line}")
                failures += 1
        shutil.rmtree(work, ignore_errors=True)
    print(f"README.md: {ran} commands executed")
    assert ran >= 2, "README.md: the verify commands did not run"
    return failures


def run_docs(env):
    """Every sh block of docs/INTEGRATION.md, as written; returns the number that failed."""
    doc = os.path.join(ROOT, "docs", "INTEGRATION.md")
    failures = ran = 0
    # The venv running this script first on PATH: `pip install` and `python3` are its own.
    env = dict(env, PATH=os.path.dirname(sys.executable) + os.pathsep + env["PATH"])
    for heading, block in markdown_sh_blocks(doc):
        label = f"INTEGRATION.md / {heading}"
        if "[--" in block or "[-" in block:
            print(f"not run (a synopsis with [optional] parts): {label}")
            continue
        if "go get" in block:
            print(f"not run (go get needs the Go module proxy, unreachable here; .ci/exports runs the Go "
                  f"snippet from Debian's packages): {label}")
            continue
        work = tempfile.mkdtemp(prefix="doc-")
        lang = next((d for k, d in SNIPPETS.items() if heading.startswith(k)), None)
        if lang:
            src = os.path.join(ROOT, "examples", "snippets", lang)
            for name in os.listdir(src):
                if os.path.isfile(os.path.join(src, name)):
                    shutil.copy(os.path.join(src, name), work)
        with open(os.path.join(ROOT, "examples", "chatwoot", "contact_updated.json"), encoding="utf-8") as fh:
            example = json.load(fh)
        with open(os.path.join(work, "body.json"), "w", encoding="utf-8") as fh:
            json.dump(example["body"], fh)
        gen = subprocess.run(
            ["hookcheck", "generate", "--all", "--count", "2", "--seed", "1", "--release", "4.15.1"],
            capture_output=True, check=True)
        with open(os.path.join(work, "deliveries.ndjson"), "wb") as fh:
            fh.write(gen.stdout)
        print(f"--- {label}\n{block.rstrip()}", flush=True)
        rc = sh(block, work, env).returncode
        ran += 1
        if rc != 0:
            print(f"FAILED (exit {rc}): {label}")
            failures += 1
        shutil.rmtree(work, ignore_errors=True)
    print(f"INTEGRATION.md: {ran} sh blocks executed")
    assert ran >= 2, "INTEGRATION.md: the Node and Python blocks did not run"
    return failures


def main():
    if shutil.which("hookcheck") is None:
        sys.exit("recipes: hookcheck is not on PATH")
    failures = run_docs(dict(os.environ)) + run_readme(dict(os.environ))
    for name in sorted(os.listdir(RECIPES)):
        if not name.endswith(".yml"):
            continue
        with open(os.path.join(RECIPES, name), encoding="utf-8") as fh:
            wf = yaml.safe_load(fh)
        work = tempfile.mkdtemp(prefix="recipe-")
        runner_temp = tempfile.mkdtemp(prefix="runner-temp-")
        env = dict(os.environ, RUNNER_TEMP=runner_temp, GITHUB_WORKSPACE=work)
        env.update({k: str(v) for k, v in (wf.get("env") or {}).items()})
        stand_ins(name, work, env)
        ran = 0
        for job_name, job in wf["jobs"].items():
            for step in job["steps"]:
                cmd = step.get("run")
                if cmd is None:
                    continue
                label = f"{name} / {job_name} / {step.get('name', cmd.splitlines()[0])}"
                if cmd.strip().startswith("cargo install"):
                    print(f"not run (installs from github.com, unreachable here): {label}: {cmd.strip()}")
                    continue
                for expr, value in EXPRESSIONS.items():
                    cmd = cmd.replace(expr, value)
                assert "${{" not in cmd, f"{label}: an expression recipes.py does not know: {cmd}"
                print(f"--- {label}\n{cmd.rstrip()}", flush=True)
                rc = sh(cmd, work, env).returncode
                ran += 1
                if rc != 0:
                    print(f"FAILED (exit {rc}): {label}")
                    failures += 1
        print(f"{name}: {ran} run steps executed")
        assert ran > 0, f"{name}: no step ran"
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(runner_temp, ignore_errors=True)
    if failures:
        sys.exit(f"recipes: {failures} step(s) failed")
    print("recipes: every run step of every workflow, every sh block of INTEGRATION.md and the README passed")


if __name__ == "__main__":
    main()
