"""Checking the signatures of a PDF: is every signature intact and valid, is nothing added after?

:func:`verify_pdf` validates each embedded signature with pyHanko (digest of the signed byte
range, the CMS signature, the certificate chain against the given trust roots, the changes made
in later revisions) and reports, per signature and for the file, what a clerk needs to know, in
Vietnamese. A file is ``ok`` when it has at least one signature, every signature is intact and
cryptographically valid, only signing/form-filling happened after each one, every chain reaches a
trust root when trust roots are given, and the last signature covers the whole file.
:func:`format_verify_report` turns the report into the text ``k39docs verify`` prints.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from ..dossier.model import VIETNAM_TZ
from ..errors import K39Error

__all__ = [
    "SignatureCheck",
    "VerifyReport",
    "verify_pdf",
    "format_verify_report",
    "load_trust_roots",
]


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signature of the file."""

    field_name: str
    signer: str  # common name of the signing certificate ("" if unreadable)
    signing_time: dt.datetime | None  # the time the signer claims (/M), or the timestamp's time
    timestamp_time: dt.datetime | None  # time certified by an RFC 3161 timestamp, if any
    intact: bool  # the signed bytes are unchanged (digest matches)
    valid: bool  # the CMS signature itself is cryptographically valid
    trusted: bool | None  # chains to a given trust root; None when no trust root was given
    covers_whole_file: bool  # nothing was written after this signature
    changes_allowed: bool  # later revisions only add signatures / fill fields (or there are none)
    coverage: str  # entire_file | entire_revision | partial | unknown
    modification: str  # none | signing | metadata | other | unknown (what later revisions did)
    problems: tuple[str, ...]  # Vietnamese, empty when ok
    message: str  # one Vietnamese sentence summing the signature up
    detail: str | None = None  # the validator's own (English) words on a disallowed change, if any
    changes: tuple[
        str, ...
    ] = ()  # what later revisions did, in Vietnamese (k39docs.signing.changes)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted is not False and self.changes_allowed

    def to_dict(self) -> dict:
        """JSON-ready: times as ISO 8601 in Vietnam time."""
        return {
            "field_name": self.field_name,
            "signer": self.signer,
            "ok": self.ok,
            "signing_time": _iso(self.signing_time),
            "timestamp_time": _iso(self.timestamp_time),
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "covers_whole_file": self.covers_whole_file,
            "changes_allowed": self.changes_allowed,
            "coverage": self.coverage,
            "modification": self.modification,
            "problems": list(self.problems),
            "message": self.message,
            "detail": self.detail,
            "changes": list(self.changes),
        }


@dataclass(frozen=True)
class VerifyReport:
    """The verdict on the file: ``ok`` and one :class:`SignatureCheck` per signature, in order."""

    path: Path
    signatures: tuple[SignatureCheck, ...]
    problems: tuple[str, ...]  # file-level problems (unsigned, unreadable, appended data …)
    trust_roots_given: bool

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.problems and all(s.ok for s in self.signatures)

    def to_dict(self) -> dict:
        """JSON-ready form for ``k39docs verify --format json``."""
        return {
            "path": str(self.path),
            "ok": self.ok,
            "trust_roots_given": self.trust_roots_given,
            "problems": list(self.problems),
            "signatures": [s.to_dict() for s in self.signatures],
        }


