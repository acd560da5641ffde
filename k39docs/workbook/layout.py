"""The clerk's workbook as one table: its sheets, their columns, labels, notes and value kinds.

Writing (``write``) and reading (``read``) both walk these tables, so a column the writer puts in
is a column the reader knows, under the same label and the same field path: the two cannot
disagree. A field is named by its dotted path in the dossier (``course.notice.date``) or, in a
per-candidate sheet, relative to the candidate (``foreign_language.certificate``).
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from ..dossier.model import CadreGroup, CourseType, Gender, PositionLevel, Rating

__all__ = [
    "Field",
    "RowGroup",
    "Kind",
    "SHEET_DOSSIER",
    "SHEET_CANDIDATES",
    "SHEET_HISTORY",
    "SHEET_ATTACHMENTS",
    "SHEET_REPORTS",
    "SHEET_GUIDE",
    "SHEET_LISTS",
    "DOSSIER_ROWS",
    "DOSSIER_HEADERS",
    "CANDIDATE_FIELDS",
    "HISTORY_FIELDS",
    "ATTACHMENT_FIELDS",
    "REPORT_FIELDS",
    "CANDIDATE_ID",
    "REVIEW_PREFIX",
    "BOOL_LABELS",
    "PURPOSE_LABELS",
    "AUTHORITIES",
    "candidate_fields",
    "review_field",
    "review_rule_ids",
    "header_key",
    "choice_labels",
]

SHEET_DOSSIER = "Hồ sơ"
SHEET_CANDIDATES = "Ứng viên"
SHEET_HISTORY = "Lịch sử K39"
SHEET_ATTACHMENTS = "Tài liệu kèm theo"
SHEET_REPORTS = "Báo cáo"
SHEET_GUIDE = "Hướng dẫn"
SHEET_LISTS = "Danh mục"  # hidden: the drop-down lists (labels with commas cannot be inline)

Kind = Literal[
    "text",
    "lines",
    "int",
    "date",
    "birth",
    "bool",
    "choice",
    "cccd",
    "rules",
    "purpose",
    "authority",
    "path",
    "version",
]

BOOL_LABELS = {True: "Có", False: "Không"}
PURPOSE_LABELS = {"nomination": "Hồ sơ đề cử", "return": "Hồ sơ báo cáo kết quả"}
AUTHORITIES = ("TM.", "KT.", "Q.", "TL.", "TUQ.")

# what each kind of cell takes, said once for the notes and the guide
KIND_HINTS = {
    "date": "ngày: ô kiểu ngày, hoặc gõ ngày/tháng/năm (01/03/2027)",
    "birth": "ngày/tháng/năm (12/04/1975), tháng/năm (04/1975) hoặc chỉ năm (1975)",
    "bool": "chọn Có hoặc Không",
    "choice": "chọn trong danh sách",
    "lines": "mỗi mục một dòng trong ô (Alt+Enter để xuống dòng)",
    "rules": "mã điều kiện, cách nhau bằng dấu phẩy (IV.2.1.a, IV.1.f)",
    "cccd": "12 chữ số, ô dạng văn bản để giữ số 0 ở đầu",
    "int": "số",
    "purpose": "chọn trong danh sách",
    "authority": "chọn TM., KT., Q., TL., TUQ. hoặc để trống (ký tên mình)",
}


@dataclass(frozen=True)
class Field:
    """One field in the workbook: a row of ``Hồ sơ`` or a column of a per-candidate sheet.

    ``required``: True always, ``"nomination"`` in a nomination only, ``"section"`` when any
    field of its section is filled (the section itself is optional), False never."""

    path: str
    label: str
    note: str
    kind: Kind = "text"
    required: bool | str = False
    width: float = 18
    enum: type[Enum] | None = None

    @property
    def marked(self) -> bool:
        """Whether the label carries the ``*`` of a required field (not a field required only
        when its optional section is filled: a clerk would take the ``*`` to mean the section)."""
        return self.required is True or self.required == "nomination"

    @property
    def header(self) -> str:
        return f"{self.label} *" if self.marked else self.label

    def full_note(self, with_path: bool = True) -> str:
        """The note shown on the header: what to write, how, when it is required, and (for
        whoever also reads the YAML) the field's path."""
        parts = [self.note]
        hint = KIND_HINTS.get(self.kind)
        if hint and hint not in self.note:
            parts.append(f"Cách ghi: {hint}.")
        if self.required is True:
            parts.append("Bắt buộc.")
        elif self.required == "nomination":
            parts.append("Bắt buộc với hồ sơ đề cử.")
        elif self.required == "section":
            parts.append("Bắt buộc khi có ghi mục này.")
        if with_path:
            parts.append(f"Trường: {self.path}")
        return " ".join(p.rstrip() for p in parts if p)


