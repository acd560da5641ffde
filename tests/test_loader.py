"""Loading a dossier the way offices fill it in: pasted Excel cells, relative image paths, bad YAML.

The corpus in ``tests/bad_inputs`` covers the CLI; these pin the library behaviour behind it.
"""

from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from k39docs import DossierError, load_dossier
from k39docs.dossier.loader import MAX_DEPTH, clean_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


def problems(source) -> str:
    with pytest.raises(DossierError) as info:
        load_dossier(source)
    return str(info.value)


# --- paths in the dossier ---------------------------------------------------------------------


@pytest.fixture
def dossier_folder(tmp_path) -> Path:
    """The sample with its images in a folder of its own, like a province keeps it."""
    folder = tmp_path / "ho-so"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "dossier.yaml")
    shutil.copytree(SAMPLE.parent / "images", folder / "images")
    return folder


def test_signing_images_are_found_next_to_the_dossier_whatever_the_current_folder(
    dossier_folder, tmp_path, monkeypatch
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    dossier = load_dossier(Path("..") / "ho-so" / "dossier.yaml")

    assert dossier.signing.signature_image == dossier_folder.resolve() / "images" / "chu-ky.png"
    assert dossier.signing.seal_image.is_file()
    from k39docs.signing import check_signing_config

    # what render(dossier, out) does from Python when no base_dir is given: the current folder
    check_signing_config(dossier.signing, Path.cwd())


def test_absolute_and_home_paths_are_kept_as_written(dossier_folder):
    text = (dossier_folder / "dossier.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "signature_image: images/chu-ky.png", "signature_image: /srv/k39/chu-ky.png"
    )
    text = text.replace("seal_image: images/con-dau.png", "seal_image: ~/con-dau.png")
    (dossier_folder / "dossier.yaml").write_text(text, encoding="utf-8")
    signing = load_dossier(dossier_folder / "dossier.yaml").signing
    assert signing.signature_image == Path("/srv/k39/chu-ky.png")
    assert signing.seal_image == Path("~/con-dau.png").expanduser()


def test_a_mapping_resolves_paths_only_against_the_base_dir_it_is_given(sample_mapping, tmp_path):
    assert load_dossier(sample_mapping).signing.signature_image == Path("images/chu-ky.png")
    signing = load_dossier(sample_mapping, base_dir=tmp_path).signing
    assert signing.signature_image == tmp_path.resolve() / "images" / "chu-ky.png"


# --- text pasted from Excel and Word ----------------------------------------------------------


@pytest.mark.parametrize(
    "pasted, clean",
    [
        ("\u00a0Nguyễn Văn An\u00a0", "Nguyễn Văn An"),  # non-breaking spaces around
        ("Nguyễn\tVăn\nAn", "Nguyễn Văn An"),  # tab and Alt+Enter inside a cell
        ("Nguyễn   Văn  An ", "Nguyễn Văn An"),  # runs of spaces, trailing space
        ("051075\u200b001234", "051075001234"),  # zero-width space inside a CCCD
        ("\ufeffSở Tài chính", "Sở Tài chính"),  # BOM at the start of a pasted cell
        ("Sở Tài\u00adchính", "Sở Tàichính"),  # soft hyphen is invisible: dropped
        ("An\u202eoN", "AnoN"),  # a right-to-left override would print the name backwards
        ("Nguye\u0302\u0303n", "Nguyễn"),  # NFD from macOS
    ],
)
def test_excel_cells_are_cleaned(pasted, clean):
    assert clean_text(pasted) == clean


def test_cleaned_cells_validate_as_the_values_they_look_like(sample_mapping):
    c = sample_mapping["candidates"][0]
    c.update(
        full_name="Nguyễn\tVăn\nAn ",
        gender="nam\u00a0",
        id_number="051075\u200b001234 ",
        position_level=" cap_so",
    )
    candidate = load_dossier(sample_mapping).candidates[0]
    assert (
        candidate.full_name,
        candidate.gender.value,
        candidate.id_number,
        candidate.position_level.value,
    ) == ("Nguyễn Văn An", "nam", "051075001234", "cap_so")


def test_a_control_character_is_refused_naming_the_field(sample_mapping):
    sample_mapping["candidates"][1]["agency"] = "Ban Quản lý\x1b Khu kinh tế"
    assert "`candidates[1].agency`: có ký tự điều khiển không in được (U+001B" in problems(
        sample_mapping
    )


def test_a_day_first_date_is_refused_with_its_iso_spelling(sample_mapping):
    sample_mapping["course"]["end_date"] = "28/05/2027"
    sample_mapping["candidates"][0]["birth_date"] = "12/04/1975"
    message = problems(sample_mapping)
    assert (
        "`course.end_date`: ngày phải ghi dạng YYYY-MM-DD: “28/05/2027” ghi là 2027-05-28"
        in message
    )
    assert "“12/04/1975” ghi là 1975-04-12" in message


@pytest.mark.parametrize("number", [0, 86400 * 20000, 46357])
def test_a_number_in_a_date_field_is_not_read_as_a_unix_timestamp(sample_mapping, number):
    sample_mapping["course"]["start_date"] = number
    assert f"`course.start_date`: phải là ngày dạng YYYY-MM-DD, không phải số {number}" in problems(
        sample_mapping
    )


def test_keys_equal_after_cleaning_are_a_duplicate_not_a_silent_overwrite(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "    gender: nam ", '    "gender\u00a0": nu\n    gender: nam', 1
    )
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    assert (
        "trường `candidates[0].gender` (dòng 89): trường ghi hai lần (dòng 88 và dòng 89)"
        in problems(path)
    )


def test_aliases_nesting_deeper_than_the_limit_are_refused(tmp_path):
    chain = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, MAX_DEPTH + 5))
    path = tmp_path / "d.yaml"
    path.write_text(chain, encoding="utf-8")
    assert "lồng nhau quá sâu" in problems(path)


