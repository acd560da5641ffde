"""The dossier: everything a run needs, as pydantic models mirroring ``dossier.example.yaml``.

Field names are the public input contract. Models are strict about unknown keys (a typo in a
field name is an error, not a silently ignored value) and carry the cross-field checks that make a
dossier impossible (a course that ends before it starts, duplicate CCCD …). Error messages raised
here are Vietnamese; ``loader`` adds the field path and the YAML line.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
import unicodedata
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "Dossier",
    "Issuer",
    "Department",
    "Course",
    "CourseType",
    "Notice",
    "Signer",
    "CoverLetter",
    "Submission",
    "CommitmentSettings",
    "Documents",
    "Signing",
    "Pkcs11",
    "Candidate",
    "Attachment",
    "Gender",
    "PositionLevel",
    "Rating",
    "ForeignLanguage",
    "Evaluation",
    "Discipline",
    "ActiveDiscipline",
    "K39Course",
    "Commitment",
    "ReturnReport",
    "SecurityCompliance",
    "PartialDate",
    "Purpose",
    "CadreGroup",
    "Decision",
    "EligibilityException",
    "EligibilityReportSettings",
    "CHOICE_LABELS",
    "choice_label",
    "COURSE_TYPE_NAMES",
    "CADRE_GROUP_NAMES",
    "RATING_NAMES",
    "POSITION_LEVEL_NAMES",
]


def _error(code: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(code, message, ctx or None)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_number_for_a_date(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic would read a number as a Unix timestamp (0 → 1970-01-01); in a date field a
        # number is an Excel serial date or a slip, never the intended day
        if (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and info.field_name in _date_fields(cls)
        ):
            raise _error(
                "date_number",
                "phải là ngày dạng YYYY-MM-DD, không phải số {value} "
                "(ô Excel định dạng số? hãy chép lại ngày dạng YYYY-MM-DD)",
                value=value if abs(value) < 10**15 else "rất lớn",
            )
        return value


VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")  # Vietnam's time: UTC+07:00 all year


def _today_in_vietnam() -> dt.date:
    """Today in Vietnam: the earliest day a draft can be issued, so what its missing date is
    compared with (the rules, the year printed in its blank date line). Asked of the clock each
    time: a service runs for days (a remembered day would print last year's year after the new
    year)."""
    return dt.datetime.now(VIETNAM_TZ).date()


today_in_vietnam = _today_in_vietnam


def _date_fields(model: type[BaseModel]) -> frozenset[str]:
    """Names of the fields of ``model`` typed ``date`` or ``date | None``."""

    def is_date(annotation: Any) -> bool:
        if annotation is dt.date:
            return True
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            return dt.date in typing.get_args(annotation)
        return False

    return frozenset(name for name, f in model.model_fields.items() if is_date(f.annotation))


# --- partial dates ----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class PartialDate:
    """A birth date as the personnel record has it: year, year-month, or a full date."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def earliest(self) -> dt.date:
        """The date the rules use: 01/01 for a bare year, day 01 for year-month (domain §3)."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def display(self) -> str:
        """As printed in documents: 12/04/1975, 11/1980 or 1975."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.month:02d}/{self.year:04d}"
        return f"{self.day:02d}/{self.month:02d}/{self.year:04d}"


_PARTIAL_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _parse_partial_date(value: Any) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        m = _PARTIAL_RE.match(value.strip())
        if m:
            year = int(m.group(1))
            month, day = (int(g) if g else None for g in m.groups()[1:])
            try:
                dt.date(year, month or 1, day or 1)
            except ValueError:
                pass
            else:
                return PartialDate(year, month, day)
    raise _error(
        "partial_date",
        "ngày sinh không hợp lệ: ghi YYYY-MM-DD, YYYY-MM hoặc YYYY (ví dụ 1975-04-12)",
    )


Birth = Annotated[
    PartialDate,
    BeforeValidator(_parse_partial_date),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": ["string", "integer"],
            "pattern": r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$",
            "description": "YYYY-MM-DD, YYYY-MM or YYYY",
        }
    ),
]

Text = Annotated[str, Field(min_length=1)]


# --- enumerations -----------------------------------------------------------------------------