@dataclass(frozen=True)
class RowGroup:
    """A heading row in ``Hồ sơ``: read past, written bold."""

    title: str
    fields: tuple[Field, ...] = field(default_factory=tuple)


def _signer(prefix: str, who: str) -> tuple[Field, ...]:
    req = "section" if prefix.startswith("documents.submission") else True
    return (
        Field(
            f"{prefix}.authority",
            f"{who} – thẩm quyền ký",
            "TM. (thay mặt), KT. (ký thay), Q. (quyền), TL. (thừa lệnh), TUQ. (thừa ủy quyền); "
            "để trống nếu người ký ký tên mình.",
            "authority",
        ),
        Field(f"{prefix}.organ", f"{who} – tập thể lãnh đạo", "Sau TM.: ỦY BAN NHÂN DÂN."),
        Field(f"{prefix}.deputy", f"{who} – dòng thứ hai", "Ví dụ: KT. CHỦ TỊCH."),
        Field(
            f"{prefix}.title",
            f"{who} – chức vụ",
            "Chức vụ in trên chữ ký: PHÓ CHỦ TỊCH.",
            required=req,
        ),
        Field(
            f"{prefix}.deputy_title",
            f"{who} – chức vụ người ký thay",
            "Ký KT./TL./TUQ. mà không có tập thể: chức vụ của người ký (PHÓ GIÁM ĐỐC).",
        ),
        Field(f"{prefix}.name", f"{who} – họ tên người ký", "", required=req),
    )


DOSSIER_HEADERS = ("Nội dung", "Trường (không sửa)", "Giá trị", "Giải thích")

