"""Fuzzing the command line with mutated sample dossiers: it always ends 0, 1 or 2, never a traceback.

Hypothesis mutates the sample the way hurried copying does (keys dropped, values of the wrong
type, values swapped between fields, stray Unicode and control characters, huge numbers, lists
nested in lists …) and, separately, damages the YAML text itself. ``validate`` runs in-process
with ``catch_exceptions=False``, so any exception other than the CLI's own exit is a failure that
Hypothesis shrinks to a minimal dossier. A few valid mutants are also rendered (``--format docx``).

The run is deterministic and bounded (well under a minute); ``K39_FUZZ_EXAMPLES=5000`` and
``K39_FUZZ_RANDOM=1`` make a longer, freshly random hunt.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from k39docs.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
SAMPLE_DATA = yaml.safe_load(SAMPLE_TEXT)
ENV = {"K39_NO_CACHE": "1"}

EXAMPLES = int(os.environ.get("K39_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("K39_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- what gets inserted ----------------------------------------------------------------------

EXCEL_TEXT = [
    "",
    " ",
    "\u00a0nam\u00a0",
    "ca\u200b01",
    "051075001234",
    "51075001234",
    "12/04/1975",
    "1975-02-30",
    "2027-13-01",
    "nam",
    "nu",
    "cap_so",
    "trung_han",
    "TM.",
    "{{ 7*7 }}",
    "{% for x in y %}",
    "<w:t>",
    "]]>",
    "&amp;",
    "Nguyễn\tVăn\nAn",
    "e\u0301",
    "\u202eabc",
    "x" * 300,
    "true",
    "null",
    "~",
    "- a",
    "a: b",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
    st.sampled_from(EXCEL_TEXT),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
unicode_noise = st.text(
    st.characters(exclude_categories=["Cs"]), min_size=1, max_size=4
) | st.sampled_from(
    [
        "\x00",
        "\x07",
        "\x0b",
        "\x1b",
        "\x7f",
        "\x85",
        "\u00a0",
        "\u200b",
        "\ufeff",
        "\u2028",
        "\ufffe",
        "\u0301",
        "\t",
        "\n",
        "\r",
    ]
)


# --- mutating the data -----------------------------------------------------------------------

Path_ = tuple[Any, ...]


def paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every place in the tree below the root."""
    found: list[Path_] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        found.append(prefix + (key,))
        found.extend(paths(child, prefix + (key,)))
    return found


def get(root: Any, path: Path_) -> Any:
    for key in path:
        root = root[key]
    return root


def put(root: Any, path: Path_, value: Any) -> None:
    get(root, path[:-1])[path[-1]] = value


def drop(root: Any, path: Path_) -> None:
    parent = get(root, path[:-1])
    del parent[path[-1]]


MUTATIONS = ["drop", "set", "swap", "noise", "add_key", "wrap", "clone_candidate", "stringify"]


def mutate(data: st.DataObject, dossier: dict) -> dict:
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        places = paths(dossier)
        if not places:
            break
        kind = data.draw(st.sampled_from(MUTATIONS), label="kind")
        path = data.draw(st.sampled_from(places), label="path")
        if kind == "drop":
            drop(dossier, path)
        elif kind == "set":
            put(dossier, path, data.draw(values, label="value"))
        elif kind == "swap":
            other = data.draw(st.sampled_from(places), label="other")
            if path[: len(other)] != other and other[: len(path)] != path:  # not an ancestor
                a, b = get(dossier, path), get(dossier, other)
                put(dossier, path, copy.deepcopy(b))
                put(dossier, other, copy.deepcopy(a))
        elif kind == "noise":
            value = get(dossier, path)
            if isinstance(value, str):
                at = data.draw(st.integers(0, len(value)), label="at")
                put(
                    dossier, path, value[:at] + data.draw(unicode_noise, label="noise") + value[at:]
                )
        elif kind == "add_key":
            target = get(dossier, path[:-1])
            if isinstance(target, dict):
                target[data.draw(st.text(max_size=10), label="key")] = data.draw(
                    values, label="value"
                )
        elif kind == "wrap":
            put(dossier, path, [get(dossier, path)])
        elif (
            kind == "clone_candidate"
            and dossier.get("candidates")
            and isinstance(dossier["candidates"], list)
        ):
            dossier["candidates"].append(copy.deepcopy(dossier["candidates"][0]))
        elif kind == "stringify":
            value = get(dossier, path)
            if not isinstance(value, (dict, list)):
                put(dossier, path, str(value))
    return dossier