def _choice_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _choice(enum: type[Enum], labels: dict[Any, str], *aliases: dict[Any, str]) -> Any:
    """A BeforeValidator for a choice field: the code (``nu``) or its Vietnamese label (``Nữ``),
    any case; anything else is refused with the labels and codes a clerk may write."""
    table: dict[str, Any] = {}
    for member in enum:
        table[_choice_key(member.value)] = member
    for names in (labels, *aliases):
        for member, label in names.items():
            table[_choice_key(label)] = member

    def parse(value: Any) -> Any:
        if isinstance(value, enum):
            return value
        if isinstance(value, str):
            found = table.get(_choice_key(value))
            if found is not None:
                return found
        shown = f"“{value}”" if isinstance(value, str) else repr(value)
        choices = "; ".join(f"{labels[m]} ({m.value})" for m in enum)
        raise _error(
            "choice",
            "giá trị {value} không hợp lệ; phải là một trong: {choices}",
            value=shown if len(shown) <= 60 else shown[:57] + "…",
            choices=choices,
        )

    return BeforeValidator(parse)


class CourseType(str, Enum):
    ngan_han = "ngan_han"
    trung_han = "trung_han"
    ngoai_ngu = "ngoai_ngu"


COURSE_TYPE_NAMES = {
    CourseType.ngan_han: "bồi dưỡng ngắn hạn",
    CourseType.trung_han: "bồi dưỡng trung hạn",
    CourseType.ngoai_ngu: "bồi dưỡng ngoại ngữ",
}


class Gender(str, Enum):
    nam = "nam"
    nu = "nu"


class PositionLevel(str, Enum):
    cap_tinh = "cap_tinh"
    cap_so = "cap_so"
    cap_phong = "cap_phong"
    khong_lanh_dao = "khong_lanh_dao"


POSITION_LEVEL_NAMES = {
    PositionLevel.cap_tinh: "lãnh đạo cấp tỉnh",
    PositionLevel.cap_so: "lãnh đạo cấp sở và tương đương",
    PositionLevel.cap_phong: "lãnh đạo cấp phòng",
    PositionLevel.khong_lanh_dao: "không giữ chức vụ lãnh đạo",
}


class Rating(str, Enum):
    hoan_thanh_xuat_sac = "hoan_thanh_xuat_sac"
    hoan_thanh_tot = "hoan_thanh_tot"
    hoan_thanh = "hoan_thanh"
    khong_hoan_thanh = "khong_hoan_thanh"


RATING_NAMES = {
    Rating.hoan_thanh_xuat_sac: "Hoàn thành xuất sắc nhiệm vụ",
    Rating.hoan_thanh_tot: "Hoàn thành tốt nhiệm vụ",
    Rating.hoan_thanh: "Hoàn thành nhiệm vụ",
    Rating.khong_hoan_thanh: "Không hoàn thành nhiệm vụ",
}


class CadreGroup(str, Enum):
    """Who a short course (ngắn hạn) is for: the target groups of the Quy chế (QC.3.ngan_han)."""

    bct_bbt = "bct_bbt"
    uv_btv_tinh_uy = "uv_btv_tinh_uy"
    lanh_dao_tong_cuc_cuc = "lanh_dao_tong_cuc_cuc"
    khac = "khac"


CADRE_GROUP_NAMES = {
    CadreGroup.bct_bbt: "Cán bộ thuộc diện Bộ Chính trị, Ban Bí thư quản lý",
    CadreGroup.uv_btv_tinh_uy: "Ủy viên Ban Thường vụ Tỉnh ủy, Thành ủy",
    CadreGroup.lanh_dao_tong_cuc_cuc: "Lãnh đạo tổng cục, cục, vụ và tương đương ở Trung ương",
    CadreGroup.khac: "Không thuộc các nhóm trên",
}

GENDER_NAMES = {Gender.nam: "Nam", Gender.nu: "Nữ"}
# the short labels a clerk picks in a sheet; COURSE_TYPE_NAMES is how running text says it
COURSE_TYPE_LABELS = {
    CourseType.ngan_han: "Ngắn hạn",
    CourseType.trung_han: "Trung hạn",
    CourseType.ngoai_ngu: "Ngoại ngữ",
}
POSITION_LEVEL_LABELS = {k: v[0].upper() + v[1:] for k, v in POSITION_LEVEL_NAMES.items()}

# every choice field's labels, by enum: what messages, workbooks and forms show
CHOICE_LABELS: dict[type[Enum], dict[Any, str]] = {
    Gender: GENDER_NAMES,
    CourseType: COURSE_TYPE_LABELS,
    PositionLevel: POSITION_LEVEL_LABELS,
    Rating: RATING_NAMES,
    CadreGroup: CADRE_GROUP_NAMES,
}


