"""The contents page of the bundle (MỤC LỤC HỒ SƠ): each document with its first page."""

from __future__ import annotations

from ..model import Dossier
from ..vietnamese import date_words
from .base import Document, agency_header, course_phrase
from .cover_letter import number_of

__all__ = ["build", "TITLE"]

TITLE = "Mục lục hồ sơ"


def build(dossier: Dossier, rows: list[dict]) -> Document:
    cl = dossier.documents.cover_letter
    return Document(
        kind="contents",
        template="contents.docx",
        stem="muc-luc",
        title=TITLE,
        context={
            "header": agency_header(dossier.issuer.name),
            "summary": f"Hồ sơ đăng ký cử cán bộ tham gia {course_phrase(dossier)}",
            "note": f"(Kèm theo Công văn số {number_of(dossier)} {date_words(cl.date)} "
                    f"của {dossier.issuer.name})",
            "rows": rows,
        },
        in_bundle=False,
    )
