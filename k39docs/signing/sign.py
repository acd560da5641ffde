"""Signing the bundled dossier: attachment stamps, then two PAdES signatures in two revisions.

The render pipeline calls :func:`check_signing_config` before it renders anything (so a wrong
passphrase or a missing image stops the run early) and :func:`sign_dossier` once ``dossier.pdf``
is bundled and no page will change any more. ``sign_dossier``

1. prints the agency's signing information in the top-right corner of the first page of each
   attachment of the công văn (page content, before any signature);
2. signs as the person who signs the công văn (blue signature image between chức vụ and name)
   in the same incremental revision;
3. signs as the agency in a second incremental revision (red seal over the left third of the
   signature, signing information under the name).

Both are PAdES signatures (``ETSI.CAdES.detached``, SHA-256), PAdES B-B, or B-T with an RFC 3161
timestamp when ``signing.tsa_url`` is set. All printed times and the signatures' ``/M`` use the
same instant in Vietnam time (UTC+07:00), as ND30 asks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pypdf import PdfReader

from ..dossier.model import VIETNAM_TZ, Signing
from ..errors import SigningError
from .appearance import INFO_FONT_SIZE, BlockLayout, plan_block_layout
from .block import SignaturePlace, place_on
from .config import check_files as _check_files
from .config import check_signing_config
from .config import resolve as _resolve
from .demo_images import demo_seal
from .geometry import Rect
from .keys import SigningKeys, open_signing_keys
from .stampfont import embedded_font, font_engine, reuse_font
from .stamps import attachment_info_lines, fill_corner, stamp_attachments

__all__ = [
    "PERSON_FIELD",
    "AGENCY_FIELD",
    "SignatureRequest",
    "SignResult",
    "check_signing_config",
    "sign_dossier",
    "format_signing_time",
]

PERSON_FIELD = "ChuKySo-NguoiKy"
AGENCY_FIELD = "ChuKySo-CoQuan"


@dataclass(frozen=True)
class SignatureRequest:
    """What the bundle knows about the công văn that is signed (page indices are 0-based)."""

    cover_letter_pages: tuple[int, ...]  # pages of the công văn inside the bundle
    signer_name: str  # "Đặng Quốc Bảo"
    signer_title_lines: tuple[str, ...]  # ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    document_number: str  # số ký hiệu of the công văn: "3512/UBND-NC"
    agency_name: str  # "Ủy ban nhân dân tỉnh Quảng Ngãi"
    attachment_first_pages: tuple[int, ...] = ()  # first page of each attachment of the công văn
    location: str | None = None  # địa danh, written as the signatures' /Location ("Quảng Ngãi")
    contact_info: str | None = None  # e.g. the agency's e-mail, written as /ContactInfo
    place: SignaturePlace | None = None  # found already (locate_signature); else looked for here
    # the object numbers of attachment_first_pages' pages in the PDF to sign, when known (the
    # bundle knows them): stamping reads those pages only, not the whole page tree
    attachment_page_objects: tuple[int, ...] = ()
    # the form the bundle painted in the corner of those pages (k39docs.pdf.corner), when it
    # did: signing fills it and leaves the pages as they are
    corner_object: int | None = None

    def __post_init__(self):
        for name in (
            "cover_letter_pages",
            "signer_title_lines",
            "attachment_first_pages",
            "attachment_page_objects",
        ):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.cover_letter_pages:
            raise SigningError(
                "Không biết công văn nằm ở những trang nào của hồ sơ: không thể đặt chữ ký số."
            )


@dataclass(frozen=True)
class SignResult:
    """What was signed, by whom, when, and where the appearances are."""

    signed_pdf: Path
    signing_time: dt.datetime  # the same instant for both signatures and the attachment stamps
    person_subject: str  # common name of the person's certificate
    agency_subject: str  # common name of the agency's certificate (= person's with one real key)
    signature_page: int  # 0-based page of the công văn's signature block
    person_rect: Rect  # the person's signature widget
    agency_rect: Rect  # the agency's signature widget (seal + signing information)
    attachment_pages: tuple[int, ...]  # pages that got the signing information stamp
    field_names: tuple[str, str] = (PERSON_FIELD, AGENCY_FIELD)
    timestamped: bool = False  # PAdES B-T (RFC 3161 timestamp tokens from signing.tsa_url)
    demo: bool = False  # throw-away test certificates: no legal value
    demo_ca_pem: Path | None = None  # the demo CA certificate written to out_dir
    warnings: tuple[str, ...] = ()  # for the manifest: e.g. a demo seal of another agency replaced

    @property
    def signing_time_text(self) -> str:
        return format_signing_time(self.signing_time)


def format_signing_time(moment: dt.datetime) -> str:
    """ISO 8601 with the Vietnam offset, to the second: ``2026-12-10T09:15:02+07:00``."""
    return moment.astimezone(VIETNAM_TZ).replace(microsecond=0).isoformat()


def signing_failure(exc: Exception, signing: Signing) -> SigningError:
    """What went wrong while signing, as a clerk reads it (a token's error says what failed,
    never the PIN or passphrase)."""
    if isinstance(exc, SigningError):
        return exc
    if isinstance(exc, TimestampRequestError):
        return SigningError(
            f"Không lấy được dấu thời gian từ máy chủ `{signing.tsa_url}` (signing.tsa_url): "
            "kiểm tra kết nối mạng hoặc địa chỉ máy chủ, hoặc bỏ tsa_url để ký không kèm dấu "
            "thời gian."
        )
    return SigningError(
        f"Ký số hồ sơ không thành công: {type(exc).__name__}: {_redacted(exc, signing)}"
    )


async def _sign_revision(
    pdf_signer: signers.PdfSigner,
    writer: IncrementalPdfFileWriter,
    signing_time: dt.datetime,
    output,
):
    """``PdfSigner.async_sign_pdf`` with the signing time fixed to ``signing_time``, written to
    ``output`` (a file open for reading and writing)."""
    session = pdf_signer.init_signing_session(writer)
    session.system_time = signing_time
    validation_info = await session.perform_presign_validation(writer)
    bytes_reserved = await _bytes_reserved(session, pdf_signer, validation_info)
    tbs = session.prepare_tbs_document(
        validation_info=validation_info, bytes_reserved=bytes_reserved
    )
    prepared, output = tbs.digest_tbs_document(output=output)
    post = await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(
            signing_time=signing_time,
            cades_signed_attrs=pdf_signer.signature_meta.cades_signed_attr_spec,
        ),
    )
    await post.post_signature_processing(output)
    output.seek(0)
    return output


# the room a signature's CMS container takes, by what sets its size (see _bytes_reserved)
_RESERVED: dict[tuple, tuple[int, int]] = {}
_CERTS_GROWTH = 256  # bytes of certificates more than when estimated, still well inside the margin


async def _bytes_reserved(session, pdf_signer: signers.PdfSigner, validation_info) -> int:
    """pyHanko's estimate of the room for the signature, remembered for the process: it signs
    a dummy container to measure it (a tenth of a signing's time). Without a timestamp or
    embedded revocation information, the size follows the key, the digest algorithm and the
    certificates' sizes, and pyHanko adds half again as a margin: an estimate is used again for
    the same kind of key and certificates at most ``_CERTS_GROWTH`` bytes larger (fresh demo
    certificates differ by a few bytes)."""
    signer = pdf_signer.signer
    if (
        session.timestamper is not None
        or signer.signing_cert is None
        or (validation_info is not None and validation_info.adobe_revinfo_attr is not None)
    ):
        return await session.estimate_signature_container_size(validation_info, tight=False)
    certs = [signer.signing_cert, *signer.cert_registry]
    public_key = signer.signing_cert.public_key
    kind = (
        session.md_algorithm,
        session.use_pades,
        public_key.algorithm,
        public_key.bit_size,
        len(certs),
    )
    size = sum(len(c.dump()) for c in certs)
    known = _RESERVED.get(kind)
    if known is not None and size <= known[1] + _CERTS_GROWTH:
        return known[0]
    reserved = await session.estimate_signature_container_size(validation_info, tight=False)
    _RESERVED[kind] = (reserved, size)
    return reserved


def _pdf_signer(
    role: str,
    keys: SigningKeys,
    plan: BlockLayout,
    request: SignatureRequest,
    timestamper: TimeStamper | None,
) -> signers.PdfSigner:
    """The PdfSigner of one of the công văn's two signatures: the person's (``"signer"``, who
    issues it) or the agency's (``"agency"``, the seal): its field, key, box, look and reason."""
    number = request.document_number
    if role == "signer":
        field_name, signer, rect, style = PERSON_FIELD, keys.person, plan.person_rect, plan.person
        reason = f"Ký ban hành Công văn số {number}"
    else:
        field_name, signer, rect, style = AGENCY_FIELD, keys.agency, plan.agency_rect, plan.agency
        reason = f"Chữ ký số của {request.agency_name} trên Công văn số {number}"
    page = plan.page
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=request.location,
        contact_info=request.contact_info,
    )
    return signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name, on_page=page, box=rect.as_box()
        ),
    )