DOSSIER_ROWS: tuple[RowGroup, ...] = (
    RowGroup(
        "Hồ sơ",
        (
            Field("schema_version", "Phiên bản mẫu", "Luôn là 1.", "version", True),
            Field(
                "purpose",
                "Loại hồ sơ",
                "Hồ sơ đề cử (trước khóa học) hoặc Hồ sơ báo cáo kết quả (sau khóa học; mỗi người "
                "một dòng ở trang Báo cáo).",
                "purpose",
            ),
            Field(
                "id",
                "Mã hồ sơ",
                "Dùng làm tên thư mục kết quả: chữ thường không dấu, số, '.', '-', '_'.",
                required=True,
            ),
        ),
    ),
    RowGroup(
        "Cơ quan ban hành công văn (UBND tỉnh)",
        (
            Field("issuer.name", "Tên cơ quan", "Ủy ban nhân dân tỉnh …", required=True),
            Field(
                "issuer.short_name",
                "Tên viết gọn",
                "Dùng trong câu văn: UBND tỉnh …",
                required=True,
            ),
            Field(
                "issuer.code",
                "Viết tắt tên cơ quan",
                "Trong số, ký hiệu văn bản: UBND.",
                required=True,
            ),
            Field("issuer.place", "Địa danh", "Trên dòng ngày tháng: Quảng Ngãi.", required=True),
            Field("issuer.address", "Địa chỉ", ""),
            Field("issuer.phone", "Điện thoại", ""),
            Field("issuer.email", "Thư điện tử", ""),
        ),
    ),
    RowGroup(
        "Cơ quan tham mưu (Sở Nội vụ)",
        (
            Field("department.name", "Tên cơ quan", "Sở Nội vụ.", required=True),
            Field("department.parent", "Cơ quan chủ quản", "In chữ hoa phía trên: UBND tỉnh …"),
            Field("department.code", "Viết tắt tên cơ quan", "SNV.", required=True),
            Field("department.place", "Địa danh", "", required=True),
        ),
    ),
    RowGroup(
        "Khóa bồi dưỡng",
        (
            Field(
                "course.type",
                "Loại khóa",
                "Ngắn hạn, Trung hạn hoặc Ngoại ngữ.",
                "choice",
                True,
                enum=CourseType,
            ),
            Field("course.title", "Tên khóa", "", required=True),
            Field(
                "course.topic_group",
                "Nhóm chủ đề",
                "Số 1 đến 4 (bốn nhóm chủ đề của Kế hoạch).",
                "int",
                True,
            ),
            Field("course.language", "Ngôn ngữ giảng dạy", "Tiếng Anh.", required=True),
            Field("course.country", "Nước đến", "", required=True),
            Field("course.institution", "Cơ sở đào tạo", "", required=True),
            Field("course.start_date", "Ngày bắt đầu", "", "date", True),
            Field("course.end_date", "Ngày kết thúc", "", "date", True),
            Field(
                "course.estimated_cost_per_person",
                "Kinh phí dự kiến mỗi người (đồng)",
                "Số, không ghi chữ “đồng”.",
                "int",
            ),
            Field(
                "course.required_language_level",
                "Trình độ ngoại ngữ đầu vào",
                "Khóa ngoại ngữ: IELTS 5.0, B1 …",
            ),
            Field("course.notice.number", "Thông báo của BCĐ – số", "27-TB/BCĐ.", required=True),
            Field("course.notice.date", "Thông báo của BCĐ – ngày", "", "date", True),
            Field("course.notice.issuer", "Thông báo của BCĐ – cơ quan", "", required=True),
            Field(
                "course.decision.number",
                "Quyết định cử đi – số",
                "Hồ sơ báo cáo: quyết định cử đi bồi dưỡng (1234/QĐ-UBND).",
                required="section",
            ),
            Field("course.decision.date", "Quyết định cử đi – ngày", "", "date", "section"),
            Field("course.decision.issuer", "Quyết định cử đi – cơ quan", "", required="section"),
        ),
    ),
    RowGroup(
        "Căn cứ",
        (
            Field(
                "legal_basis",
                "Các căn cứ",
                "Mỗi căn cứ một dòng; để trống thì dùng danh sách căn cứ mặc định.",
                "lines",
                width=60,
            ),
        ),
    ),
    RowGroup(
        "Công văn của UBND tỉnh",
        (
            Field(
                "documents.cover_letter.number",
                "Công văn – số",
                "Chỉ ghi số: 3512. Để trống khi chưa ban hành: lập bản dự thảo (không ký số).",
                "int",
            ),
            Field(
                "documents.cover_letter.unit_code",
                "Công văn – đơn vị soạn thảo",
                "NC.",
                required=True,
            ),
            Field(
                "documents.cover_letter.date",
                "Công văn – ngày",
                "Để trống khi chưa ban hành (bản dự thảo).",
                "date",
            ),
            Field("documents.cover_letter.recipients", "Công văn – kính gửi", "", "lines", True),
            *_signer("documents.cover_letter.signer", "Công văn"),
            Field(
                "documents.cover_letter.copies_to",
                "Công văn – nơi nhận",
                "Ngoài “Như trên”.",
                "lines",
            ),
            Field("documents.cover_letter.archive", "Công văn – lưu", "VT, NC.", required=True),
        ),
    ),
    RowGroup(
        "Tờ trình của Sở Nội vụ (hồ sơ đề cử)",
        (
            Field(
                "documents.submission.number",
                "Tờ trình – số",
                "Để trống khi chưa ban hành (bản dự thảo).",
                "int",
            ),
            Field(
                "documents.submission.date",
                "Tờ trình – ngày",
                "Trước ngày công văn; để trống khi chưa ban hành.",
                "date",
            ),
            *_signer("documents.submission.signer", "Tờ trình"),
            Field("documents.submission.copies_to", "Tờ trình – nơi nhận", "", "lines"),
            Field(
                "documents.submission.archive", "Tờ trình – lưu", "VT, CCVC.", required="nomination"
            ),
        ),
    ),
    RowGroup(
        "Bản cam kết và kết quả rà soát",
        (
            Field(
                "documents.commitment.clauses",
                "Bản cam kết – các điều khoản",
                "Mỗi điều khoản một dòng; để trống thì dùng nội dung mặc định.",
                "lines",
                width=60,
            ),
            Field("documents.eligibility_report.prepared_by", "Kết quả rà soát – người lập", ""),
        ),
    ),
    RowGroup(
        "Ký số",
        (
            Field(
                "signing.demo",
                "Ký thử (chứng thư thử nghiệm)",
                "Có: ký bằng chứng thư thử, không có giá trị pháp lý.",
                "bool",
            ),
            Field(
                "signing.pkcs12",
                "Tệp khóa PKCS#12",
                "Đường dẫn so với thư mục của bảng tính.",
                "path",
            ),
            Field("signing.passphrase_env", "Biến môi trường chứa mật khẩu", ""),
            Field("signing.pkcs11.library", "Token USB – thư viện PKCS#11", "", required="section"),
            Field("signing.pkcs11.token", "Token USB – tên token", "", required="section"),
            Field("signing.pkcs11.key_label", "Token USB – nhãn khóa", "", required="section"),
            Field("signing.pkcs11.cert_label", "Token USB – nhãn chứng thư", ""),
            Field(
                "signing.pkcs11.pin_env",
                "Token USB – biến môi trường chứa PIN",
                "",
                required="section",
            ),
            Field(
                "signing.signature_image",
                "Ảnh chữ ký",
                "PNG nền trong suốt; đường dẫn so với thư mục của bảng tính (images/chu-ky.png).",
                "path",
            ),
            Field("signing.seal_image", "Ảnh con dấu", "PNG màu đỏ, đúng kích thước dấu.", "path"),
            Field("signing.tsa_url", "Máy chủ dấu thời gian", ""),
        ),
    ),
)

