"""Validates the shipped examples and every golden snapshot's payload against schema/*.json,
and checks that the schemas reject a few malformed payloads (so they are not vacuous)."""
import base64
import copy
import glob
import json
import sys

import jsonschema
from referencing import Registry, Resource

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."


def load(path):
    with open(path) as f:
        return json.load(f)


registry = Registry()
schemas = {}
for path in glob.glob(f"{ROOT}/schema/*.json"):
    schema = load(path)
    schemas[path.rsplit("/", 1)[-1]] = schema
    registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))


def validator(name):
    return jsonschema.Draft202012Validator(schemas[name], registry=registry)


def payload(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


checked = 0
for example in ("amplify", "ampliflow"):
    validator("model.schema.json").validate(load(f"{ROOT}/examples/{example}/model.json"))
    validator("directory.schema.json").validate(load(f"{ROOT}/examples/{example}/directory.json"))
    checked += 2

snapshots = []
for path in sorted(glob.glob(f"{ROOT}/tests/golden/*/*.jwt")):
    claims = payload(open(path).read().strip())
    name = "catalogue-bundle.schema.json" if path.endswith("catalogue.jwt") else "snapshot.schema.json"
    validator(name).validate(claims)
    if name == "snapshot.schema.json":
        snapshots.append(claims)
    checked += 1
assert snapshots, "no golden snapshots found"

# The schemas must refuse what the verifier refuses.
bad = []
sample = snapshots[0]
for mutate in (
    lambda c: c.pop("serial"),
    lambda c: c.update(psv=2),
    lambda c: c["slip"].update(extra=1),
    lambda c: c["slip"].update(catalogue={}) if "catalogue_hash" in c["slip"] else c["slip"].update(catalogue_hash="A" * 43),
    lambda c: c["slip"]["user"].pop("id"),
):
    claims = copy.deepcopy(sample)
    mutate(claims)
    bad.append(claims)
for claims in bad:
    errors = list(validator("snapshot.schema.json").iter_errors(claims))
    assert errors, f"schema accepted a malformed payload: {json.dumps(claims)[:200]}"

print(f"schemas: {checked} documents valid, {len(bad)} malformed payloads refused")