def load_trust_roots(paths: Iterable[Path | str]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or more per file) or DER files."""
    certs: list[asn1_x509.Certificate] = []
    for path in paths:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError:
            raise K39Error(f"Không đọc được tệp chứng thư gốc `{path}` (--trust-root).") from None
        try:
            if pem.detect(data):
                for kind, _, der in pem.unarmor(data, multiple=True):
                    if kind == "CERTIFICATE":
                        certs.append(asn1_x509.Certificate.load(der))
            else:
                cert = asn1_x509.Certificate.load(data)
                _ = cert.native  # parse it all now: a damaged file fails here, not later
                certs.append(cert)
        except Exception:  # noqa: BLE001  (asn1crypto raises many kinds; any means "not a cert")
            raise K39Error(
                f"Tệp `{path}` không phải chứng thư số (PEM hoặc DER) (--trust-root)."
            ) from None
    return certs


def _common_name(cert) -> str:
    try:
        cn = cert.subject.native.get("common_name")
        if isinstance(cn, list):
            cn = cn[0]
        return str(cn) if cn else cert.subject.human_friendly
    except Exception:  # noqa: BLE001  (an unreadable name is shown as none; the check goes on)
        return ""


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM_TZ).replace(microsecond=0).isoformat()


def _fmt_time(moment: dt.datetime | None) -> str:
    return _iso(moment) or "không rõ"


def _broken(field_name: str, reason: str) -> SignatureCheck:
    return SignatureCheck(
        field_name=field_name,
        signer="",
        signing_time=None,
        timestamp_time=None,
        intact=False,
        valid=False,
        trusted=None,
        covers_whole_file=False,
        changes_allowed=False,
        coverage="unknown",
        modification="unknown",
        problems=(reason,),
        message=f"Chữ ký “{field_name}” hỏng: {reason}",
    )


def _check_one(embedded, validation_context, trust_given: bool) -> SignatureCheck:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    name = embedded.field_name or "?"
    try:
        status = validate_pdf_signature(
            embedded,
            signer_validation_context=validation_context,
            key_usage_settings=KeyUsageConstraints(
                key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
            ),
        )
    except Exception as exc:  # noqa: BLE001  (reported as that signature's problem)
        return _broken(name, f"không kiểm tra được ({type(exc).__name__}: {str(exc)[:200]})")

    from pyhanko.sign.diff_analysis import SuspiciousModification

    signer = _common_name(status.signing_cert)
    ts = status.timestamp_validity
    ts_time = ts.timestamp if ts is not None else None
    claimed = status.signer_reported_dt or ts_time
    problems: list[str] = []
    if not status.intact:
        problems.append("nội dung đã bị thay đổi sau khi ký (mã băm của vùng được ký không khớp)")
    if not status.valid:
        problems.append("giá trị chữ ký không hợp lệ với khóa công khai của chứng thư số")
    trusted: bool | None = None
    if (
        trust_given and status.intact and status.valid
    ):  # the chain is not judged for a broken signature
        trusted = bool(status.trusted)
        if not trusted:
            problems.append(
                "chứng thư số không dẫn về chứng thư gốc tin cậy nào đã cho (--trust-root)"
                + (
                    f": {status.trust_problem_indic.standard_name}"
                    if status.trust_problem_indic
                    else ""
                )
            )
    coverage_level = status.coverage
    covers = coverage_level == SignatureCoverageLevel.ENTIRE_FILE
    coverage_names: dict[SignatureCoverageLevel | None, str] = {
        SignatureCoverageLevel.ENTIRE_FILE: "entire_file",
        SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
    }
    coverage = coverage_names.get(coverage_level, "partial")
    changed = _what_changed(embedded) if not covers else None
    level = status.modification_level
    if (
        covers
        or level == ModificationLevel.NONE
        or (changed is not None and not changed.descriptions())
    ):
        modification = "none"
    elif changed is not None and changed.only_signing:
        modification = "signing"
    elif changed is not None and changed.only_metadata:
        modification = "metadata"
    elif level is None and changed is None:
        modification = "unknown"
    else:
        modification = "other"
    said = tuple(changed.descriptions()) if changed is not None else ()
    changes_allowed = covers or bool(status.docmdp_ok)
    detail = None
    if isinstance(status.diff_result, SuspiciousModification):
        full = str(status.diff_result).strip()
        detail = full.splitlines()[0][:300] if full else None
    if coverage == "partial":
        problems.append(
            "vùng được ký không bao trọn phiên bản của tệp (cấu trúc chữ ký bất thường hoặc tệp bị ghi lại)"
        )
    elif not changes_allowed:
        what = "; ".join(d for d in said if "chữ ký số" not in d) or "sửa đổi không xác định được"
        problems.append(f"tệp đã bị sửa đổi sau khi ký theo cách không được phép: {what}")
    if ts is not None and not (ts.intact and ts.valid):
        problems.append("dấu thời gian (RFC 3161) kèm chữ ký không hợp lệ")

    if problems:
        message = (
            f"Chữ ký “{name}” của {signer or 'người ký không rõ'}: KHÔNG hợp lệ — "
            + "; ".join(problems)
            + "."
        )
    else:
        after = (
            "bao trùm toàn bộ tệp"
            if covers
            else "sau đó tệp chỉ được thêm chữ ký số khác"
            if modification in ("signing", "none")
            else "sau đó tệp được: " + "; ".join(said)
        )
        trust_text = "" if trusted is None else ", chứng thư số dẫn về chứng thư gốc tin cậy"
        message = f"Chữ ký “{name}” của {signer}: còn nguyên vẹn, hợp lệ{trust_text}; {after}."
    return SignatureCheck(
        field_name=name,
        signer=signer,
        signing_time=claimed,
        timestamp_time=ts_time,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=trusted,
        covers_whole_file=covers,
        changes_allowed=changes_allowed,
        coverage=coverage,
        modification=modification,
        problems=tuple(problems),
        message=message,
        detail=detail,
        changes=said,
    )


def _what_changed(embedded):
    """What the revisions after the signature did (None when that cannot be read)."""
    from .changes import changes_after

    try:
        return changes_after(embedded.reader, embedded.signed_revision)
    except Exception:  # noqa: BLE001 — a damaged file: pyHanko's verdict still stands
        return None


def _missing_dossier_signatures(reader, checks: list[SignatureCheck]) -> list[str]:
    """A dossier k39docs made (its Creator says so) carries the signer's and the agency's
    signatures; the fields it lacks (a file cut back to its first signature lacks one)."""
    from .sign import AGENCY_FIELD, PERSON_FIELD

    try:
        info = reader.trailer_view["/Info"]
        creator = str(info.get("/Creator", ""))
    except Exception:  # noqa: BLE001 — no document information: not known to be a dossier
        return []
    if not creator.startswith("k39docs"):
        return []
    present = {c.field_name for c in checks}
    return [name for name in (PERSON_FIELD, AGENCY_FIELD) if name not in present]


# pyHanko's difference analysis walks every path from the trailer to each object recursively;
# a dossier's bookmarks are one /Next chain, so the depth grows with the number of documents
# (about 400 bookmarks of a 200-candidate dossier passed Python's default limit of 1000)
_DEEP_RECURSION = 200_000
_DEEP_STACK_BYTES = 512 * 1024 * 1024  # virtual: pages of the stack are used only as needed


def _in_deep_stack(function, *args):
    """``function(*args)`` in a thread with a large stack and a high recursion limit, so that
    a long outline is analysed, not refused with a RecursionError (the limit is the
    interpreter's: raised while this runs, then put back)."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the caller's thread
            outcome["error"] = exc

    previous_limit = sys.getrecursionlimit()
    previous_stack = threading.stack_size()
    try:
        threading.stack_size(_DEEP_STACK_BYTES)
        thread = threading.Thread(target=run, name="k39-verify")
    finally:
        threading.stack_size(previous_stack)
    sys.setrecursionlimit(max(previous_limit, _DEEP_RECURSION))
    try:
        thread.start()
        thread.join()
    finally:
        sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@contextmanager
def _quiet_validator():
    """pyHanko logs a traceback for each disallowed change and each unbuildable certificate path;
    the report already says both, in Vietnamese, so keep them off the clerk's terminal."""
    loggers = [
        logging.getLogger(name)
        for name in ("pyhanko.sign.diff_analysis", "pyhanko.sign.validation")
    ]
    previous = [log.level for log in loggers]
    for log in loggers:
        log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for log, level in zip(loggers, previous, strict=True):
            log.setLevel(level)


def verify_pdf(
    path: Path | str,
    trust_roots: Iterable[Path | str | asn1_x509.Certificate] = (),
    *,
    allow_fetching: bool = False,
) -> VerifyReport:
    """Check every signature of the PDF at ``path``.

    ``trust_roots`` are certificate files (PEM/DER) or asn1crypto certificates; without them the
    chain of trust is not judged (``trusted`` is ``None``). ``allow_fetching`` lets the validator
    download CRLs/OCSP responses and missing intermediates (off by default: offline and repeatable).
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    path = Path(path)
    roots = [r for r in trust_roots if isinstance(r, asn1_x509.Certificate)]
    roots += load_trust_roots(r for r in trust_roots if not isinstance(r, asn1_x509.Certificate))
    trust_given = bool(roots)
    try:
        data = path.read_bytes()
    except OSError:
        return VerifyReport(path, (), (f"không đọc được tệp `{path}`",), trust_given)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:  # noqa: BLE001  (whatever the parser tripped on, the file is bad)
        return VerifyReport(
            path,
            (),
            (f"tệp không phải PDF hợp lệ hoặc bị hỏng ({type(exc).__name__})",),
            trust_given,
        )
    if not embedded:
        return VerifyReport(path, (), ("tệp không có chữ ký số nào",), trust_given)

    checks = []
    with _quiet_validator():
        for sig in sorted(embedded, key=lambda s: s.signed_revision):
            context = ValidationContext(
                trust_roots=roots, allow_fetching=allow_fetching, revocation_mode="soft-fail"
            )
            checks.append(_in_deep_stack(_check_one, sig, context, trust_given))
    problems: list[str] = []
    missing = _missing_dossier_signatures(reader, checks)
    if missing:
        who = {"ChuKySo-NguoiKy": "người ký văn bản", "ChuKySo-CoQuan": "cơ quan ban hành"}
        names = ", ".join(f"{who.get(m, m)} ({m})" for m in missing)
        problems.append(
            f"hồ sơ do k39docs lập phải có chữ ký số của người ký và của cơ quan; "
            f"thiếu chữ ký của {names}"
        )
    last = checks[-1]
    if not last.covers_whole_file:
        after = "; ".join(last.changes) or "thêm hoặc sửa nội dung"
        problems.append(
            f"chữ ký cuối cùng (“{last.field_name}”) không bao trùm toàn bộ tệp: sau khi ký, "
            f"tệp đã bị {after}"
        )
    return VerifyReport(path, tuple(checks), tuple(problems), trust_given)


def format_verify_report(report: VerifyReport) -> str:
    """The report as the Vietnamese text ``k39docs verify`` prints."""
    lines = [f"Tệp: {report.path}"]
    n = len(report.signatures)
    if report.ok:
        lines.append(
            f"Kết quả: HỢP LỆ — {n} chữ ký số còn nguyên vẹn và hợp lệ; chữ ký cuối cùng bao trùm toàn bộ tệp."
        )
    else:
        lines.append("Kết quả: KHÔNG HỢP LỆ")
        for problem in report.problems:
            lines.append(f"  - {problem[0].upper()}{problem[1:]}.")
        bad = [s for s in report.signatures if not s.ok]
        if bad:
            lines.append(f"  - {len(bad)}/{n} chữ ký có vấn đề (chi tiết bên dưới).")
    if not report.trust_roots_given and report.signatures:
        lines.append(
            "Lưu ý: chưa kiểm tra nguồn gốc chứng thư số (không có --trust-root): "
            "chữ ký nguyên vẹn chưa chứng minh được người ký là ai."
        )
    yes_no = {True: "có", False: "KHÔNG", None: "chưa kiểm tra"}
    for i, s in enumerate(report.signatures, 1):
        lines.append("")
        lines.append(f"{i}. {s.field_name} — {s.signer or 'không rõ người ký'}")
        lines.append(
            f"   Thời điểm ký: {_fmt_time(s.signing_time)}"
            + (f" (dấu thời gian: {_fmt_time(s.timestamp_time)})" if s.timestamp_time else "")
        )
        lines.append(
            f"   Nguyên vẹn: {yes_no[s.intact]}; chữ ký hợp lệ: {yes_no[s.valid]}; "
            f"chứng thư tin cậy: {yes_no[s.trusted]}"
        )
        scope = {
            "entire_file": "bao trùm toàn bộ tệp",
            "entire_revision": "bao trùm phiên bản của nó; sau đó "
            + {
                "signing": "chỉ thêm chữ ký số",
                "none": "không có sửa đổi",
                "unknown": "có sửa đổi chưa xác định",
                "metadata": "; ".join(s.changes),
                "other": "; ".join(s.changes) + ("" if s.ok else " (KHÔNG được phép)"),
            }[s.modification],
            "partial": "không bao trọn phiên bản của nó (bất thường)",
            "unknown": "không xác định",
        }[s.coverage]
        lines.append(f"   Phạm vi ký: {scope}")
        lines.append(f"   {s.message}")
        if s.detail:
            lines.append(f"   Chi tiết kỹ thuật: {s.detail}")
    return "\n".join(lines)