CANDIDATE_ID = Field(
    "id",
    "Mã ứng viên",
    "Chữ thường không dấu, số, '-' hoặc '_' (ca01). Để trống: tự đánh số ca01, ca02… theo "
    "thứ tự dòng. Các trang Lịch sử K39, Báo cáo, Tài liệu kèm theo ghi mã này.",
    width=11,
)

_CANDIDATE_BASE: tuple[Field, ...] = (
    CANDIDATE_ID,
    Field("full_name", "Họ và tên", "", required=True, width=24),
    Field("gender", "Giới tính", "", "choice", True, 10, Gender),
    Field("birth_date", "Ngày sinh", "Như trong lý lịch.", "birth", True, 12),
    Field("ethnicity", "Dân tộc", "", width=10),
    Field("id_number", "Số CCCD", "Số căn cước công dân.", "cccd", True, 15),
    Field("party_member", "Đảng viên", "", "bool", True, 11),
    Field("position", "Chức vụ", "Phó Giám đốc.", required=True, width=18),
    Field("position_level", "Cấp chức vụ", "", "choice", True, 30, PositionLevel),
    Field("agency", "Cơ quan, đơn vị", "", required=True, width=30),
    Field("work_field", "Lĩnh vực công tác", "", width=20),
    Field("planned_position", "Chức danh quy hoạch", "", width=22),
    Field(
        "education", "Trình độ chuyên môn", "Thạc sĩ Quản lý công.", required="nomination", width=22
    ),
    Field("political_theory", "Lý luận chính trị", "Cao cấp.", width=12),
    Field(
        "foreign_language.language",
        "Ngoại ngữ – thứ tiếng",
        "Tiếng Anh.",
        required="section",
        width=14,
    ),
    Field(
        "foreign_language.certificate",
        "Ngoại ngữ – chứng chỉ",
        "IELTS, TOEFL iBT, VSTEP …",
        width=16,
    ),
    Field("foreign_language.score", "Ngoại ngữ – điểm, bậc", "6.5; B2 …", width=12),
    Field("foreign_language.issued", "Ngoại ngữ – ngày cấp", "", "date", width=13),
    Field("evaluation.year", "Xếp loại – năm", "Năm liền trước.", "int", "nomination", 10),
    Field("evaluation.rating", "Xếp loại – mức", "", "choice", "nomination", 28, Rating),
    Field(
        "discipline.under_review",
        "Kỷ luật – đang xem xét",
        "Đang trong thời gian xem xét kỷ luật; để trống là Không.",
        "bool",
        width=12,
    ),
    Field(
        "discipline.active.form",
        "Kỷ luật – hình thức",
        "Khiển trách, cảnh cáo …; để trống nếu không bị kỷ luật.",
        required="section",
        width=14,
    ),
    Field("discipline.active.decided", "Kỷ luật – ngày quyết định", "", "date", "section", 13),
    Field(
        "discipline.active.until",
        "Kỷ luật – đến ngày",
        "Ngày cuối cùng còn hiệu lực.",
        "date",
        width=13,
    ),
    Field(
        "exit_restricted",
        "Chưa được xuất cảnh",
        "Có nếu thuộc trường hợp chưa được xuất cảnh.",
        "bool",
        "nomination",
        12,
    ),
    Field("health_fit", "Đủ sức khỏe", "", "bool", "nomination", 10),
    Field(
        "interview_passed",
        "Đạt phỏng vấn",
        "Khóa trung hạn; để trống nếu chưa phỏng vấn.",
        "bool",
        width=11,
    ),
    Field("leadership_term_end", "Hết thời hạn giữ chức vụ", "", "date", width=13),
    Field(
        "cadre_group",
        "Đối tượng (khóa ngắn hạn)",
        "Nhóm đối tượng của khóa ngắn hạn.",
        "choice",
        width=30,
        enum=CadreGroup,
    ),
    Field("commitment.date", "Ngày ký bản cam kết", "", "date", "nomination", 13),
)

