"""Signature and seal images are bounded and checked by ``validate``, before anything renders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

from k39docs.cli import app
from k39docs.images import MAX_IMAGE_BYTES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


def _dossier(tmp_path: Path, **images: str) -> Path:
    shutil.copytree(SAMPLE.parent / "images", tmp_path / "images")
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["signing"].update(images)
    path = tmp_path / "hoso.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def cli(*args):
    return CliRunner().invoke(
        app, [str(a) for a in args], catch_exceptions=False, env={"K39_NO_CACHE": "1"}
    )


def test_a_100_mb_signature_image_is_refused_by_validate_naming_the_field(tmp_path):
    """It was accepted and made a 101 MB dossier."""
    big = tmp_path / "images" / "chu-ky-lon.png"
    path = _dossier(tmp_path, signature_image="images/chu-ky-lon.png")
    with open(big, "wb") as fh:  # a real PNG header, then a hundred megabytes
        Image.new("RGBA", (400, 200)).save(fh, format="PNG")
        fh.truncate(100 * 1024 * 1024)
    assert big.stat().st_size > MAX_IMAGE_BYTES
    result = cli("validate", path)
    assert result.exit_code == 2
    assert "signing.signature_image" in result.stderr and "MB" in result.stderr
    assert "dòng" in result.stderr  # the YAML line is named
    out = tmp_path / "out"
    rendered = cli("render", path, "-o", out)
    assert rendered.exit_code == 2 and not out.exists()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: Image.new("RGBA", (5000, 300)).save(p, format="PNG"), "điểm ảnh"),
        (lambda p: Image.new("RGB", (300, 300), "red").save(p, format="JPEG"), "PNG"),
        (lambda p: p.write_bytes(b"not a picture at all"), "không đọc được"),
    ],
)
def test_an_unusable_seal_image_is_refused_naming_the_field(tmp_path, make, says):
    path = _dossier(tmp_path, seal_image="images/dau.png")
    make(tmp_path / "images" / "dau.png")
    result = cli("validate", path)
    assert result.exit_code == 2
    assert "signing.seal_image" in result.stderr and says in result.stderr


def test_the_sample_images_pass(tmp_path):
    assert cli("validate", _dossier(tmp_path)).exit_code == 0
