#!/usr/bin/python3
"""Every scenario and fixture of the repository is standard YAML 1.2 and valid under the JSON Schema,
read by tools other than the harness: PyYAML (its safe loader) and python3-jsonschema (draft 2020-12).

    scenarios/schema/validate.py [SCENARIOS_DIR]

Prints each file that fails, with where and why; exits 1 if any does.
"""
import json
import pathlib
import sys

import jsonschema
import yaml

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
schemas = {}
for name in ("scenario", "fixture"):
    schema = json.loads((root / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    schemas[name] = jsonschema.Draft202012Validator(schema)

# The schema must still refuse what the harness refuses: a schema that accepts anything passes too.
refused = {
    "an unknown server action": "name: x\nparticipants: [{id: a}]\nsteps: [{server: opnRoom}]",
    "an unknown identity": "name: x\nparticipants: [{id: a, identity: msft}]\nsteps: []",
    "an unknown key": "name: x\nparticipants: [{id: a}]\nsteps: []\nroms: []",
    "participant and participants": "name: x\nparticipants: [{id: a}]\nsteps: [{do: join, participant: a, participants: everyone}]",
    "a generator without {n}": "name: x\nparticipants: [{generate: 3, id: att}]\nsteps: []",
    "a bad assignment rule": "name: x\nparticipants: [{id: a}]\nrooms: [{generate: 2, id: 'r{n}', assign: {group: g, by: random}}]\nsteps: []",
}
failed = 0
for what, text in refused.items():
    if schemas["scenario"].is_valid(yaml.safe_load(text)):
        failed += 1
        print(f"the schema accepts {what}: {text!r}")

# Editors show a step's title and description while completing it: every kind of step has both.
for variant in json.loads((root / "schema" / "scenario.schema.json").read_text())["$defs"]["step"]["oneOf"]:
    if not variant.get("title") or not variant.get("description"):
        failed += 1
        print(f"a step without a title or description in the schema: {sorted(variant.get('properties', {}))}")

files = sorted(root.rglob("*.yaml"))
for path in files:
    rel = path.relative_to(root)
    kind = "fixture" if rel.parts[0] == "fixtures" else "scenario"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        failed += 1
        print(f"{rel}: not standard YAML: {e}".replace("\n", " "))
        continue
    errors = sorted(schemas[kind].iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors[:3]:
        where = "/".join(str(p) for p in error.absolute_path) or "(the file)"
        print(f"{rel}: {where}: {error.message[:300]}")
    failed += bool(errors)

print(f"{len(files)} files read, {failed} not valid under the schema ({root / 'schema'})")
sys.exit(1 if failed else 0)