def choice_label(value: Enum) -> str:
    """The Vietnamese label of a choice value: ``Gender.nu`` → ``Nữ``."""
    return CHOICE_LABELS[type(value)][value]


GenderChoice = Annotated[Gender, _choice(Gender, GENDER_NAMES)]
CourseTypeChoice = Annotated[CourseType, _choice(CourseType, COURSE_TYPE_LABELS, COURSE_TYPE_NAMES)]
PositionLevelChoice = Annotated[PositionLevel, _choice(PositionLevel, POSITION_LEVEL_LABELS)]
RatingChoice = Annotated[Rating, _choice(Rating, RATING_NAMES)]
CadreGroupChoice = Annotated[CadreGroup, _choice(CadreGroup, CADRE_GROUP_NAMES)]
Purpose = Literal["nomination", "return"]

Authority = Literal["TM.", "KT.", "Q.", "TL.", "TUQ.", ""]


# --- the issuing side -------------------------------------------------------------------------


class Issuer(_Model):
    """Cơ quan ban hành công văn gửi Trung ương (UBND tỉnh)."""

    name: Text
    short_name: Text
    code: Text
    place: Text
    address: str | None = None
    phone: str | None = None
    email: str | None = None


class Department(_Model):
    """Cơ quan tham mưu (Sở Nội vụ) that signs the Tờ trình."""

    name: Text
    parent: str | None = None
    code: Text
    place: Text


class Notice(_Model):
    number: Text
    date: dt.date
    issuer: Text


class Decision(_Model):
    """Quyết định cử đi bồi dưỡng, which the participants' reports cite (return dossiers)."""

    number: Text  # "1234/QĐ-UBND"
    date: dt.date
    issuer: Text


class Course(_Model):
    type: CourseTypeChoice
    title: Text
    topic_group: int = Field(ge=1, le=4)
    language: Text
    country: Text
    institution: Text
    start_date: dt.date
    end_date: dt.date
    estimated_cost_per_person: int | None = Field(default=None, ge=0)
    required_language_level: str | None = None  # IV.2.2.b, ngoai_ngu
    notice: Notice
    decision: Decision | None = None  # return dossiers: the decision that sent the participants

    @model_validator(mode="after")
    def _ends_after_start(self) -> Course:
        if self.end_date < self.start_date:
            raise _error(
                "course_dates",
                "ngày kết thúc khóa học ({end}) trước ngày bắt đầu ({start})",
                end=self.end_date.isoformat(),
                start=self.start_date.isoformat(),
                at="end_date",
            )
        return self


class Signer(_Model):
    """Who signs, and with which authority (ND30 ô 7a: TM./KT./Q./TL./TUQ.)."""

    authority: Authority = ""
    organ: str | None = None  # "ỦY BAN NHÂN DÂN" after TM.
    deputy: str | None = None  # "KT. CHỦ TỊCH", second line under TM.
    title: Text  # chức vụ of the person who signs, or of the head they sign for
    deputy_title: str | None = None  # with KT./TL./TUQ. and no organ: the signer's own title
    name: Text

    @field_validator("authority", mode="before")
    @classmethod
    def _normalise_authority(cls, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, str) and value.strip() and not value.strip().endswith("."):
            return value.strip() + "."
        return value

    @model_validator(mode="after")
    def _complete(self) -> Signer:
        if self.authority in ("KT.", "TL.", "TUQ.") and not self.organ and not self.deputy_title:
            raise _error(
                "signer_deputy",
                "ký {authority} thì phải có `deputy_title` (chức vụ của người ký)",
                authority=self.authority,
                at="deputy_title",
            )
        return self

    def block_lines(self) -> list[str]:
        """The capitalised authority/title lines of the signature block, top to bottom."""
        if self.organ:
            lines = [f"{self.authority} {self.organ}".strip()]
            if self.deputy:
                lines.append(self.deputy)
            lines.append(self.title)
        elif self.authority:
            lines = [f"{self.authority} {self.title}"]
            if self.deputy_title:
                lines.append(self.deputy_title)
        else:
            lines = [self.title]
        return lines


class CoverLetter(_Model):
    """Công văn của UBND tỉnh gửi Cơ quan Thường trực Ban Chỉ đạo Trung ương."""

    # both left out in a draft: the văn thư gives them at issuance (the papers print blanks)
    number: int | None = Field(default=None, ge=1)
    unit_code: Text
    date: dt.date | None = None
    recipients: list[Text] = Field(min_length=1)
    signer: Signer
    copies_to: list[Text] = Field(default_factory=list)
    archive: Text


