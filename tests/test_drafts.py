"""A draft: the sample without the số and ngày of the công văn and the Tờ trình. Its papers print
the blanks the văn thư fills at issuance, and it is not signed although `signing` is set (one
LibreOffice render, read back with pdftotext and pyHanko)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from pdftext import pdftotext
from pyhanko.pdf_utils.reader import PdfFileReader

from k39docs import load_dossier
from k39docs.dossier.model import today_in_vietnam
from k39docs.rules import check_eligibility

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
YEAR = today_in_vietnam().year
# "Số:" then only blanks (spaces, no-break spaces) up to the slash of the code
BLANK_NUMBER = re.compile(r"Số:[\s\u00a0]{3,}/UBND-NC")
BLANK_DATE = re.compile(rf"ngày[\s\u00a0]{{3,}}tháng[\s\u00a0]{{3,}}năm {YEAR}")


def _draft(mapping: dict) -> dict:
    for paper in ("cover_letter", "submission"):
        del mapping["documents"][paper]["number"]
        del mapping["documents"][paper]["date"]
    return mapping


_text = partial(pdftotext, layout=True)


@pytest.fixture(scope="module")
def draft_render(tmp_path_factory, sample_data):
    import copy

    from k39docs.render import RenderOptions, render

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    dossier = load_dossier(_draft(copy.deepcopy(sample_data)))
    assert dossier.signing.enabled and dossier.documents.draft
    out = tmp_path_factory.mktemp("draft") / "out"
    manifest = render(dossier, out, options=RenderOptions(base_dir=SAMPLE.parent))
    return out, manifest


def test_the_model_takes_a_draft_and_still_compares_the_dates_it_has(sample_mapping):
    dossier = load_dossier(_draft(sample_mapping))
    assert dossier.documents.cover_letter.number is None
    assert dossier.documents.cover_letter.date is None
    # IV.1.g: a commitment dated before today passes against a letter issued today at the earliest
    report = check_eligibility(dossier)
    checks = [k for c in report.candidates for k in c.checks if k.rule == "IV.1.g"]
    assert checks and all(k.status.value == "pass" for k in checks), checks


def test_a_commitment_dated_after_today_needs_review_in_a_draft(sample_mapping):
    mapping = _draft(sample_mapping)
    later = today_in_vietnam() + dt.timedelta(days=3)
    mapping["candidates"][0]["commitment"]["date"] = later.isoformat()
    report = check_eligibility(load_dossier(mapping))
    first = report.candidates[0]
    check = next(k for k in first.checks if k.rule == "IV.1.g")
    assert check.status.value == "review" and "dự thảo" in check.message


def test_a_dated_letter_still_refuses_a_later_commitment(sample_mapping):
    mapping = sample_mapping
    letter = dt.date.fromisoformat(str(mapping["documents"]["cover_letter"]["date"]))
    mapping["candidates"][0]["commitment"]["date"] = (letter + dt.timedelta(days=1)).isoformat()
    first = check_eligibility(load_dossier(mapping)).candidates[0]
    assert next(k for k in first.checks if k.rule == "IV.1.g").status.value == "fail"


@pytest.mark.soffice
def test_the_papers_print_the_blanks(draft_render):
    out, _ = draft_render
    letter = _text(out / "pdf" / "cong-van.pdf")
    assert BLANK_NUMBER.search(letter), letter[:600]
    assert BLANK_DATE.search(letter), letter[:600]
    assert "Quảng Ngãi, ngày" in letter
    submission = _text(out / "pdf" / "to-trinh.pdf")
    assert re.search(r"Số:[\s\u00a0]{3,}/TTr-SNV", submission), submission[:600]
    assert BLANK_DATE.search(submission)
    annex = " ".join(_text(out / "pdf" / "danh-sach.pdf").split())
    assert re.search(rf"\(Kèm theo Công văn số /UBND-NC ngày tháng năm {YEAR} của", annex), annex[
        :800
    ]
    bundle = _text(out / "dossier.pdf")
    assert BLANK_NUMBER.search(bundle)
    assert "None" not in bundle


@pytest.mark.soffice
def test_a_draft_is_not_signed_and_says_so(draft_render):
    out, manifest = draft_render
    with open(out / "dossier.pdf", "rb") as fh:
        assert list(PdfFileReader(fh).embedded_signatures) == []
    assert manifest.signed is False
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["signed"] is False
    assert any("dự thảo" in w and "KHÔNG được ký số" in w for w in data["warnings"]), data[
        "warnings"
    ]
    assert not (out / "demo-ca.pem").exists()
    record = json.loads((out / "sign-request.json").read_text(encoding="utf-8"))
    assert record["draft"] is True


@pytest.mark.soffice
def test_signing_a_draft_is_refused(draft_render):
    out, _ = draft_render
    before = (out / "dossier.pdf").read_bytes()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "k39docs",
            "sign",
            str(out / "dossier.pdf"),
            "--as",
            "signer",
            "--demo",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "dự thảo" in result.stderr
    assert (out / "dossier.pdf").read_bytes() == before


def test_the_contents_page_of_a_draft_prints_the_blanks(sample_mapping):
    """The blank number's no-break spaces were collapsed on the contents page ("Công văn số
    /UBND-NC") and its date left out."""
    from k39docs import load_dossier
    from k39docs.documents import contents
    from k39docs.documents.enclosures import outgoing
    from k39docs.pdf.bundle import Part

    for field in ("number", "date"):
        sample_mapping["documents"]["cover_letter"].pop(field)
    dossier = load_dossier(sample_mapping)
    parts = [
        Part(f"Tài liệu {n}", Path(f"{n}.pdf"), i.kind, i.candidate)
        for n, i in enumerate(outgoing(dossier))
    ]
    note = contents.build(dossier, parts, [1] * len(parts), 1).context["note"]
    assert "Công văn số \u00a0\u00a0" in note and "/UBND-NC" in note
    assert "ngày \u00a0" in note and f"năm {YEAR}" in note


def test_today_follows_the_clock_across_vietnam_midnight(monkeypatch):
    """A service runs for days: the day a draft's blank date line prints the year of, and the
    rules compare with, is the day it is now in Vietnam, not the day the process started."""
    import types

    import k39docs.dossier.model as model

    moments = iter(
        [
            dt.datetime(2026, 12, 31, 16, 59, tzinfo=dt.UTC),  # 23:59 in Hà Nội
            dt.datetime(2026, 12, 31, 17, 1, tzinfo=dt.UTC),  # 00:01 on 1 January there
        ]
    )

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return next(moments).astimezone(tz)

    monkeypatch.setattr(model, "dt", types.SimpleNamespace(datetime=Clock, date=dt.date))
    assert model.today_in_vietnam() == dt.date(2026, 12, 31)
    assert model.today_in_vietnam() == dt.date(2027, 1, 1)