def sign_dossier(
    unsigned_pdf: Path,
    signed_pdf: Path,
    signing: Signing,
    request: SignatureRequest,
    *,
    base_dir: Path,
    out_dir: Path,
    signing_time: dt.datetime | None = None,
    timestamper: TimeStamper | None = None,
) -> SignResult:
    """Stamp the attachments and sign ``unsigned_pdf`` twice (person, agency) into ``signed_pdf``.

    ``base_dir`` resolves relative paths of the configuration (the dossier file's folder);
    ``out_dir`` receives the demo CA certificate. ``signing_time`` (default: now) and
    ``timestamper`` (default: one for ``signing.tsa_url``, if any) are for tests and tools.
    ``signed_pdf`` is written atomically and may be the same path as ``unsigned_pdf``.

    Demo signing (``signing.demo``) stamps a demo seal drawn with ``request.agency_name`` when
    the dossier gives no seal, or gives a demo seal drawn for another agency (the sample's
    Quảng Ngãi seal left in another province's dossier; a warning in the result says so).
    """
    with tempfile.TemporaryDirectory(prefix="k39-seal-") as scratch:
        return _sign_dossier(
            unsigned_pdf,
            signed_pdf,
            signing,
            request,
            base_dir=base_dir,
            out_dir=out_dir,
            signing_time=signing_time,
            timestamper=timestamper,
            scratch=Path(scratch),
        )