class EligibilityReportSettings(_Model):
    """The Sở's working paper (Kết quả rà soát): who prepared it."""

    prepared_by: str | None = None  # người lập (the specialist who did the review)


class Submission(_Model):
    """Tờ trình của Sở Nội vụ trình UBND tỉnh."""

    number: int | None = Field(default=None, ge=1)  # left out in a draft, as the công văn's
    date: dt.date | None = None
    signer: Signer
    copies_to: list[Text] = Field(default_factory=list)
    archive: Text


class CommitmentSettings(_Model):
    """The clause list of the Bản cam kết, configurable per dossier (domain §5)."""

    clauses: list[Text] | None = None


class Documents(_Model):
    cover_letter: CoverLetter
    submission: Submission | None = None  # a nomination needs it; a return dossier has none
    commitment: CommitmentSettings = Field(default_factory=CommitmentSettings)
    eligibility_report: EligibilityReportSettings = Field(default_factory=EligibilityReportSettings)

    @model_validator(mode="after")
    def _submission_first(self) -> Documents:
        letter, sub = self.cover_letter.date, self.submission
        if sub is not None and letter is not None and sub.date is not None and letter < sub.date:
            raise _error(
                "document_dates",
                "ngày công văn ({cl}) trước ngày tờ trình ({sub}) của Sở Nội vụ",
                cl=letter.isoformat(),
                sub=sub.date.isoformat(),
                at="cover_letter.date",
            )
        return self

    @property
    def draft(self) -> bool:
        """A draft: a number or date the văn thư gives at issuance is still missing (the công
        văn's, or the Tờ trình's that it follows). A draft is never signed."""
        papers: list[CoverLetter | Submission] = [self.cover_letter]
        if self.submission is not None:
            papers.append(self.submission)
        return any(p.number is None or p.date is None for p in papers)


class Pkcs11(_Model):
    library: Text
    token: Text
    key_label: Text
    cert_label: str | None = None
    pin_env: Text


class Signing(_Model):
    """How the final dossier is signed. Secrets never live here: only the names of env vars."""

    demo: bool = False
    pkcs12: Path | None = None
    passphrase_env: str | None = None
    pkcs11: Pkcs11 | None = None
    signature_image: Path | None = None
    seal_image: Path | None = None
    tsa_url: str | None = None

    @model_validator(mode="after")
    def _one_key_source(self) -> Signing:
        sources = [s for s in ("demo", "pkcs12", "pkcs11") if getattr(self, s)]
        if len(sources) > 1:
            raise _error(
                "signing_sources",
                "chỉ chọn một nguồn khóa ký: {sources}",
                sources=", ".join(sources),
            )
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.demo or self.pkcs12 or self.pkcs11)


# --- candidates -------------------------------------------------------------------------------


class ForeignLanguage(_Model):
    language: Text
    certificate: str | None = None
    score: str | None = None
    issued: dt.date | None = None

    @field_validator("score", mode="before")
    @classmethod
    def _score_as_text(cls, value: Any) -> Any:
        return (
            str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
        )


class Evaluation(_Model):
    year: int = Field(ge=1990, le=2100)
    rating: RatingChoice


class ActiveDiscipline(_Model):
    form: Text  # khiển trách, cảnh cáo, cách chức …
    decided: dt.date
    until: dt.date | None = None


class Discipline(_Model):
    under_review: bool = False
    active: ActiveDiscipline | None = None


class K39Course(_Model):
    year: int = Field(ge=2022, le=2100)
    type: CourseTypeChoice
    title: str | None = None


class Commitment(_Model):
    date: dt.date


class EligibilityException(_Model):
    """A candidate the province proposes although some conditions are not met: the rules and
    the province's reason. Only the Steering Committee's leaders can decide on it (Quy chế
    Điều 3), so the papers ask them to; they never present it as granted."""

    rules: list[Text] = Field(min_length=1)  # rule ids: ["IV.2.1.a"]
    reason: Text


class SecurityCompliance(_Model):
    classified_documents_carried: bool
    foreign_contacts: Text
    gifts_or_invitations: Text
    violations: Text


