"""The error hierarchy: one base, a Vietnamese message for people, structured fields for programs.

The CLI maps these to exit codes (see ``cli.py``); the library never calls ``sys.exit``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "K39Error",
    "DossierError",
    "FieldIssue",
    "DependencyError",
    "ConversionError",
    "SigningError",
    "IneligibleError",
    "EditedFilesError",
]


class K39Error(Exception):
    """Base of every error k39docs raises on purpose. ``str(err)`` is the Vietnamese message."""

    exit_code = 2


@dataclass(frozen=True)
class FieldIssue:
    """One problem in the input: where it is (field path, YAML line or workbook cell) and what
    is wrong."""

    path: str  # "candidates[0].gender"
    line: int | None  # 1-based line in the YAML file, when known
    message: str  # Vietnamese
    cell: str | None = None  # "Ứng viên!F7" in a workbook

    def __str__(self) -> str:
        where = f"trường `{self.path}`" if self.path else "tệp hồ sơ"
        if self.line is not None:
            where += f" (dòng {self.line})"
        elif self.cell is not None:
            where += f" (ô {self.cell})"
        return f"{where}: {self.message}"


class DossierError(K39Error):
    """The dossier file is not valid: bad YAML, a missing or mistyped field, an impossible date …"""

    def __init__(self, issues: list[FieldIssue], source: str | None = None):
        self.issues = list(issues)
        self.source = source
        head = "Hồ sơ không hợp lệ" + (f" ({source})" if source else "") + ":"
        super().__init__("\n".join([head, *(f"  - {i}" for i in self.issues)]))


class DependencyError(K39Error):
    """A program k39docs needs (LibreOffice, a PKCS#11 library …) is missing."""


class ConversionError(K39Error):
    """LibreOffice failed to convert a document to PDF."""


class SigningError(K39Error):
    """The dossier could not be signed: key, certificate, token or image problems."""


class IneligibleError(K39Error):
    """A candidate fails a condition of the plan and no ``--allow-ineligible`` reason was given."""

    exit_code = 1

    def __init__(self, message: str, report=None):
        self.report = report
        super().__init__(message)


class EditedFilesError(K39Error):
    """DOCX files in OUTDIR were edited since they were rendered: a render would overwrite them.

    ``files``: their paths relative to OUTDIR. Nothing is written; the caller chooses to keep the
    edits (``edits="keep"``, ``--keep-edits``) or render anew (``"discard"``, ``--discard-edits``).
    """

    exit_code = 2

    def __init__(self, outdir, files: list[str]):
        self.outdir = outdir
        self.files = list(files)
        listed = "\n".join(f"  - {outdir}/{f}" for f in self.files)
        super().__init__(
            f"{len(self.files)} văn bản trong {outdir} đã được sửa tay sau lần tạo trước; "
            f"tạo lại sẽ ghi đè những chỗ sửa:\n{listed}\n"
            "Chạy lại với --keep-edits để giữ bản đã sửa (chuyển sang PDF đúng như đã sửa và đưa "
            "vào dossier.pdf), hoặc --discard-edits để bỏ bản sửa và tạo lại từ dữ liệu. "
            "Chưa ghi gì."
        )
