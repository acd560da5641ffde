"""The JSON Schema for building forms: Vietnamese titles on every field, labels on every choice,
and the same verdict as the loader on valid and invalid dossiers."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from k39docs.dossier.loader import load_dossier
from k39docs.errors import DossierError
from k39docs.schema import FIELDS, SCHEMA_DIALECT, dossier_schema

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


def _plain(value):
    """YAML's dates as the ISO text a JSON request carries."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


@pytest.fixture(scope="module")
def schema() -> dict:
    return dossier_schema()


@pytest.fixture(scope="module")
def validator(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def sample() -> dict:
    return _plain(yaml.safe_load(SAMPLE.read_text(encoding="utf-8")))


def _set(data: dict, path: str, value) -> dict:
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DROP:
        del target[last if not last.isdigit() else int(last)]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


_DROP = object()
VALID = {
    "the sample": ("id", "qng-2027-trung-han-01"),
    "a label for a code": ("candidates.0.gender", "Nam"),
    "a label in capitals": ("candidates.0.gender", "NAM"),
    "a course type label": ("course.type", "Trung hạn"),
    "a course type as running text says it": ("course.type", "bồi dưỡng trung hạn"),
    "a rating label": ("candidates.0.evaluation.rating", "Hoàn thành tốt nhiệm vụ"),
    "a birth year alone": ("candidates.0.birth_date", "1975"),
    "a birth year as a number": ("candidates.0.birth_date", 1975),
    "a birth month": ("candidates.0.birth_date", "1975-04"),
    "an authority without its dot": ("documents.cover_letter.signer.authority", "TM"),
    "a score as a number": ("candidates.0.foreign_language.score", 6.5),
    "a CCCD with spaces around": ("candidates.0.id_number", " 051075001234 "),
}
INVALID = {
    "a CCCD of 3 digits": ("candidates.0.id_number", "123"),
    "a CCCD as a number": ("candidates.0.id_number", 51075001234),
    "a candidate id with a space": ("candidates.0.id", "GL 01"),
    "a candidate id in capitals": ("candidates.0.id", "CA01"),
    "a dossier id with a slash": ("id", "qng/2027"),
    "a gender outside the list": ("candidates.0.gender", "khac"),
    "a course type outside the list": ("course.type", "dai_han"),
    "a day-first date": ("course.start_date", "01/03/2027"),
    "an impossible month of birth": ("candidates.0.birth_date", "1975-13"),
    "a topic group of 5": ("course.topic_group", 5),
    "a blank name": ("candidates.0.full_name", "   "),
    "a name of 101 characters": ("candidates.0.full_name", "A" * 101),
    "a text past the loader's cap": ("issuer.address", "x" * 5001),
    "an unknown field": ("course.colour", "blue"),
    "no candidates": ("candidates", []),
    "a missing issuer": ("issuer", _DROP),
    "a cover letter number of 0": ("documents.cover_letter.number", 0),
    "an evaluation year of 1989": ("candidates.0.evaluation.year", 1989),
    "schema version 2": ("schema_version", 2),
    "an authority outside the list": ("documents.cover_letter.signer.authority", "XY."),
    "a purpose outside the list": ("purpose", "draft"),
}


@pytest.mark.parametrize("case", VALID, ids=list(VALID))
def test_the_schema_and_the_loader_both_accept(case, sample, validator):
    data = _set(sample, *VALID[case])
    load_dossier(data)
    errors = [e.message for e in validator.iter_errors(data)]
    assert not errors, f"the loader takes {case}, the schema refuses it: {errors}"


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_the_schema_and_the_loader_both_refuse(case, sample, validator):
    data = _set(sample, *INVALID[case])
    with pytest.raises(DossierError):
        load_dossier(data)
    assert list(validator.iter_errors(data)), f"the loader refuses {case}, the schema takes it"


def _properties(schema: dict):
    yield "Dossier", schema["properties"]
    for name, definition in schema["$defs"].items():
        if "properties" in definition:
            yield name, definition["properties"]


def _vietnamese(text: str) -> bool:
    return any(ord(ch) > 127 for ch in text) or text in {"Email"}


def test_every_field_has_a_vietnamese_title_and_description(schema):
    missing = []
    for model, properties in _properties(schema):
        for name, prop in properties.items():
            if (
                not (prop.get("title") and prop.get("description"))
                or FIELDS.get(model, {}).get(name) is None
            ):
                missing.append(f"{model}.{name}")
    assert not missing, f"fields without a Vietnamese title and description: {missing}"
    titles = [p["title"] for _, props in _properties(schema) for p in props.values()]
    english = [t for t in titles if not _vietnamese(t) and t.isascii() and " " in t]
    assert len(english) < 5, english  # "Full Name", "Id Number" were pydantic's


def test_no_field_is_described_that_the_model_does_not_have(schema):
    have = {m: set(p) for m, p in _properties(schema)}
    stale = [f"{m}.{n}" for m, names in FIELDS.items() for n in names if n not in have.get(m, ())]
    assert not stale


def test_every_choice_shows_its_label(schema):
    for name in ("Gender", "CourseType", "PositionLevel", "Rating", "CadreGroup"):
        shown = schema["$defs"][name]["anyOf"][0]["oneOf"]
        assert shown and all(set(o) == {"const", "title"} for o in shown), name
    gender = {o["const"]: o["title"] for o in schema["$defs"]["Gender"]["anyOf"][0]["oneOf"]}
    assert gender == {"nam": "Nam", "nu": "Nữ"}
    purpose = schema["properties"]["purpose"]["oneOf"]
    assert {o["const"] for o in purpose} == {"nomination", "return"}


def test_the_schema_names_its_dialect_and_itself(schema):
    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["$id"].startswith("urn:k39docs:")
    assert schema["$defs"]["Candidate"]["properties"]["id_number"]["pattern"] == r"^\s*\d{12}\s*$"


def test_the_service_schema_signs_only_with_the_servers_keys(sample):
    schema = dossier_schema(service=True)
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(_set(sample, "signing", {"demo": True})))
    assert not list(validator.iter_errors(_set(sample, "signing", {"key": "ubnd"})))
    assert list(validator.iter_errors(_set(sample, "signing", {"pkcs12": "/etc/k.p12"})))
    assert list(validator.iter_errors(_set(sample, "signing", {"demo": True, "key": "ubnd"})))


def test_the_command_prints_the_same_schema(schema):
    done = subprocess.run(
        [sys.executable, "-m", "k39docs", "schema"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == schema


def test_validate_json_prints_the_problem_issues_for_bad_input(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = SAMPLE.read_text(encoding="utf-8").replace("gender: nam", "gender: khac", 1)
    bad.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "k39docs", "validate", str(bad), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 2
    body = json.loads(done.stdout)
    assert body["ok"] is False
    (issue,) = body["issues"]
    assert issue["path"] == "candidates[0].gender" and issue["cell"] is None
    assert "khac" in text.splitlines()[issue["line"] - 1]