class ReturnReport(_Model):
    date: dt.date
    departure_date: dt.date
    return_date: dt.date
    decision: str | None = None  # quyết định cử đi, if the report should cite it
    completion: Text
    certificate: str | None = None
    modules: list[Text] = Field(default_factory=list)
    lessons: list[Text] = Field(default_factory=list)
    proposals: list[Text] = Field(default_factory=list)
    security: SecurityCompliance

    @model_validator(mode="after")
    def _returns_after_departure(self) -> ReturnReport:
        if self.return_date < self.departure_date:
            raise _error(
                "return_dates",
                "ngày về nước ({ret}) trước ngày xuất cảnh ({dep})",
                ret=self.return_date.isoformat(),
                dep=self.departure_date.isoformat(),
                at="return_date",
            )
        if self.date < self.return_date:
            raise _error(
                "report_date",
                "ngày báo cáo ({rep}) trước ngày về nước ({ret})",
                rep=self.date.isoformat(),
                ret=self.return_date.isoformat(),
                at="date",
            )
        return self


class Attachment(_Model):
    """A supporting paper the clerk scanned (a certificate, the sơ yếu lý lịch): it goes into
    dossier.pdf after the person's Bản cam kết, with its own bookmark and contents line."""

    title: Text = Field(max_length=150)  # as the contents page and the công văn name it
    file: Path  # PDF, JPG or PNG; relative to the dossier file


# the candidate fields a nomination cannot do without (optional in a return dossier)
NOMINATION_FIELDS = ("education", "evaluation", "exit_restricted", "health_fit", "commitment")