def _sign_dossier(
    unsigned_pdf: Path,
    signed_pdf: Path,
    signing: Signing,
    request: SignatureRequest,
    *,
    base_dir: Path,
    out_dir: Path,
    signing_time: dt.datetime | None,
    timestamper: TimeStamper | None,
    scratch: Path,
) -> SignResult:
    """:func:`sign_dossier`; ``scratch`` holds a demo seal drawn for this signing."""
    if not signing.enabled:
        raise SigningError("Chưa cấu hình chữ ký số (`signing`): không có gì để ký.")
    base_dir, out_dir = Path(base_dir), Path(out_dir)
    _check_files(signing, base_dir)  # the key is checked when it is opened below
    signature_image = _resolve(signing.signature_image, base_dir)
    seal_image = _resolve(signing.seal_image, base_dir)
    warnings: list[str] = []
    if signing.demo:
        seal_image, warning = demo_seal(seal_image, request.agency_name, scratch)
        warnings += [warning] if warning else []
    moment = (
        (signing_time or dt.datetime.now(VIETNAM_TZ)).astimezone(VIETNAM_TZ).replace(microsecond=0)
    )
    when = format_signing_time(moment)
    if timestamper is None and signing.tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(signing.tsa_url, timeout=30)

    if request.place is not None:
        if not 0 <= request.place.block.page < len(request.cover_letter_pages):
            raise SigningError("Trang có khối chữ ký không thuộc công văn.")
        block = replace(
            request.place.block, page=request.cover_letter_pages[request.place.block.page]
        )
        page_box = request.place.page_box
    else:  # the whole bundle parsed, and let go before the two revisions are written
        found = place_on(
            PdfReader(unsigned_pdf),
            request.cover_letter_pages,
            request.signer_name,
            request.signer_title_lines,
        )
        block, page_box = found.block, found.page_box
    plan: BlockLayout = plan_block_layout(
        block,
        page_box=page_box,
        signature_image=signature_image,
        seal_image=seal_image,
        person_lines=[f"Ký bởi: {request.signer_name}", when],
        agency_lines=[request.agency_name, when],
    )
    number = request.document_number
    signed_pdf = Path(signed_pdf)
    signed_pdf.parent.mkdir(parents=True, exist_ok=True)
    # each revision is written to a file, not to memory: a large dossier is tens of megabytes.
    # New names opened exclusively (not mkstemp: files get the usual permissions, not 0600).
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    first_path = signed_pdf.parent / f".signing-{token}-1.pdf"
    final_tmp = signed_pdf.parent / f".signing-{token}.pdf"
    try:
        with (
            open_signing_keys(
                signing,
                base_dir=base_dir,
                out_dir=out_dir,
                signer_name=request.signer_name,
                agency_name=request.agency_name,
            ) as keys,
            open(unsigned_pdf, "rb") as source,
            open(first_path, "x+b") as first,
            open(final_tmp, "x+b") as second,
        ):
            # revision 1: attachment stamps + the person's signature
            writer = IncrementalPdfFileWriter(source)
            pages = int(writer.root["/Pages"]["/Count"])
            for page in [*request.attachment_first_pages, block.page]:
                if not 0 <= page < pages:
                    raise SigningError(f"Trang {page + 1} không có trong tệp PDF ({pages} trang).")
            info = attachment_info_lines(number, when, request.agency_name)
            # one font subset for the file: revision 1's holds revision 2's text too
            font_engine(writer, INFO_FONT_SIZE).include(plan.agency.lines())
            if request.corner_object is None or not fill_corner(
                writer, request.corner_object, info
            ):
                stamp_attachments(
                    writer,
                    request.attachment_first_pages,
                    info,
                    page_objects=request.attachment_page_objects,
                )
            person = _pdf_signer("signer", keys, plan, request, timestamper)
            try:
                with asyncio.Runner() as run:
                    run.run(_sign_revision(person, writer, moment, first))
                    # revision 2: the agency's signature (the seal), printed with the font
                    # revision 1 embedded, if it printed any text
                    agency = _pdf_signer("agency", keys, plan, request, timestamper)
                    first.seek(0)
                    next_writer = IncrementalPdfFileWriter(first)
                    reuse_font(next_writer, embedded_font(writer))
                    run.run(_sign_revision(agency, next_writer, moment, second))
            except Exception as exc:  # noqa: BLE001 — said in Vietnamese, without the secret
                raise signing_failure(exc, signing) from None
        os.replace(final_tmp, signed_pdf)
    finally:
        first_path.unlink(missing_ok=True)
        final_tmp.unlink(missing_ok=True)
    return SignResult(
        signed_pdf=signed_pdf,
        signing_time=moment,
        person_subject=keys.person_subject,
        agency_subject=keys.agency_subject,
        signature_page=plan.page,
        person_rect=plan.person_rect,
        agency_rect=plan.agency_rect,
        attachment_pages=request.attachment_first_pages,
        timestamped=timestamper is not None,
        demo=keys.demo,
        demo_ca_pem=keys.demo_ca_pem,
        warnings=tuple(warnings),
    )


def _redacted(exc: Exception, signing: Signing) -> str:
    """An exception's text with the configured passphrase/PIN blanked out (belt and braces)."""
    text = str(exc)[:300]
    names = [signing.passphrase_env, signing.pkcs11.pin_env if signing.pkcs11 else None]
    for name in filter(None, names):
        secret = os.environ.get(name)
        if secret:
            text = text.replace(secret, "***")
    return text