def test_indenting_deeper_than_the_parser_allows_is_refused_in_vietnamese(tmp_path):
    # a thousand levels of indented mappings: libyaml stops first, in English
    path = tmp_path / "d.yaml"
    path.write_text(
        "".join(" " * n + f"k{n}:\n" for n in range(1100)) + " " * 1100 + "x\n", encoding="utf-8"
    )
    assert "lồng nhau quá sâu" in problems(path)


def test_an_impossible_calendar_date_names_its_field(sample_mapping, tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "end_date: 2027-05-28", "end_date: 2027-02-29"
    )
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    assert "trường `course.end_date` (dòng 35): ngày “2027-02-29” không có thật" in problems(path)


def test_a_valid_sample_is_unchanged_by_cleaning(sample_data):
    dossier = load_dossier(copy.deepcopy(sample_data))
    assert dossier.candidates[0].full_name == "Nguyễn Văn An"
    assert dossier.course.start_date == date(2027, 3, 1)
    original = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    assert [c.agency for c in dossier.candidates] == [c["agency"] for c in original["candidates"]]


# --- a dossier written as JSON (what programs send the service) -------------------------------


def _as_json(data, path: Path, **dumps) -> Path:
    import json

    path.write_text(json.dumps(data, default=str, ensure_ascii=False, **dumps), encoding="utf-8")
    return path


def test_a_json_dossier_loads_as_its_yaml_twin(sample_data, tmp_path):
    shutil.copytree(SAMPLE.parent / "images", tmp_path / "images")
    from_json = load_dossier(_as_json(sample_data, tmp_path / "dossier.json", indent=2))
    assert from_json == load_dossier(SAMPLE, base_dir=tmp_path)


def test_a_json_dossier_s_problems_name_their_lines(sample_data, tmp_path):
    data = copy.deepcopy(sample_data)
    data["candidates"][1]["gender"] = "X"
    path = _as_json(data, tmp_path / "dossier.json", indent=2)
    line = next(
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if '"gender": "X"' in text
    )
    assert f"`candidates[1].gender` (dòng {line})" in problems(path)


@pytest.mark.parametrize(
    "text",
    ['{"id": "A", "id": "B"}', '{"id": "A",\n "id": "A"}'],
)
def test_a_key_twice_in_json_is_refused_as_in_yaml(tmp_path, text):
    path = tmp_path / "dossier.json"
    path.write_text(text, encoding="utf-8")
    assert "`id` (dòng" in problems(path) and "ghi hai lần" in problems(path)