_CCCD_RE = re.compile(r"^\d{12}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class Candidate(_Model):
    id: str
    full_name: Text = Field(max_length=100)
    gender: GenderChoice
    birth_date: Birth
    ethnicity: str | None = None
    id_number: str
    party_member: bool
    position: Text
    position_level: PositionLevelChoice
    agency: Text
    work_field: str | None = None
    planned_position: str | None = None
    # required in a nomination (``Dossier`` checks them); a return dossier needs none of them
    education: str | None = Field(default=None, min_length=1)
    political_theory: str | None = None
    foreign_language: ForeignLanguage | None = None
    evaluation: Evaluation | None = None
    discipline: Discipline = Field(default_factory=Discipline)
    exit_restricted: bool | None = None
    health_fit: bool | None = None
    interview_passed: bool | None = None
    leadership_term_end: dt.date | None = None
    cadre_group: CadreGroupChoice | None = None  # QC.3.ngan_han: who a short course is for
    k39_history: list[K39Course] = Field(default_factory=list)
    reviewed: dict[str, Text] = Field(default_factory=dict)
    exception: EligibilityException | None = None
    commitment: Commitment | None = None
    return_report: ReturnReport | None = None
    # the clerk's scans (k39docs.scans): the wet-signed Bản cam kết, which replaces the generated
    # one in dossier.pdf, and supporting papers placed after it; paths relative to the dossier
    signed_commitment: Path | None = None
    attachments: list[Attachment] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_is_a_slug(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise _error(
                "candidate_id",
                "mã ứng viên chỉ gồm chữ thường không dấu, số, '-' hoặc '_' (tối đa 40 ký tự)",
            )
        return value

    @field_validator("id_number", mode="before")
    @classmethod
    def _cccd(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            raise _error(
                "cccd_quote",
                'số CCCD phải đặt trong dấu ngoặc kép ("051075001234") để giữ số 0 ở đầu',
            )
        if isinstance(value, str) and not _CCCD_RE.match(value.strip()):
            raise _error("cccd", "số CCCD phải gồm đúng 12 chữ số")
        return value


class Dossier(_Model):
    """One nomination dossier: the course, the issuing bodies, the documents and the nominees."""

    schema_version: Literal[1]
    purpose: Purpose = "nomination"
    id: str
    issuer: Issuer
    department: Department
    course: Course
    legal_basis: list[Text] | None = None
    documents: Documents
    signing: Signing = Field(default_factory=Signing)
    candidates: list[Candidate] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id_is_a_folder_name(cls, value: str) -> str:
        if not re.match(r"^[a-z0-9][a-z0-9._-]{0,79}$", value):
            raise _error(
                "dossier_id",
                "mã hồ sơ dùng làm tên thư mục: chỉ chữ thường không dấu, số, '.', '-', '_'",
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Dossier:
        # ``at`` names the offending field so the loader can point at its YAML line.
        seen_ids: dict[str, int] = {}
        seen_cccd: dict[str, int] = {}
        for i, c in enumerate(self.candidates):
            if c.id in seen_ids:
                raise _error(
                    "duplicate_id",
                    "mã ứng viên `{value}` trùng với candidates[{first}]",
                    at=f"candidates[{i}].id",
                    value=c.id,
                    first=seen_ids[c.id],
                )
            seen_ids[c.id] = i
            if c.id_number in seen_cccd:
                raise _error(
                    "duplicate_cccd",
                    "số CCCD {value} trùng với candidates[{first}]",
                    at=f"candidates[{i}].id_number",
                    value=c.id_number,
                    first=seen_cccd[c.id_number],
                )
            seen_cccd[c.id_number] = i
            if c.birth_date.earliest >= self.course.start_date:
                raise _error(
                    "birth_after_start",
                    "ngày sinh {value} không trước ngày bắt đầu khóa học",
                    at=f"candidates[{i}].birth_date",
                    value=str(c.birth_date),
                )
        if self.purpose == "return":
            self._check_return()
        else:
            self._check_nomination()
        return self

    def _check_nomination(self) -> None:
        """A nomination needs the Tờ trình and every field the rules and papers read; it carries
        no report on a past course (those are a return dossier of their own)."""
        missing = [] if self.documents.submission is not None else ["documents.submission"]
        for i, c in enumerate(self.candidates):
            missing += [
                f"candidates[{i}].{name}" for name in NOMINATION_FIELDS if getattr(c, name) is None
            ]
        if missing:
            more = f" (còn thiếu: {', '.join(missing[1:6])}{' …' if len(missing) > 6 else ''})"
            raise _error(
                "nomination_field",
                "thiếu trường bắt buộc của hồ sơ đề cử (purpose: nomination){more}",
                at=missing[0],
                more=more if len(missing) > 1 else "",
            )
        for i, c in enumerate(self.candidates):
            if c.return_report is not None:
                raise _error(
                    "report_in_nomination",
                    "hồ sơ đề cử (purpose: nomination) không kèm báo cáo kết quả học tập; báo cáo "
                    "sau khóa học lập thành một hồ sơ riêng với `purpose: return` (xem "
                    "dossier.return.example.yaml), về đúng khóa học đã kết thúc",
                    at=f"candidates[{i}].return_report",
                )

    def _check_return(self) -> None:
        """A return dossier forwards one report per participant, on a course that has ended,
        with a công văn dated after every report it forwards."""
        # a draft's letter is dated at issuance, today at the earliest: compared with today
        letter = self.documents.cover_letter.date or _today_in_vietnam()
        if self.course.end_date > letter:
            raise _error(
                "course_not_ended",
                "hồ sơ báo cáo (purpose: return) là về khóa học đã kết thúc, nhưng khóa học kết "
                "thúc ngày {end}, sau ngày công văn {letter}",
                at="course.end_date",
                end=self.course.end_date.isoformat(),
                letter=letter.isoformat(),
            )
        for i, c in enumerate(self.candidates):
            if c.signed_commitment is not None:
                raise _error(
                    "commitment_in_return",
                    "hồ sơ báo cáo (purpose: return) không kèm bản cam kết; bỏ trường này, hoặc "
                    "đưa bản scan vào `attachments`",
                    at=f"candidates[{i}].signed_commitment",
                )
            report = c.return_report
            if report is None:
                raise _error(
                    "report_missing",
                    "hồ sơ báo cáo (purpose: return) cần báo cáo kết quả học tập của từng người",
                    at=f"candidates[{i}].return_report",
                )
            if report.return_date < self.course.end_date:
                raise _error(
                    "return_before_end",
                    "ngày về nước ({ret}) trước ngày kết thúc khóa học ({end}): báo cáo phải về "
                    "đúng khóa học ghi ở mục `course`",
                    at=f"candidates[{i}].return_report.return_date",
                    ret=report.return_date.isoformat(),
                    end=self.course.end_date.isoformat(),
                )
            if report.date > letter:
                raise _error(
                    "report_after_letter",
                    "ngày báo cáo ({rep}) sau ngày công văn gửi kèm nó ({letter})",
                    at=f"candidates[{i}].return_report.date",
                    rep=report.date.isoformat(),
                    letter=letter.isoformat(),
                )

    def candidate(self, candidate_id: str) -> Candidate:
        for c in self.candidates:
            if c.id == candidate_id:
                return c
        raise KeyError(candidate_id)