printable_noise = st.text(
    st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=6
) | st.sampled_from(EXCEL_TEXT)


def mutate_text(data: st.DataObject, dossier: dict) -> dict:
    """Stray text in string fields only: most mutants stay valid and reach the documents."""
    leaves = [p for p in paths(dossier) if isinstance(get(dossier, p), str)]
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        path = data.draw(st.sampled_from(leaves), label="path")
        value = get(dossier, path)
        at = data.draw(st.integers(0, len(value)), label="at")
        put(dossier, path, value[:at] + data.draw(printable_noise, label="noise") + value[at:])
    return dossier


def dump(dossier: dict) -> str:
    return yaml.safe_dump(dossier, allow_unicode=True, sort_keys=False)


# --- running the CLI -------------------------------------------------------------------------

_WORK = Path(tempfile.mkdtemp(prefix="k39-fuzz-"))


def run(*args: Any):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False, env=ENV)


def assert_clean_end(result, what: str) -> None:
    event(f"{what} exit {result.exit_code}")  # --hypothesis-show-statistics shows the spread
    assert result.exit_code in (0, 1, 2), f"{what} ended with {result.exit_code}:\n{result.output}"
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("Lỗi: "), result.stderr


@FUZZ
@given(st.data())
def test_validate_a_mutated_dossier_ends_0_1_or_2(data):
    dossier = mutate(data, copy.deepcopy(SAMPLE_DATA))
    path = _WORK / "mutant.yaml"
    path.write_text(dump(dossier), encoding="utf-8")
    assert_clean_end(run("validate", path), "validate")


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(SAMPLE_TEXT.encode("utf-8"))),
            st.integers(0, 8),
            st.binary(max_size=6)
            | unicode_noise.map(lambda s: s.encode("utf-8", "surrogatepass"))
            | st.sampled_from(
                [
                    b": ",
                    b"- ",
                    b"\t",
                    b"\n  ",
                    b"&a ",
                    b"*a",
                    b"!!binary ",
                    b"[",
                    b"{",
                    b'"',
                    b"'",
                    b"#",
                    b"|\n",
                    b"? ",
                ]
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_validate_damaged_yaml_text_ends_0_1_or_2(edits):
    raw = SAMPLE_TEXT.encode("utf-8")
    for at, cut, insert in edits:
        at = min(at, len(raw))
        raw = raw[:at] + insert + raw[at + cut :]
    path = _WORK / "damaged.yaml"
    path.write_bytes(raw)
    assert_clean_end(run("validate", path, "--format", "json"), "validate --format json")


@settings(FUZZ, max_examples=max(8, EXAMPLES // 15))
@given(st.data(), st.booleans())
def test_render_docx_of_a_mutated_dossier_ends_0_1_or_2(data, text_only):
    dossier = (mutate_text if text_only else mutate)(data, copy.deepcopy(SAMPLE_DATA))
    folder = Path(tempfile.mkdtemp(dir=_WORK))
    try:
        path = folder / "mutant.yaml"
        path.write_text(dump(dossier), encoding="utf-8")
        out = folder / "out"
        result = run(
            "render", path, "-o", out, "--format", "docx", "-q", "--allow-ineligible", "fuzz"
        )
        assert_clean_end(result, "render")
        assert out.exists() == (result.exit_code == 0), (
            "output folder must exist exactly when render succeeded"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def teardown_module() -> None:
    shutil.rmtree(_WORK, ignore_errors=True)