# after the review columns, which sit between the person's data and these
_CANDIDATE_TAIL: tuple[Field, ...] = (
    Field(
        "exception.rules",
        "Ngoại lệ – các điều kiện",
        "Đề nghị cử dù chưa đạt điều kiện: mã các điều kiện (IV.2.1.a).",
        "rules",
        "section",
        14,
    ),
    Field(
        "exception.reason",
        "Ngoại lệ – lý do",
        "Ý kiến của cấp có thẩm quyền.",
        required="section",
        width=30,
    ),
    Field(
        "signed_commitment",
        "Bản cam kết đã ký (tệp scan)",
        "Tệp PDF/JPG/PNG của bản cam kết đã ký tay, đường dẫn so với thư mục của bảng tính.",
        "path",
        width=22,
    ),
)

REVIEW_PREFIX = "Đánh giá"
_REVIEW_RE = re.compile(rf"^{REVIEW_PREFIX}\s+([A-Za-z0-9][A-Za-z0-9._]*)")

HISTORY_FIELDS: tuple[Field, ...] = (
    Field("id", "Mã ứng viên", "Mã ở trang Ứng viên.", required=True, width=12),
    Field("year", "Năm", "Năm tham gia khóa bồi dưỡng theo Kết luận 39.", "int", True, 8),
    Field("type", "Loại khóa", "", "choice", True, 12, CourseType),
    Field("title", "Tên khóa", "", width=60),
)

ATTACHMENT_FIELDS: tuple[Field, ...] = (
    Field("id", "Mã ứng viên", "Mã ở trang Ứng viên.", required=True, width=12),
    Field("title", "Tên tài liệu", "Chứng chỉ IELTS, Sơ yếu lý lịch …", required=True, width=40),
    Field(
        "file",
        "Tệp",
        "PDF, JPG hoặc PNG; đường dẫn so với thư mục của bảng tính.",
        "path",
        True,
        40,
    ),
)

REPORT_FIELDS: tuple[Field, ...] = (
    Field("id", "Mã ứng viên", "Mã ở trang Ứng viên.", required=True, width=12),
    Field("date", "Ngày báo cáo", "Sau ngày về nước.", "date", True, 13),
    Field("departure_date", "Ngày xuất cảnh", "", "date", True, 13),
    Field("return_date", "Ngày về nước", "", "date", True, 13),
    Field("decision", "Quyết định cử đi", "Nếu báo cáo cần trích dẫn quyết định.", width=16),
    Field("completion", "Kết quả học tập", "Hoàn thành khóa học …", required=True, width=30),
    Field("certificate", "Văn bằng, chứng chỉ", "", width=24),
    Field("modules", "Nội dung đã học", "", "lines", width=40),
    Field("lessons", "Bài học kinh nghiệm", "", "lines", width=40),
    Field("proposals", "Đề xuất, kiến nghị", "", "lines", width=40),
    Field("security.classified_documents_carried", "Mang theo tài liệu mật", "", "bool", True, 12),
    Field(
        "security.foreign_contacts", "Quan hệ, tiếp xúc với nước ngoài", "", required=True, width=30
    ),
    Field("security.gifts_or_invitations", "Quà tặng, lời mời", "", required=True, width=20),
    Field("security.violations", "Vi phạm", "", required=True, width=16),
)

