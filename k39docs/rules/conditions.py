"""The eligibility conditions of the plan (Mục IV, V) and the Quy chế (Điều 3), one function each.

Each function is registered with ``@rule``: its id, a short title, where it stands in the plan
(``unit``), the plan's words for it (``clause``, verbatim from the plan the province signed,
shared/spec/ke-hoach-trien-khai.txt; a test holds every clause to it), what it adds from the
Quy chế (``also``, our summary with its own citation) and the course types it applies to. The function's docstring says
how it decides; its messages state the facts used, so a clerk can check them against the file.

Decisions the spec leaves open, and what is done here:

* Time checks (IV.2.1.a, IV.2.2.a) count whole months from the course start to the end date,
  as the documents print them ("từ 01/03/2027 đến 30/04/2037: 121 tháng"). Service runs to the end of
  the end date, so the condition holds when the candidate is still in post through the day before
  ``start + N months``. Less than one month beyond that is ``review``; short of it is ``fail``.
* Nghị định 83/2022/NĐ-CP (amended by 99/2024): at province level it lists posts such as Phó Bí
  thư Tỉnh ủy and Chủ tịch HĐND / UBND tỉnh, all ``cap_tinh``. So a time check that fails for a
  woman at ``cap_tinh`` whose normal retirement age is under 60, and that would hold if she
  retired at 60, is ``review`` instead of ``fail``. A reviewer's note can then make it ``pass``.
* IV.1.a also asks for a recent evaluation: one older than the year before the cover letter is
  ``review``.
* IV.1.b: every disciplinary form in the laws on cán bộ, công chức, viên chức and in the Party's
  rules is khiển trách or heavier; "nhắc nhở" / "phê bình" are not disciplines. An unknown form,
  or an active discipline with no end date, is ``review``. ``until`` is the last day in force.
* IV.1.f: a previous K39 course in the year before or the year after the new course's year is a
  fail (consecutive years), as is a third course in one year, or a second ``ngan_han``.
* IV.2.1.a for ``ngan_han`` (18 months) as well as ``trung_han`` (24); a candidate who holds no
  leadership post fails it.
* IV.2.1.b: no language recorded, or no certificate, is ``review``; a different language from
  the course's is ``fail``. Certificate age is not checked.
* IV.2.1.c: the selection interview comes after the nomination, so no result yet is
  ``pending`` (it does not block); a recorded result passes or fails.
* QC.3.ngan_han: the plan's Mục V.2 names no target group for ngắn hạn; the Quy chế does, and
  ``cadre_group`` says which one the candidate is in (missing: ``review``; ``khac``: ``fail``).
* V.2.2: ``work_field`` is free text; it passes when it names a field of the list and is
  ``review`` otherwise (missing or not recognised), never ``fail``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from ..dossier.model import (
    CADRE_GROUP_NAMES,
    COURSE_TYPE_NAMES,
    POSITION_LEVEL_NAMES,
    RATING_NAMES,
    CadreGroup,
    Candidate,
    Course,
    CourseType,
    Dossier,
    Gender,
    PositionLevel,
    Rating,
    today_in_vietnam,
)
from ..dossier.retirement import (
    add_months,
    candidate_retirement_date,
    leadership_end_date,
    whole_months_between,
)
from ..vietnamese.numbers import counted
from ..vietnamese.text import decimal_comma, language_line, language_name, position_at
from .base import QUY_CHE_DIEU_3, Also, Outcome, rule
from .language import compare_levels, parse_level, same_language

__all__ = [
    "TOPIC_GROUP_NAMES",
    "WORK_FIELDS",
    "LEADERSHIP_MONTHS_REQUIRED",
    "SERVICE_MONTHS_REQUIRED",
    "SHORT_COURSE_GROUPS",
    "work_field_matches",
]

TOPIC_GROUP_NAMES = {
    1: "Tổ chức bộ máy nhà nước, quốc phòng - an ninh và đối ngoại",
    2: "Chính sách phát triển bền vững, kinh tế, khoa học công nghệ và "
    "Cách mạng công nghiệp lần thứ 4",
    3: "Xây dựng pháp luật và hoạt động tư pháp",
    4: "Kỹ năng lãnh đạo, quản lý",
}

LEADERSHIP_MONTHS_REQUIRED = {CourseType.trung_han: 24, CourseType.ngan_han: 18}
SERVICE_MONTHS_REQUIRED = 24

# QC.3.ngan_han: the groups a short course is for
SHORT_COURSE_GROUPS = (
    CadreGroup.bct_bbt,
    CadreGroup.uv_btv_tinh_uy,
    CadreGroup.lanh_dao_tong_cuc_cuc,
)

# V.2.2: the fields of the plan, each with the words that identify it in a free-text work_field
WORK_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("đối ngoại, ngoại vụ", ("đối ngoại", "ngoại vụ")),
    ("hợp tác quốc tế, an ninh - quốc phòng", ("hợp tác quốc tế", "an ninh", "quốc phòng")),
    (
        "đầu tư, xúc tiến thương mại, du lịch, quản lý khu kinh tế, khu công nghiệp",
        (
            "đầu tư",
            "xúc tiến thương mại",
            "xúc tiến đầu tư",
            "du lịch",
            "khu kinh tế",
            "khu công nghiệp",
        ),
    ),
    (
        "thông tin, tuyên truyền, truyền thông đối ngoại",
        (
            "thông tin đối ngoại",
            "thông tin và truyền thông",
            "thông tin, tuyên truyền",
            "tuyên truyền",
            "truyền thông",
        ),
    ),
    ("nghiên cứu giảng dạy tại cao đẳng, đại học", ("giảng dạy", "cao đẳng", "đại học")),
    ("công việc có yếu tố nước ngoài", ("yếu tố nước ngoài", "nước ngoài", "quốc tế")),
)

# IV.1.b: disciplinary forms, all khiển trách or heavier; and measures that are not disciplines
_DISCIPLINE_FORMS = (
    "khiển trách",
    "cảnh cáo",
    "hạ bậc lương",
    "hạ ngạch",
    "giáng chức",
    "cách chức",
    "bãi nhiệm",
    "buộc thôi việc",
    "khai trừ",
)
_NOT_DISCIPLINES = ("nhắc nhở", "phê bình", "rút kinh nghiệm")


# --- shared wording ---------------------------------------------------------------------------


def _d(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().replace("&", " và ")
    return re.sub(r"\s+", " ", text).strip()


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def _retirement_fact(candidate: Candidate) -> str:
    fact = f"Ngày nghỉ hưu dự kiến {_d(candidate_retirement_date(candidate))}"
    birth = candidate.birth_date
    if birth.month is None:
        fact += f" (ngày sinh chỉ ghi năm {birth.year}, tính từ ngày 01/01/{birth.year})"
    elif birth.day is None:
        fact += f" (ngày sinh chỉ ghi tháng {birth.display()}, tính từ ngày 01/{birth.display()})"
    return fact


def _retirement_at_sixty(candidate: Candidate) -> date:
    """End of the month she turns 60: the latest retirement Nghị định 83/2022 allows."""
    born = candidate.birth_date.earliest
    return add_months(date(born.year, born.month, 1), 60 * 12 + 1) - timedelta(days=1)


def _nd83_might_apply(candidate: Candidate) -> bool:
    return candidate.gender is Gender.nu and candidate.position_level is PositionLevel.cap_tinh


def _time_left(candidate: Candidate, course: Course, *, required: int, leadership: bool) -> Outcome:
    """Whether the candidate stays in post (or in service) ``required`` months from the start."""
    start = course.start_date
    retire = candidate_retirement_date(candidate)
    end = leadership_end_date(candidate) if leadership else retire
    facts = _retirement_fact(candidate)
    if leadership and candidate.leadership_term_end is not None:
        facts += f"; hết thời hạn giữ chức vụ lãnh đạo ngày {_d(candidate.leadership_term_end)}"
    what = "thời gian giữ chức vụ lãnh đạo còn lại" if leadership else "thời gian công tác còn lại"
    months = max(0, whole_months_between(start, end))
    threshold = add_months(start, required)  # in post through the day before this date
    deadline = threshold - timedelta(days=1)
    served_until = end + timedelta(days=1)

    if served_until >= add_months(start, required + 1):
        return Outcome.ok(
            f"{facts}; {what} tính từ ngày {_d(start)} là {counted(months, 'tháng')}, không ít "
            f"hơn {counted(required, 'tháng')}"
        )
    if served_until >= threshold:
        margin = (served_until - threshold).days
        excess = (
            f"chỉ dư {counted(margin, 'ngày')} so với"
            if margin
            else "vừa đủ, không dư ngày nào so với"
        )
        return Outcome.review(
            f"{facts}; {what} tính từ ngày {_d(start)} đến hết ngày {_d(end)} {excess} mốc "
            f"{counted(required, 'tháng')} (hết ngày {_d(deadline)}), dư chưa đến 01 tháng: "
            "cần xem xét"
        )
    if end < start:
        left = f"không còn (đến hết ngày {_d(end)}, trước ngày bắt đầu khóa học)"
    elif months == 0:
        left = "chưa đến 01 tháng"
    else:
        left = counted(months, "tháng")
    short = (
        f"{facts}; {what} tính từ ngày {_d(start)} là {left}, ít hơn "
        f"{counted(required, 'tháng')} (phải đến hết ngày {_d(deadline)})"
    )
    if _nd83_might_apply(candidate):
        at_sixty = _retirement_at_sixty(candidate)
        later_end = at_sixty
        if leadership and candidate.leadership_term_end is not None:
            later_end = min(later_end, candidate.leadership_term_end)
        if at_sixty > retire and later_end + timedelta(days=1) >= threshold:
            return Outcome.review(
                f"{short}; nếu thuộc diện nghỉ hưu ở tuổi cao hơn theo Nghị định 83/2022/NĐ-CP "
                f"(sửa đổi bởi Nghị định 99/2024/NĐ-CP), nghỉ hưu khi đủ 60 tuổi ({_d(at_sixty)}) "
                f"thì đủ {counted(required, 'tháng')}: cần xác minh"
            )
    return Outcome.fail(short)


# --- IV.1: conditions for every course type ---------------------------------------------------


@rule(
    "IV.1.a",
    title="Kết quả đánh giá, xếp loại",
    unit="gạch đầu dòng thứ nhất khoản 1 Mục IV",
    clause="Hoàn thành tốt nhiệm vụ được giao trở lên.",
)
def evaluation_good_or_better(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Pass on hoàn thành tốt / xuất sắc; fail below; review if the evaluation is not recent.

    Recent means from the year before the cover letter's year or later (evaluations are made at
    the end of the year, so a letter of December 2026 may still cite 2025).
    """
    ev = candidate.evaluation
    if ev is None:  # required in a nomination; a return dossier's candidate may have none
        return Outcome.review("Hồ sơ chưa ghi kết quả đánh giá, xếp loại: cần bổ sung")
    fact = f"Xếp loại chất lượng năm {ev.year}: {RATING_NAMES[ev.rating]}"
    if ev.rating not in (Rating.hoan_thanh_tot, Rating.hoan_thanh_xuat_sac):
        return Outcome.fail(f"{fact}, dưới mức hoàn thành tốt nhiệm vụ")
    # a draft's letter is dated at issuance: this year, as its blank date line prints
    expected = (dossier.documents.cover_letter.date or today_in_vietnam()).year - 1
    if ev.year < expected:
        return Outcome.review(
            f"{fact}; chưa phải kết quả năm gần nhất (năm {expected}): cần bổ sung"
        )
    return Outcome.ok(fact)


