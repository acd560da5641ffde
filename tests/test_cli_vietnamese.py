"""The command speaks Vietnamese whatever the locale: help, its layout words, usage errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


def k39(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "C", "LC_ALL": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "k39docs", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_help_is_vietnamese_in_a_c_locale():
    result = k39("--help")
    assert result.returncode == 0
    for word in (
        "Cách dùng: ",
        "Tùy chọn:",
        "Lệnh:",
        "Hiện hướng dẫn này rồi thoát.",
        "Kiểm tra, lập mọi văn bản",
    ):
        assert word in result.stdout, word
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "Validate, render"):
        assert english not in result.stdout, english


def test_a_command_s_help_is_vietnamese():
    result = k39("render", "--help")
    assert result.returncode == 0
    assert "Đối số:" in result.stdout and "[bắt buộc]" in result.stdout
    assert "[mặc định: all]" in result.stdout and "--allow-ineligible LÝ_DO" in result.stdout
    assert "[default" not in result.stdout and "[required]" not in result.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ("render", str(SAMPLE), "--allow-ineligible"),
            "tùy chọn --allow-ineligible cần một giá trị",
        ),
        (("rendr",), "không có lệnh “rendr”; có phải ý là 'render'?"),
        (("render", str(SAMPLE), "--bogus"), "không có tùy chọn --bogus"),
        (
            ("render", str(SAMPLE), "--format", "pdfx"),
            "giá trị không hợp lệ cho --format: “pdfx” không phải một trong 'all', 'docx'",
        ),
        (("validate",), "thiếu đối số TỆP_HỒ_SƠ"),
    ],
)
def test_usage_errors_are_vietnamese_and_exit_2(args, says):
    result = k39(*args)
    assert result.returncode == 2
    assert f"Lỗi: {says}" in result.stderr
    assert "Xem hướng dẫn: " in result.stderr and "k39docs" in result.stderr
    assert "Error:" not in result.stderr and "Try '" not in result.stderr
