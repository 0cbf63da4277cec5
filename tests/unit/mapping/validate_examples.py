"""Validates the JSON examples in examples/records against the schemas in docs/schemas
(JSON Schema draft 2020-12), and checks that a few deliberately wrong variants are rejected.
Usage: validate_examples.py <repo root>. Exit status 0 when everything is as expected."""
import copy
import glob
import json
import os
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

root = sys.argv[1]
schemas = {}
for path in glob.glob(os.path.join(root, "docs", "schemas", "*.schema.json")):
    with open(path, encoding="utf-8") as f:
        schemas[os.path.basename(path)] = json.load(f)
for schema in schemas.values():
    Draft202012Validator.check_schema(schema)
registry = Registry().with_resources(
    [(s["$id"], Resource.from_contents(s)) for s in schemas.values()])


def validator_for(name):
    kind = "fit-note.schema.json" if name.startswith("fit-note") else "referral.schema.json"
    return Draft202012Validator(schemas[kind], registry=registry)


failures = 0
examples = sorted(glob.glob(os.path.join(root, "examples", "records", "*.json")))
for path in examples:
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        record = json.load(f)
    for error in validator_for(name).iter_errors(record):
        print(f"{name}: /{'/'.join(map(str, error.absolute_path))}: {error.message}")
        failures += 1

# Variants that must be rejected: (example, change, why).
with open(os.path.join(root, "examples", "records", "fit-note-may-be-fit-physio.json"), encoding="utf-8") as f:
    base = json.load(f)


def variant(change):
    record = copy.deepcopy(base)
    change(record)
    return record


wrong = [
    (lambda r: r["mayBeFitOptions"].update(phasedReturn=False, amendedDuties=False, workplaceAdaptations=False),
     "may be fit without any option"),
    (lambda r: r["issuer"].update(profession="doctor"), "doctor registered with the HCPC"),
    (lambda r: r["period"].update(end="2026-12-16"), "period with both an end and a duration"),
    (lambda r: r.update(outcome="not-fit"), "not fit with may-be-fit options"),
    (lambda r: r["patient"].update(nhsNumber="999 234 5675"), "NHS number with spaces"),
    (lambda r: r["practice"].update(odsCode="P8463"), "practice code too short"),
    (lambda r: r.update(colour="blue"), "unknown property"),
    (lambda r: r["employment"].update(status="unemployed"), "unemployed with an employer"),
]
for change, why in wrong:
    if validator_for("fit-note").is_valid(variant(change)):
        print(f"accepted but should be rejected: {why}")
        failures += 1

print(f"{len(examples)} examples, {len(wrong)} rejected variants, {failures} failures")
sys.exit(1 if failures else 0)