@rule(
    "IV.1.b",
    title="Không trong thời gian xem xét, thi hành kỷ luật",
    unit="gạch đầu dòng thứ hai khoản 1 Mục IV",
    # the bullet's first part, up to its ";" (the second is IV.1.c)
    clause="Không trong thời gian xem xét, xử lý kỷ luật hoặc trong thời gian thi hành kỷ luật "
    "từ khiển trách trở lên",
)
def no_discipline(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Fail if under disciplinary review, or if a discipline is in force on the course start date.

    A discipline is in force from ``decided`` through ``until`` inclusive. No ``until``, an
    unrecognised form, or a decision dated after the start is ``review``.
    """
    start = course.start_date
    if candidate.discipline.under_review:
        return Outcome.fail("Đang trong thời gian bị xem xét xử lý kỷ luật")
    active = candidate.discipline.active
    if active is None:
        return Outcome.ok("Không bị xem xét xử lý kỷ luật, không đang thi hành kỷ luật")
    form = _key(active.form)
    described = f"Kỷ luật {active.form} (quyết định ngày {_d(active.decided)}"
    if active.until is not None:
        described += f", thời hạn đến hết ngày {_d(active.until)})"
    else:
        described += ", không ghi thời hạn)"
    if any(_contains(form, f) for f in _NOT_DISCIPLINES) and not any(
        _contains(form, f) for f in _DISCIPLINE_FORMS
    ):
        return Outcome.ok(f"{described}: không phải hình thức kỷ luật")
    if not any(_contains(form, f) for f in _DISCIPLINE_FORMS):
        return Outcome.review(f"{described}: hình thức kỷ luật không xác định được, cần xem xét")
    if active.decided > start:
        return Outcome.review(
            f"{described}: quyết định sau ngày bắt đầu khóa học {_d(start)}, cần xem xét"
        )
    if active.until is None:
        return Outcome.review(
            f"{described}: không xác định được còn thi hành kỷ luật vào ngày bắt đầu khóa học "
            f"{_d(start)} hay không, cần xem xét"
        )
    if active.until >= start:
        return Outcome.fail(
            f"{described}: còn thi hành kỷ luật vào ngày bắt đầu khóa học {_d(start)}"
        )
    return Outcome.ok(f"{described}: đã hết thời hạn trước ngày bắt đầu khóa học {_d(start)}")


@rule(
    "IV.1.c",
    title="Không thuộc trường hợp chưa được xuất cảnh",
    unit="gạch đầu dòng thứ hai khoản 1 Mục IV",
    # the bullet's second part, after its ";"
    clause="không thuộc trường hợp chưa được xuất cảnh, nhập cảnh theo quy định của pháp luật.",
)
def may_leave_the_country(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Fail if ``exit_restricted``."""
    if candidate.exit_restricted:
        return Outcome.fail("Thuộc trường hợp chưa được xuất cảnh")
    return Outcome.ok("Không thuộc trường hợp chưa được xuất cảnh")


@rule(
    "IV.1.d",
    title="Nội dung khóa học phù hợp",
    unit="gạch đầu dòng thứ ba khoản 1 Mục IV",
    clause="Nội dung của khóa bồi dưỡng phù hợp với chuyên môn, nghiệp vụ đang công tác hoặc vị "
    "trí lãnh đạo, quản lý được quy hoạch.",
)
def content_fits_the_post(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Always ``review``: a person judges the fit, from the facts listed in the message."""
    return Outcome.review(
        f"Chức vụ: {position_at(candidate.position, candidate.agency)}; "
        f"lĩnh vực công tác: {candidate.work_field or 'chưa ghi'}; "
        f"chức danh quy hoạch: {candidate.planned_position or 'chưa ghi'}; "
        f"khóa học “{course.title}” thuộc nhóm chủ đề {course.topic_group} "
        f"({TOPIC_GROUP_NAMES[course.topic_group]}): cần người có thẩm quyền đánh giá sự phù hợp"
    )


@rule(
    "IV.1.e",
    title="Đủ sức khỏe",
    unit="gạch đầu dòng thứ tư khoản 1 Mục IV",
    clause="Có đủ sức khỏe đáp ứng yêu cầu khóa bồi dưỡng.",
)
def fit_for_the_course(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Fail unless ``health_fit``."""
    if candidate.health_fit:
        return Outcome.ok("Đủ sức khỏe tham gia khóa bồi dưỡng")
    return Outcome.fail("Không đủ sức khỏe tham gia khóa bồi dưỡng")


@rule(
    "IV.1.f",
    title="Số lần tham gia bồi dưỡng",
    unit="gạch đầu dòng thứ năm khoản 1 Mục IV",
    clause="Được cử đi bồi dưỡng không quá 02 lần một năm, không bố trí tham gia bồi dưỡng trong "
    "02 năm liên tiếp theo kinh phí thực hiện Kết luận số 39-KL/TW của Bộ Chính trị.",
    also=Also(
        "mỗi cán bộ chỉ tham gia bồi dưỡng ngắn hạn 01 lần",
        QUY_CHE_DIEU_3,
        frozenset({CourseType.ngan_han}),
    ),
)
def k39_course_frequency(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Count the K39 courses of ``k39_history`` against the new course (its year = start year).

    Fail on: two already in the course's year (this one would be the third); any in the year
    before or after (consecutive years); a previous ``ngan_han`` when this one is ``ngan_han``.
    """
    year = course.start_date.year
    history = candidate.k39_history
    if not history:
        return Outcome.ok(
            f"Chưa tham gia khóa bồi dưỡng nào theo Kết luận số 39-KL/TW; khóa học này năm {year}"
        )
    listed = "; ".join(
        f"năm {h.year}: {COURSE_TYPE_NAMES[h.type]}" + (f" “{h.title}”" if h.title else "")
        for h in sorted(history, key=lambda h: h.year)
    )
    this = COURSE_TYPE_NAMES[course.type]
    facts = f"Đã tham gia theo Kết luận số 39-KL/TW: {listed}; khóa {this} này năm {year}"
    problems = []
    same_year = [h for h in history if h.year == year]
    if len(same_year) >= 2:
        problems.append(
            f"đã có {counted(len(same_year), 'khóa')} trong năm {year}, quá 02 lần một năm"
        )
    adjacent = sorted({h.year for h in history if abs(h.year - year) == 1})
    if adjacent:
        years = ", ".join(str(y) for y in adjacent)
        problems.append(f"tham gia 02 năm liên tiếp ({years} và {year})")
    if course.type is CourseType.ngan_han and any(h.type is CourseType.ngan_han for h in history):
        problems.append("đã tham gia bồi dưỡng ngắn hạn, chỉ được tham gia 01 lần")
    if problems:
        return Outcome.fail(f"{facts}: " + "; ".join(problems))
    return Outcome.ok(f"{facts}: không quá 02 lần một năm, không 02 năm liên tiếp")


@rule(
    "IV.1.g",
    title="Bản cam kết",
    unit="gạch đầu dòng thứ sáu khoản 1 Mục IV",
    # without the bullet's bracket, which names the form of the Party committee's plan
    clause="Có cam kết thực hiện đúng trách nhiệm, nghĩa vụ trước khi được cử đi bồi dưỡng",
)
def commitment_signed(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Pass if the commitment is dated on or before the cover letter.

    A draft's letter has no date yet: it will be dated the day it is issued, today at the
    earliest, so a commitment dated today or before passes; one dated later can still be met
    (the letter issued on or after it), so it needs a person (review) rather than failing."""
    if candidate.commitment is None:  # required in a nomination, as for evaluation above
        return Outcome.review("Hồ sơ chưa có bản cam kết: cần bổ sung")
    signed = candidate.commitment.date
    letter = dossier.documents.cover_letter.date
    if letter is None:
        today = today_in_vietnam()
        if signed <= today:
            return Outcome.ok(
                f"Bản cam kết ký ngày {_d(signed)}, trước khi ban hành công văn "
                "(công văn đang là dự thảo, chưa ghi ngày)"
            )
        return Outcome.review(
            f"Bản cam kết ghi ngày {_d(signed)}, sau hôm nay ({_d(today)}); công văn đang là dự "
            "thảo: chỉ ban hành công văn từ ngày đó trở đi"
        )
    if signed <= letter:
        return Outcome.ok(f"Bản cam kết ký ngày {_d(signed)}, không sau ngày công văn {_d(letter)}")
    return Outcome.fail(f"Bản cam kết ký ngày {_d(signed)}, sau ngày công văn {_d(letter)}")


# --- IV.2.1 and V.2.1: bồi dưỡng trung hạn (IV.2.1.a also ngắn hạn) ---------------------------


@rule(
    "IV.2.1.a",
    title="Thời gian giữ chức vụ lãnh đạo còn lại",
    unit="gạch đầu dòng thứ nhất tiểu mục 2.1 Mục IV",
    clause="Cán bộ, công chức, viên chức còn đủ thời gian công tác là lãnh đạo, quản lý ít nhất "
    "24 tháng, tính từ khi khóa bồi dưỡng bắt đầu.",
    also=Also(
        "đối với bồi dưỡng ngắn hạn: còn đủ thời gian công tác là lãnh đạo, quản lý ít nhất "
        "18 tháng, tính từ khi khóa bồi dưỡng bắt đầu",
        QUY_CHE_DIEU_3,
        frozenset({CourseType.ngan_han}),
    ),
    applies_to=(CourseType.trung_han, CourseType.ngan_han),
)
def leadership_time_left(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """min(retirement, ``leadership_term_end``) at least 24 months (18 for ngan_han) after start."""
    if candidate.position_level is PositionLevel.khong_lanh_dao:
        return Outcome.fail(
            "Không giữ chức vụ lãnh đạo, quản lý (chức vụ: "
            f"{position_at(candidate.position, candidate.agency)})"
        )
    return _time_left(
        candidate, course, required=LEADERSHIP_MONTHS_REQUIRED[course.type], leadership=True
    )


@rule(
    "IV.2.1.b",
    title="Ngoại ngữ học trực tiếp",
    unit="gạch đầu dòng thứ hai tiểu mục 2.1 Mục IV",
    clause="Có năng lực học trực tiếp bằng ngoại ngữ.",
    applies_to=(CourseType.trung_han,),
)
def studies_in_the_course_language(
    candidate: Candidate, course: Course, dossier: Dossier
) -> Outcome:
    """Pass with a certificate in the course language; another language fail; none review."""
    fl = candidate.foreign_language
    taught = language_name(course.language)
    if fl is None:
        return Outcome.review(
            f"Hồ sơ chưa ghi trình độ ngoại ngữ; khóa học giảng dạy bằng {taught}: cần bổ sung"
        )
    held = language_line(fl)
    if fl.certificate and fl.issued:
        held += f" (cấp ngày {_d(fl.issued)})"
    if not same_language(fl.language, course.language):
        return Outcome.fail(f"Ngoại ngữ: {held}; khóa học giảng dạy bằng {taught}")
    if not fl.certificate:
        return Outcome.review(
            f"Ngoại ngữ: {held}, chưa có chứng chỉ; khóa học giảng dạy bằng {taught}: cần bổ sung"
        )
    return Outcome.ok(f"Ngoại ngữ: {held}; khóa học giảng dạy bằng {taught}")


@rule(
    "IV.2.1.c",
    title="Phỏng vấn tuyển chọn của cơ sở đào tạo",
    unit="gạch đầu dòng thứ ba tiểu mục 2.1 Mục IV",
    clause="Phải đạt yêu cầu của vòng phỏng vấn tuyển chọn của cơ sở đào tạo thực hiện chương "
    "trình bồi dưỡng trung hạn.",
    applies_to=(CourseType.trung_han,),
)
def interview_passed(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """``interview_passed``: true pass, false fail; not recorded is ``pending``, because the
    institution interviews the nominees after the nomination (it must not block it)."""
    if candidate.interview_passed is None:
        return Outcome.pending(
            f"Sau khi được đề cử, sẽ tham gia phỏng vấn tuyển chọn của {course.institution}"
        )
    if candidate.interview_passed:
        return Outcome.ok(f"Đạt yêu cầu phỏng vấn tuyển chọn của {course.institution}")
    return Outcome.fail(f"Không đạt yêu cầu phỏng vấn tuyển chọn của {course.institution}")


@rule(
    "V.2.1",
    title="Lãnh đạo cấp sở trở lên",
    unit="gạch đầu dòng thứ hai tiểu mục 2.1 Mục V",
    clause="Đối tượng xem xét, tuyển chọn bồi dưỡng: cán bộ, công chức, viên chức là lãnh đạo, "
    "quản lý cấp sở và các chức danh tương đương trở lên.",
    applies_to=(CourseType.trung_han,),
)
def senior_enough(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Pass for ``cap_tinh`` and ``cap_so``; fail below."""
    level = POSITION_LEVEL_NAMES[candidate.position_level]
    fact = f"Chức vụ: {position_at(candidate.position, candidate.agency)} ({level})"
    if candidate.position_level in (PositionLevel.cap_tinh, PositionLevel.cap_so):
        return Outcome.ok(fact)
    return Outcome.fail(f"{fact}, chưa đến lãnh đạo cấp sở và tương đương")


# --- IV.2.2 and V.2.2: bồi dưỡng ngoại ngữ ----------------------------------------------------


@rule(
    "IV.2.2.a",
    title="Thời gian công tác còn lại",
    unit="gạch đầu dòng thứ nhất tiểu mục 2.2 Mục IV",
    clause="Cán bộ, công chức, viên chức còn đủ thời gian công tác ít nhất 24 tháng, tính từ khi "
    "khóa bồi dưỡng bắt đầu.",
    applies_to=(CourseType.ngoai_ngu,),
)
def service_time_left(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Retirement at least 24 months after the course start (same margins as IV.2.1.a)."""
    return _time_left(candidate, course, required=SERVICE_MONTHS_REQUIRED, leadership=False)


@rule(
    "IV.2.2.b",
    title="Trình độ ngoại ngữ đầu vào",
    unit="gạch đầu dòng thứ hai tiểu mục 2.2 Mục IV",
    clause="Phải đáp ứng yêu cầu về trình độ ngoại ngữ đầu vào, đầu ra thực hiện theo thông báo "
    "tuyển sinh hàng năm hoặc của từng khóa học.",
    applies_to=(CourseType.ngoai_ngu,),
)
def entry_language_level(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """``review`` unless ``course.required_language_level`` is stated and both levels can be read.

    Then pass if the candidate's certificate in the course language meets it, fail if it is lower.
    """
    required_text = decimal_comma(course.required_language_level or "")
    if not required_text:
        return Outcome.review(
            "Hồ sơ chưa ghi trình độ ngoại ngữ đầu vào theo thông báo của khóa học: cần đối chiếu"
        )
    fl = candidate.foreign_language
    if fl is None or not (fl.certificate or fl.score):
        return Outcome.review(
            f"Yêu cầu đầu vào: {required_text}; hồ sơ chưa ghi chứng chỉ ngoại ngữ: cần bổ sung"
        )
    held_text = language_line(fl)
    if not same_language(fl.language, course.language):
        return Outcome.review(
            f"Yêu cầu đầu vào: {required_text} ({language_name(course.language)}); chứng chỉ đã "
            f"có: {held_text}: "
            "chưa có thông tin trình độ đúng ngôn ngữ của khóa học, cần bổ sung"
        )
    required = parse_level(course.required_language_level)
    held = parse_level(fl.certificate, fl.score)
    if required is None or held is None:
        return Outcome.review(
            f"Yêu cầu đầu vào: {required_text}; chứng chỉ đã có: {held_text}: "
            "không so sánh tự động được, cần đối chiếu"
        )
    if compare_levels(held, required):
        return Outcome.ok(f"Yêu cầu đầu vào: {required_text}; chứng chỉ đã có: {held_text} (đạt)")
    return Outcome.fail(
        f"Yêu cầu đầu vào: {required_text}; chứng chỉ đã có: {held_text}, thấp hơn yêu cầu"
    )


def work_field_matches(work_field: str | None) -> str | None:
    """The field of the V.2.2 list that ``work_field`` names, or ``None``."""
    if not work_field:
        return None
    text = _key(work_field)
    for field, words in WORK_FIELDS:
        if any(_contains(text, _key(w)) for w in words):
            return field
    return None


@rule(
    "V.2.2",
    title="Lĩnh vực thường xuyên sử dụng ngoại ngữ",
    unit="gạch đầu dòng thứ hai tiểu mục 2.2 Mục V",
    clause="Đối tượng xem xét, tuyển chọn bồi dưỡng là cán bộ, công chức, viên chức phải thường "
    "xuyên sử dụng ngoại ngữ trong công việc, liên quan đến một trong các lĩnh vực như sau: đối "
    "ngoại, ngoại vụ; hợp tác quốc tế, an ninh - quốc phòng; đầu tư, xúc tiến thương mại, du lịch, "
    "quản lý các khu kinh tế, khu công nghiệp; thông tin, tuyên truyền, truyền thông đối ngoại; "
    "nghiên cứu giảng dạy tại các trường cao đẳng, trường đại học; công việc liên quan đến yếu tố "
    "nước ngoài tại các cơ quan, đơn vị khối Nhà nước.",
    applies_to=(CourseType.ngoai_ngu,),
)
def works_in_a_listed_field(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """Pass when ``work_field`` names a field of the list; otherwise ``review``."""
    if not candidate.work_field:
        return Outcome.review("Hồ sơ chưa ghi lĩnh vực công tác: cần bổ sung")
    field = work_field_matches(candidate.work_field)
    if field is not None:
        return Outcome.ok(f"Lĩnh vực công tác: {candidate.work_field} (thuộc lĩnh vực {field})")
    return Outcome.review(
        f"Lĩnh vực công tác: {candidate.work_field}: không khớp lĩnh vực nào trong danh sách "
        "của Kế hoạch, cần xem xét"
    )


# --- QC.3: bồi dưỡng ngắn hạn ----------------------------------------------------------------


@rule(
    "QC.3.ngan_han",
    title="Đối tượng bồi dưỡng ngắn hạn",
    unit="khoản 3 Mục V",
    # the plan asks for the right target group; the Quy chế says who a short course is for
    clause="lập danh sách cử cán bộ, công chức, viên chức đúng đối tượng, đủ điều kiện, tiêu "
    "chuẩn phù hợp với nội dung, chương trình khóa bồi dưỡng",
    also=Also(
        "bồi dưỡng ngắn hạn dành cho cán bộ thuộc diện Bộ Chính trị, Ban Bí thư quản lý; "
        "ủy viên Ban Thường vụ tỉnh ủy, thành ủy; ở Trung ương là lãnh đạo tổng cục, cục, "
        "vụ và tương đương",
        QUY_CHE_DIEU_3,
        frozenset({CourseType.ngan_han}),
    ),
    applies_to=(CourseType.ngan_han,),
)
def in_the_short_course_group(candidate: Candidate, course: Course, dossier: Dossier) -> Outcome:
    """``cadre_group``: one of the Quy chế's groups passes, ``khac`` fails, missing is
    ``review`` (the plan's Mục V.2 names no group for ngắn hạn, so the data must say it)."""
    groups = "; ".join(
        CADRE_GROUP_NAMES[g][0].lower() + CADRE_GROUP_NAMES[g][1:] for g in SHORT_COURSE_GROUPS
    )
    position = position_at(candidate.position, candidate.agency)
    group = candidate.cadre_group
    if group is None:
        return Outcome.review(
            f"Chức vụ: {position}; hồ sơ chưa ghi ứng viên thuộc nhóm đối tượng nào của bồi "
            f"dưỡng ngắn hạn ({groups}): cần bổ sung"
        )
    if group in SHORT_COURSE_GROUPS:
        return Outcome.ok(f"Chức vụ: {position}; thuộc nhóm: {CADRE_GROUP_NAMES[group]}")
    return Outcome.fail(
        f"Chức vụ: {position}; không thuộc nhóm đối tượng của bồi dưỡng ngắn hạn ({groups})"
    )
