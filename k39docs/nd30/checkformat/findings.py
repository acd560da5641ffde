"""A format finding, and the Vietnamese names of what the checker looks at beyond the text
components of ``layout.COMPONENTS`` (page, rules, page numbers)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding", "LABELS"]


@dataclass(frozen=True)
class Finding:
    """One deviation from Nghị định 30: where (file, component), what the decree wants, what is
    there. ``str()`` gives the line the CLI prints."""

    file: str
    component: str
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.file}: {self.component}: expected {self.expected}, found {self.found}"


LABELS: dict[str, str] = {
    "file": "Tệp",
    "paper": "Khổ giấy",
    "orientation": "Hướng trang",
    "top": "Lề trên",
    "bottom": "Lề dưới",
    "left": "Lề trái",
    "right": "Lề phải",
    "page_number": "Số trang",
    "header_table": "Bảng phần đầu",
    "signature_table": "Bảng chữ ký",
    "motto_rule": "Đường kẻ dưới Tiêu ngữ",
    "agency_rule": "Đường kẻ dưới tên cơ quan ban hành",
    "summary_rule": "Đường kẻ dưới trích yếu",
    "font": "Phông chữ",
    "header_text": "Đầu trang",
    "footer_text": "Chân trang",
    "note": "Ghi chú",
    "other": "Văn bản",
    "section": "phần trang",
    "annex": "phụ lục",
}
