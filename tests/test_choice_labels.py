"""Choice fields take the code or the Vietnamese label a clerk writes, and messages show both."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from k39docs import load_dossier
from k39docs.dossier.model import CourseType, Gender, PositionLevel, Rating, choice_label
from k39docs.errors import DossierError

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample.yaml"


def _with(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "hoso.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_labels_are_read_as_their_codes(tmp_path):
    def edit(data):
        data["course"]["type"] = "Ngắn hạn"
        data["candidates"][0]["gender"] = "Nữ"
        data["candidates"][0]["evaluation"]["rating"] = "Hoàn thành xuất sắc nhiệm vụ"
        data["candidates"][0]["position_level"] = "lãnh đạo cấp sở và tương đương"
        data["candidates"][1]["gender"] = "  NAM "

    dossier = load_dossier(_with(tmp_path, edit))
    first = dossier.candidates[0]
    assert dossier.course.type is CourseType.ngan_han
    assert first.gender is Gender.nu
    assert first.evaluation.rating is Rating.hoan_thanh_xuat_sac
    assert first.position_level is PositionLevel.cap_so
    assert dossier.candidates[1].gender is Gender.nam


def test_codes_still_work_and_have_labels():
    dossier = load_dossier(SAMPLE)
    assert dossier.candidates[1].gender is Gender.nu
    assert choice_label(Gender.nu) == "Nữ"
    assert choice_label(CourseType.trung_han) == "Trung hạn"
    assert choice_label(Rating.hoan_thanh_tot) == "Hoàn thành tốt nhiệm vụ"


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        (("candidates", 0, "gender"), "Nu gioi", "Nữ (nu)"),
        (("course", "type"), "Dài hạn", "Ngắn hạn (ngan_han)"),
        (
            ("candidates", 0, "evaluation", "rating"),
            "Tốt",
            "Hoàn thành tốt nhiệm vụ (hoan_thanh_tot)",
        ),
    ],
)
def test_an_unknown_choice_names_the_field_and_lists_the_labels(tmp_path, field, value, shown):
    def edit(data):
        target = data
        for part in field[:-1]:
            target = target[part]
        target[field[-1]] = value

    with pytest.raises(DossierError) as caught:
        load_dossier(_with(tmp_path, edit))
    issue = caught.value.issues[0]
    assert issue.path == ".".join(str(p) for p in field).replace(".0", "[0]")
    assert issue.line is not None
    assert f"“{value}”" in issue.message and shown in issue.message
