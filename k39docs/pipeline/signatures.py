"""What a render tells the signer: where the signatures go, which pages are the công văn and its
attachments, and whether the papers may be signed today (a draft, a date that is not today)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path

from ..documents.cover_letter import number_of
from ..dossier.model import Dossier, today_in_vietnam
from ..errors import SigningError
from ..manifest import sha256_of
from ..pdf.bundle import Part
from ..pdf.pdfinfo import PdfLedger, page_count
from ..vietnamese import upper_vn
from .kept import Kept
from .produce import (
    Output,
)

__all__ = [
    "attachments",
    "load_signer",
    "signing_date_warning",
    "signature_place",
    "signature_request",
    "leave_sign_record",
    "draft_warning",
]


def load_signer() -> None:
    """Import the signing code ahead of its use; an import error shows again at that use."""
    try:
        import_module("..signing.sign", __package__)
    except ImportError:
        pass


def signing_date_warning(dossier: Dossier, today=None) -> str | None:
    """The công văn's date and its signature's time must agree: the văn thư dates the paper the
    day it is signed and issued. With a real key (PKCS#12, PKCS#11) another date is refused
    (:class:`SigningError`) before anything is converted; with the demo key it is a warning.
    ``today``: the day in Vietnam (UTC+7), for tests."""
    dated = getattr(dossier.documents.cover_letter, "date", None)
    today = today or today_in_vietnam()
    if dated is None or dated == today:  # a draft (no date) is not signed
        return None
    field_ = "documents.cover_letter.date"
    told = (
        f"Công văn đề ngày {dated:%d/%m/%Y} (`{field_}`) nhưng được ký số hôm nay, "
        f"ngày {today:%d/%m/%Y} (giờ Việt Nam): thời điểm ký số phải trùng ngày của văn bản"
    )
    if dossier.signing.demo:
        return f"{told} (chữ ký thử nghiệm nên vẫn ký)."
    raise SigningError(
        f"{told}. Văn thư ghi ngày văn bản khi phát hành: sửa `{field_}` thành ngày hôm nay, "
        f"hoặc tạo hồ sơ chưa ký (--no-sign) rồi ký bằng `k39docs sign` vào đúng ngày ghi trên "
        f"công văn."
    )


def signature_place(out: Output, dossier: Dossier, kept: Kept | None):
    """Where the signatures go on the công văn ``out``, found on its own PDF (a session
    remembers it while the công văn does not change)."""
    from ..signing import locate_signature

    place = kept.places.get(out.key) if kept is not None else None
    if place is None:
        place = locate_signature(out.made_pdf, *_signer(dossier))
        if kept is not None:
            kept.places = {out.key: place}  # only the latest: a session serves one dossier
    return place


def _signer(dossier: Dossier) -> tuple[str, tuple[str, ...]]:
    """Who signs the công văn, and the chức vụ lines above the name, as printed."""
    signer = dossier.documents.cover_letter.signer
    return signer.name, tuple(upper_vn(line) for line in signer.block_lines())


def signature_request(
    dossier: Dossier,
    parts: list[Part],
    starts: list[int],
    place=None,
    *,
    page_objects: Sequence[int] = (),
    corner_object: int | None = None,
    pages: Callable[[Path], int] = page_count,
):
    """Where the công văn and its attachments sit in the bundle (``starts``: each part's first
    page, 0-based, as the bundle returns them), and who signs it. ``place``: the signer's block
    as :func:`~k39docs.signing.locate_signature` found it on the công văn's own PDF;
    ``page_objects``: each page's object number in the bundle, ``corner_object``: the form
    painted in the attachments' corners (both from :class:`BundleWriter`); ``pages``: a part's
    page count (the run's ledger knows them)."""
    from ..signing import SignatureRequest

    fields = _request_fields(dossier, parts, starts, pages)
    return SignatureRequest(
        **fields,
        attachment_page_objects=tuple(page_objects[s] for s in fields["attachment_first_pages"])
        if page_objects
        else (),
        corner_object=corner_object,
        place=place,
    )


def attachments(parts: list[Part]) -> list[int]:
    """The parts the công văn encloses (the bundle is the công văn and what it encloses): each
    gets the signing information on its first page."""
    return [i for i, part in enumerate(parts) if part.kind != "cover_letter"]


def _request_fields(
    dossier: Dossier,
    parts: list[Part],
    starts: list[int],
    pages: Callable[[Path], int] = page_count,
) -> dict:
    """:class:`~k39docs.signing.SignatureRequest`'s plain fields (what ``sign-request.json``
    keeps for signing later)."""
    cover = next(i for i, p in enumerate(parts) if p.kind == "cover_letter")
    signer_name, title_lines = _signer(dossier)
    return dict(
        cover_letter_pages=tuple(range(starts[cover], starts[cover] + pages(parts[cover].pdf))),
        signer_name=signer_name,
        signer_title_lines=title_lines,
        document_number=number_of(dossier),
        agency_name=dossier.issuer.name,
        attachment_first_pages=tuple(starts[i] for i in attachments(parts)),
        location=dossier.issuer.place,
        contact_info=dossier.issuer.email,
    )


def leave_sign_record(
    dossier: Dossier,
    parts: list[Part],
    starts: list[int],
    final: Path,
    base_dir: Path,
    ledger: PdfLedger,
) -> None:
    """Beside an unsigned ``dossier.pdf``: what ``k39docs sign`` needs to sign it later
    (:mod:`k39docs.signrecord`); the images the dossier's ``signing`` names, made absolute."""
    from ..signrecord import RECORD_NAME, write_sign_record

    def absolute(path: Path | None) -> Path | None:
        return None if path is None else (Path(base_dir) / Path(path).expanduser()).resolve()

    letter = dossier.documents.cover_letter.date
    write_sign_record(
        final.parent / RECORD_NAME,
        _request_fields(dossier, parts, starts, ledger.page_count),
        draft=dossier.documents.draft,
        letter_date=letter.isoformat() if letter else None,
        sha256=sha256_of(final),
        signature_image=absolute(dossier.signing.signature_image),
        seal_image=absolute(dossier.signing.seal_image),
        tsa_url=dossier.signing.tsa_url,
    )


def draft_warning(dossier: Dossier, would_sign: bool) -> str | None:
    """What the console and the manifest say of a draft (no number or date yet): the blanks
    are printed for the văn thư, and it is not signed even when ``signing`` is set
    (``would_sign``). None for a dossier that is not a draft."""
    if not dossier.documents.draft:
        return None
    told = (
        "Bản dự thảo: chưa có số và/hoặc ngày văn bản (documents.cover_letter.number, "
        ".date hoặc của tờ trình); văn bản in chỗ trống để văn thư ghi khi phát hành"
    )
    if would_sign:
        return (
            f"{told}. Hồ sơ dự thảo KHÔNG được ký số dù đã cấu hình `signing`: ghi số, ngày "
            "rồi tạo lại và ký (`k39docs sign`)."
        )
    return f"{told}; hồ sơ chưa ký số."
