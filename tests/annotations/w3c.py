"""Validate annotations against the W3C Web Annotation conformance schemas (draft-04).

The schemas live in ``../shared/w3c-annotation-model/`` beside the project; tests using
:func:`assert_conforms` skip with a reason when that folder is absent.
"""

import functools
import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "w3c-annotation-model"


@functools.cache
def _assertions():
    registry = Registry()
    for path in sorted((SCHEMAS / "definitions").glob("*.json")):
        schema = json.loads(path.read_text())
        registry = registry.with_resource(
            schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)
        )
    musts = json.loads((SCHEMAS / "annotations" / "annotationMusts.test").read_text())
    checks = []
    for name in musts["assertions"]:
        schema = json.loads((SCHEMAS / name).read_text())
        validator = Draft4Validator(schema, registry=registry, format_checker=FormatChecker())
        checks.append((name, validator, schema.get("expectedResult", "valid") == "valid"))
    return checks


def assert_conforms(annotation):
    """Every MUST assertion of the W3C annotation model holds for ``annotation``."""
    if not SCHEMAS.is_dir():
        pytest.skip(f"W3C conformance schemas not found at {SCHEMAS}")
    failures = [
        name
        for name, validator, expect_valid in _assertions()
        if validator.is_valid(annotation) != expect_valid
    ]
    assert not failures, f"fails W3C assertions: {failures}"
