"""Signing an unsigned dossier later, by the right people: ``k39docs sign --as signer|agency``.

In an office the leader signs the công văn with their own token, and the văn thư then applies
the agency's seal signature. ``render`` without ``signing`` (or of a draft) leaves an unsigned
``dossier.pdf`` and, beside it, ``sign-request.json`` (:mod:`k39docs.signrecord`): which pages
are the công văn and its attachments, who signs, the số ký hiệu. :func:`sign` adds one signature
per call, each in its own incremental revision and with its own key, placed as a render that
signs places them:

- ``as_="signer"``: the agency's signing information on each attachment's first page (page
  content, so it must come before any signature: content added after a signature would make
  that signature's later changes disallowed), then the leader's signature (the image between
  chức vụ and name);
- ``as_="agency"``: the seal over the left third of the leader's signature (read back from its
  widget in the PDF) and the signing information under the name.

Refused (:class:`SignRefusedError`, exit 1): a file whose sha256 is not the one the manifest in
its folder (else the record) has — it changed since render or since its last signature; a draft;
the agency before the signer; a second signature of the same kind; with a real key, a công văn
not dated today. Key problems are :class:`~k39docs.errors.SigningError` (exit 2). After each
signature the manifest's and the record's sha256 are updated, so the next step checks the file
as this one left it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from ..dossier.model import VIETNAM_TZ, Signing, today_in_vietnam
from ..errors import SigningError
from ..manifest import sha256_of
from ..signrecord import RECORD_NAME, read_sign_record
from .appearance import plan_block_layout
from .block import place_on
from .config import check_files as _check_files
from .demo_images import demo_seal
from .geometry import Rect
from .keys import DEMO_CA_FILENAME, open_signing_keys
from .sign import (
    AGENCY_FIELD,
    PERSON_FIELD,
    SignatureRequest,
    _pdf_signer,
    _sign_revision,
    format_signing_time,
    signing_failure,
)
from .stamps import attachment_info_lines, stamp_attachments

__all__ = ["sign", "SignRefusedError", "SignedAs", "ROLES"]

ROLES = ("signer", "agency")


class SignRefusedError(SigningError):
    """The file may not be signed now (changed since render, a draft, the wrong order, another
    date): exit 1, unlike a key problem (exit 2)."""

    exit_code = 1


@dataclass(frozen=True)
class SignedAs:
    """What one ``sign`` call added."""

    pdf: Path
    role: str  # "signer" | "agency"
    subject: str  # common name of the certificate that signed
    field_name: str
    signing_time: dt.datetime
    page: int  # 0-based page of the công văn's signature block
    rect: Rect
    attachment_pages: tuple[int, ...] = ()  # stamped (the signer's turn only)
    demo: bool = False
    demo_ca_pem: Path | None = None
    complete: bool = False  # both signatures are now there
    warnings: tuple[str, ...] = ()


def sign(
    pdf: str | Path,
    as_: str = "signer",
    *,
    key: Signing | Mapping[str, Any],
    signature_image: str | Path | None = None,
    seal_image: str | Path | None = None,
    tsa_url: str | None = None,
    signing_time: dt.datetime | None = None,
    timestamper=None,
) -> SignedAs:
    """Add the signer's (``as_="signer"``) or the agency's (``"agency"``) signature to
    ``pdf``, an unsigned or half-signed ``dossier.pdf`` that k39docs rendered.

    ``key``: a :class:`~k39docs.dossier.model.Signing` or the same as a mapping — ``{"demo": True}``,
    ``{"pkcs12": path, "passphrase_env": NAME}`` or ``{"pkcs11": {library, token, key_label,
    pin_env}}``; secrets only through the environment variables it names. Images and the TSA
    default to what the dossier's ``signing`` named at render (kept in the record).
    ``signing_time`` and ``timestamper`` are for tests.
    """
    if as_ not in ROLES:
        raise ValueError(f"as_ must be one of {ROLES}, not {as_!r}")
    pdf = Path(pdf)
    signing = _signing(key)
    if not pdf.is_file():
        raise SigningError(f"Không tìm thấy tệp `{pdf}`.")
    record_path = pdf.parent / RECORD_NAME
    record = _record(record_path, pdf)
    manifest_path = pdf.parent / "manifest.json"
    _check_unchanged(pdf, record, manifest_path)
    present = _signature_fields(pdf)
    _check_order(as_, present, pdf)
    request = SignatureRequest(
        **{k: v for k, v in record["request"].items() if k in SignatureRequest.__dataclass_fields__}
    )
    today = today_in_vietnam()
    warnings = [w for w in [_check_date(record, signing, today)] if w]

    base_dir = Path.cwd()
    signature = _image(signature_image, record.get("signature_image"))
    seal = _image(seal_image, record.get("seal_image"))
    signing = signing.model_copy(
        update={
            "signature_image": signature,
            "seal_image": seal,
            "tsa_url": tsa_url if tsa_url is not None else record.get("tsa_url"),
        }
    )
    _check_files(signing, base_dir)
    if timestamper is None and signing.tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(signing.tsa_url, timeout=30)
    moment = (
        (signing_time or dt.datetime.now(VIETNAM_TZ)).astimezone(VIETNAM_TZ).replace(microsecond=0)
    )
    with tempfile.TemporaryDirectory(prefix="k39-seal-") as scratch:
        if as_ == "agency" and signing.demo:
            seal, warning = demo_seal(seal, request.agency_name, Path(scratch))
            warnings += [warning] if warning else []
        result = _add_signature(
            pdf, as_, signing, request, record, moment, timestamper, signature, seal, base_dir
        )
    result = SignedAs(**{**result.__dict__, "warnings": tuple(warnings)})
    _update_records(pdf, as_, record, record_path, manifest_path, result)
    return result


def _signing(key: Signing | Mapping[str, Any]) -> Signing:
    try:
        signing = key if isinstance(key, Signing) else Signing.model_validate(dict(key))
    except ValidationError as exc:
        raise SigningError(
            f"Khai báo khóa ký không hợp lệ: {exc.errors()[0].get('msg', '')}"
        ) from None
    if not signing.enabled:
        raise SigningError(
            "Chưa chọn khóa ký: tệp PKCS#12 (--pkcs12), token PKCS#11 "
            "(--pkcs11-library, --token, --key-label) hoặc --demo."
        )
    return signing


def _record(path: Path, pdf: Path) -> dict[str, Any]:
    if not path.is_file():
        raise SignRefusedError(
            f"Không có {RECORD_NAME} bên cạnh `{pdf}`: chỉ ký được dossier.pdf do k39docs tạo "
            "mà chưa ký (tạo hồ sơ không có mục `signing` hoặc với --no-sign), trong thư mục "
            "kết quả của nó."
        )
    try:
        record = read_sign_record(path)
    except (OSError, ValueError):
        raise SignRefusedError(
            f"Tệp {path} bị hỏng hoặc không phải của k39docs: tạo lại hồ sơ rồi ký."
        ) from None
    if record.get("draft"):
        raise SignRefusedError(
            f"`{pdf}` là bản dự thảo (công văn hoặc tờ trình chưa có số, ngày): không ký số bản "
            "dự thảo. Văn thư ghi số và ngày (documents.cover_letter.number, .date), tạo lại hồ "
            "sơ rồi ký."
        )
    return record


def _check_unchanged(pdf: Path, record: dict[str, Any], manifest_path: Path) -> None:
    """The file is byte for byte what render (or the last signature) left: the manifest in its
    folder says which sha256 that is; without a manifest, the record does."""
    expected, source = record.get("sha256"), RECORD_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entry = next(
            f
            for f in manifest.get("files", [])
            if f.get("kind") == "dossier" and f.get("path") == pdf.name
        )
        expected, source = entry.get("sha256"), "manifest.json"
    except (OSError, ValueError, StopIteration, AttributeError):
        pass  # no manifest (or not this file's): the record's hash
    if sha256_of(pdf) != expected:
        raise SignRefusedError(
            f"`{pdf}` đã bị thay đổi sau khi tạo hoặc sau lần ký trước (mã băm sha256 khác với "
            f"{source}): không ký. Hãy tạo lại hồ sơ rồi ký."
        )


def _signature_fields(pdf: Path) -> set[str]:
    with open(pdf, "rb") as fh:
        reader = PdfFileReader(fh, strict=False)
        return {s.field_name for s in reader.embedded_signatures}


def _check_order(as_: str, present: set[str], pdf: Path) -> None:
    if as_ == "signer":
        if PERSON_FIELD in present:
            raise SignRefusedError(f"`{pdf}` đã có chữ ký số của người ký: không ký lần thứ hai.")
        if present:
            raise SignRefusedError(
                f"`{pdf}` đã có chữ ký số khác ({', '.join(sorted(present))}): "
                "người ký phải ký trước tiên."
            )
        return
    if PERSON_FIELD not in present:
        raise SignRefusedError(
            f"`{pdf}` chưa có chữ ký số của người ký công văn: ký `--as signer` trước, rồi văn "
            "thư mới ký số của cơ quan (`--as agency`)."
        )
    if AGENCY_FIELD in present:
        raise SignRefusedError(f"`{pdf}` đã có chữ ký số của cơ quan: không ký lần thứ hai.")


def _check_date(record: dict[str, Any], signing: Signing, today: dt.date) -> str | None:
    """The công văn is dated the day it is signed and issued: with a real key another day is
    refused; with the demo key it is a warning (as a render that signs does)."""
    dated = record.get("cover_letter_date")
    if not dated or dt.date.fromisoformat(dated) == today:
        return None
    day = dt.date.fromisoformat(dated)
    told = (
        f"Công văn đề ngày {day:%d/%m/%Y} nhưng được ký số hôm nay, ngày {today:%d/%m/%Y} "
        "(giờ Việt Nam): thời điểm ký số phải trùng ngày của văn bản"
    )
    if signing.demo:
        return f"{told} (chữ ký thử nghiệm nên vẫn ký)."
    raise SignRefusedError(f"{told}. Sửa ngày công văn thành ngày ký, tạo lại hồ sơ rồi ký.")


def _image(given: str | Path | None, recorded: str | None) -> Path | None:
    if given is not None:
        return Path(given).expanduser()
    return Path(recorded) if recorded else None


def _person_widget(pdf: Path) -> tuple[Rect, int] | None:
    """The leader's signature widget: its rectangle, and 1 when its appearance draws an image
    (0: the "Ký bởi" text)."""
    with open(pdf, "rb") as fh:
        reader = PdfFileReader(fh, strict=False)
        for s in reader.embedded_signatures:
            if s.field_name != PERSON_FIELD:
                continue
            field = s.sig_field
            widget = field if "/Rect" in field else field["/Kids"][0].get_object()
            x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
            try:
                resources = widget["/AP"]["/N"].get_object()["/Resources"]
                images = _has_image(resources)
            except (KeyError, TypeError):
                images = False
            return Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), int(images)
    return None


def _has_image(resources, depth: int = 0) -> bool:
    """Whether an appearance's resources hold an image (directly or in a form inside it)."""
    xobjects = resources.get("/XObject") if resources is not None else None
    if not xobjects or depth > 4:
        return False
    for ref in xobjects.values():
        xo = ref.get_object()
        if xo.get("/Subtype") == "/Image":
            return True
        if xo.get("/Subtype") == "/Form" and _has_image(xo.get("/Resources"), depth + 1):
            return True
    return False