CANDIDATE_FIELDS = _CANDIDATE_BASE + _CANDIDATE_TAIL


def review_field(rule_id: str, title: str | None = None) -> Field:
    """The column of a reviewer's note for one rule: ``Đánh giá IV.1.d – Nội dung …``."""
    label = f"{REVIEW_PREFIX} {rule_id}" + (f" – {title}" if title else "")
    return Field(
        f"reviewed.{rule_id}",
        label,
        f"Ghi nhận của người xem xét cho điều kiện {rule_id}"
        + (f" ({title})" if title else "")
        + ": để trống nếu chưa xem xét. Điều kiện cần người xem xét chỉ đạt khi có "
        "ghi nhận này.",
        width=30,
    )


def review_rule_of(header: str) -> str | None:
    """The rule id of a review column's header (``Đánh giá IV.1.d – …`` → ``IV.1.d``)."""
    m = _REVIEW_RE.match(" ".join(unicodedata.normalize("NFC", header).split()))
    return m.group(1).rstrip(".") if m else None


def review_rule_ids(
    course_type: CourseType | None, present: tuple[str, ...] = ()
) -> list[tuple[str, str | None]]:
    """The rules that get a review column: those of the course that can end in ``review``
    (they need a person's note to pass), then any other rule id the data already holds."""
    from ..rules import all_rules

    found: list[tuple[str, str | None]] = []
    for r in all_rules():
        if course_type is not None and not r.applies_to(course_type):
            continue
        try:
            may_review = "Outcome.review" in inspect.getsource(r.evaluate)
        except (OSError, TypeError):  # no source (a frozen build): offer every rule
            may_review = True
        if may_review or r.id in present:
            found.append((r.id, r.title))
    known = {rid for rid, _ in found}
    titles = {r.id: r.title for r in all_rules()}
    found += [(rid, titles.get(rid)) for rid in present if rid not in known]
    return found


def candidate_fields(review: list[tuple[str, str | None]]) -> tuple[Field, ...]:
    """The columns of ``Ứng viên``: the person, one column per review rule, the exception."""
    return (
        _CANDIDATE_BASE + tuple(review_field(rid, title) for rid, title in review) + _CANDIDATE_TAIL
    )


def header_key(text: str) -> str:
    """How a header is matched: NFC, any case, spaces collapsed, the required ``*`` ignored."""
    text = unicodedata.normalize("NFC", text).replace("*", " ")
    return " ".join(text.casefold().split())


def choice_labels(f: Field) -> tuple[str, ...]:
    """The labels a drop-down offers for ``f``."""
    from ..dossier.model import CHOICE_LABELS

    if f.kind == "choice" and f.enum is not None:
        return tuple(CHOICE_LABELS[f.enum].values())
    if f.kind == "bool":
        return tuple(BOOL_LABELS.values())
    if f.kind == "purpose":
        return tuple(PURPOSE_LABELS.values())
    if f.kind == "authority":
        return AUTHORITIES
    return ()


ROW_LINE_PT = 15  # a row's height per line of wrapped text (Calibri 11, Excel's default row)


def lines_needed(value: Any, width: float) -> int:
    """How many lines ``value`` takes in a wrapped cell of a column ``width`` characters wide,
    by counting characters (a Vietnamese line of Calibri 11 holds about 1.1 characters per unit
    of width). Rows are given their height from it: LibreOffice does not grow a row for wrapped
    text when it opens a workbook (Excel does, but not once a row's height is set)."""
    if not isinstance(value, str):
        return 1
    per_line = max(int(width * 1.1), 8)
    return sum(max(1, -(-len(line) // per_line)) for line in value.split("\n"))
