"""Hostile or accidental input that must end as a message (exit 2), never as a frozen machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from k39docs.cli import app
from k39docs.dossier.loader import MAX_EXPANDED_CHARS, load_dossier
from k39docs.errors import DossierError

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample.yaml"


def cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_a_device_is_refused_without_reading_it():
    result = cli("validate", "/dev/zero")
    assert result.exit_code == 2
    assert "không phải là một tệp hồ sơ" in result.stderr


def test_a_folder_is_refused_as_a_dossier(tmp_path):
    result = cli("validate", tmp_path)
    assert result.exit_code == 2
    assert "không phải là một tệp hồ sơ" in result.stderr


def test_aliases_that_multiply_a_long_text_are_refused(tmp_path):
    """95 KB of aliases of one 5,000-character name once made a 4-minute, 1.1 GB render."""
    text = SAMPLE.read_text(encoding="utf-8")
    long_name = "Nguyễn Văn An " * 357  # about 5,000 characters
    text = text.replace(
        "  short_name: UBND tỉnh Quảng Ngãi", f'  short_name: &big "{long_name}"', 1
    )
    aliases = "\n".join("  - *big" for _ in range(MAX_EXPANDED_CHARS // len(long_name) + 10))
    text = text.replace("legal_basis:", "legal_basis:\n" + aliases + "\nlegal_basis_old:", 1)
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size < 120_000
    with pytest.raises(DossierError) as caught:
        load_dossier(path)
    assert "alias" in str(caught.value) and "triệu ký tự" in str(caught.value)