def _add_signature(
    pdf: Path,
    as_: str,
    signing: Signing,
    request: SignatureRequest,
    record: dict[str, Any],
    moment: dt.datetime,
    timestamper,
    signature_image: Path | None,
    seal_image: Path | None,
    base_dir: Path,
) -> SignedAs:
    when = format_signing_time(moment)
    found = place_on(
        PdfReader(pdf), request.cover_letter_pages, request.signer_name, request.signer_title_lines
    )
    signed = _person_widget(pdf) if as_ == "agency" else None
    plan = plan_block_layout(
        found.block,
        page_box=found.page_box,
        signature_image=signature_image,
        seal_image=seal_image,
        person_lines=[f"Ký bởi: {request.signer_name}", when],
        agency_lines=[request.agency_name, when],
        signed_rect=signed[0] if signed else None,
        signed_with_image=bool(signed[1]) if signed else True,
    )
    number = request.document_number
    demo_ca = pdf.parent / DEMO_CA_FILENAME
    earlier_ca = demo_ca.read_bytes() if signing.demo and demo_ca.is_file() else None
    tmp = pdf.parent / f".signing-{os.getpid()}-{secrets.token_hex(4)}.pdf"
    try:
        with (
            open_signing_keys(
                signing,
                base_dir=base_dir,
                out_dir=pdf.parent,
                signer_name=request.signer_name,
                agency_name=request.agency_name,
            ) as keys,
            open(pdf, "rb") as source,
            open(tmp, "x+b") as out,
        ):
            writer = IncrementalPdfFileWriter(source)
            if as_ == "signer":
                stamp_attachments(
                    writer,
                    request.attachment_first_pages,
                    attachment_info_lines(number, when, request.agency_name),
                )
                subject, rect = keys.person_subject, plan.person_rect
            else:
                subject, rect = keys.agency_subject, plan.agency_rect
            pdf_signer = _pdf_signer(as_, keys, plan, request, timestamper)
            try:
                asyncio.run(_sign_revision(pdf_signer, writer, moment, out))
            except Exception as exc:  # noqa: BLE001 — said in Vietnamese, without the secret
                raise signing_failure(exc, signing) from None
        if earlier_ca is not None and keys.demo_ca_pem is not None:
            # each demo signing makes its own test CA: keep the earlier one too, so that
            # `verify --trust-root demo-ca.pem` checks both signatures
            keys.demo_ca_pem.write_bytes(earlier_ca + keys.demo_ca_pem.read_bytes())
        os.replace(tmp, pdf)
    finally:
        tmp.unlink(missing_ok=True)
    return SignedAs(
        pdf=pdf,
        role=as_,
        subject=subject,
        field_name=PERSON_FIELD if as_ == "signer" else AGENCY_FIELD,
        signing_time=moment,
        page=plan.page,
        rect=rect,
        attachment_pages=request.attachment_first_pages if as_ == "signer" else (),
        demo=keys.demo,
        demo_ca_pem=keys.demo_ca_pem,
        complete=as_ == "agency",
    )


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _update_records(
    pdf: Path,
    as_: str,
    record: dict[str, Any],
    record_path: Path,
    manifest_path: Path,
    result: SignedAs,
) -> None:
    """The record and the manifest say what the file now is: its sha256, who signed, and
    (after the agency) that the dossier is signed."""
    digest = sha256_of(pdf)
    record = {**record, "sha256": digest, "signed_as": [*record.get("signed_as", []), as_]}
    _write_json(record_path, record)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for entry in manifest.get("files", []):
        if entry.get("kind") == "dossier" and entry.get("path") == pdf.name:
            entry["sha256"] = digest
            entry["signed"] = result.complete
            entry["signatures"] = record["signed_as"]
    manifest["signed"] = result.complete
    if result.demo_ca_pem is not None:
        name = result.demo_ca_pem.name
        manifest["files"] = [f for f in manifest.get("files", []) if f.get("path") != name]
        manifest["files"].append(
            {
                "path": name,
                "kind": "demo_ca",
                "format": "pem",
                "candidate": None,
                "sha256": sha256_of(result.demo_ca_pem),
                "pages": None,
            }
        )
    manifest.setdefault("warnings", []).extend(result.warnings)
    _write_json(manifest_path, manifest)
