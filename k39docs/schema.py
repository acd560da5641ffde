"""The JSON Schema of the dossier file for building forms: the model's schema with Vietnamese
titles and descriptions on every field, display labels for every choice, and the loader's
patterns and bounds.

pydantic derives the shape from :mod:`k39docs.dossier.model`; what a form needs and the model cannot say
by itself is added here: a Vietnamese ``title`` and ``description`` per field, each choice as
``oneOf`` of ``const`` + ``title`` (the code, shown with its label) beside the lenient spellings
the loader also accepts (the label, any case), the patterns the validators enforce (CCCD of 12
digits, ids, ISO dates, partial birth dates), the loader's cap on any text, ``$schema`` and
``$id``. The checks across fields (a course that ends before it starts, the same CCCD twice, the
fields a nomination needs) stay the loader's: the schema says so in their descriptions.

``dossier_schema(service=True)`` is the form of ``POST /api/v1/renders``: there ``signing``
names a key of the server (``{key: NAME}``) or the demo key, never a key file or a token.
"""

from __future__ import annotations

import copy
import re
from enum import Enum
from functools import cache
from typing import Any

from .dossier.loader import MAX_TEXT_CHARS
from .dossier.model import (
    CHOICE_LABELS,
    COURSE_TYPE_NAMES,
    CadreGroup,
    CourseType,
    Dossier,
    Gender,
    PositionLevel,
    Rating,
)

__all__ = ["dossier_schema", "SCHEMA_DIALECT", "SCHEMA_ID", "SERVICE_SCHEMA_ID", "FIELDS"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:k39docs:schema:dossier:1"
SERVICE_SCHEMA_ID = "urn:k39docs:schema:dossier-request:1"

# the validators' patterns (model.py), as JSON Schema spells them
CANDIDATE_ID = r"^[a-z0-9][a-z0-9_-]{0,39}$"
DOSSIER_ID = r"^[a-z0-9][a-z0-9._-]{0,79}$"
CCCD = r"^\s*\d{12}\s*$"  # the loader trims the ends
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
BIRTH = r"^\d{4}(-(0?[1-9]|1[0-2])(-(0?[1-9]|[12]\d|3[01]))?)?$"
NOT_BLANK = r"\S"  # a required text: spaces alone are empty once the loader trims them

# (title, description) of every field, by model; a field missing here fails tests/test_schema.py
FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "Dossier": {
        "schema_version": ("Phiên bản mẫu hồ sơ", "Luôn là 1."),
        "purpose": (
            "Loại hồ sơ",
            "Hồ sơ đề cử trước khóa học (nomination, mặc định) hoặc hồ sơ "
            "báo cáo kết quả sau khóa học (return).",
        ),
        "id": (
            "Mã hồ sơ",
            "Dùng làm tên thư mục kết quả: chữ thường không dấu, số, '.', '-', "
            "'_'; tối đa 80 ký tự, ví dụ qng-2027-trung-han-01.",
        ),
        "issuer": ("Cơ quan ban hành", "Cơ quan ban hành công văn gửi Trung ương (UBND tỉnh)."),
        "department": ("Cơ quan tham mưu", "Cơ quan tham mưu (Sở Nội vụ), ký Tờ trình."),
        "course": ("Khóa bồi dưỡng", "Khóa bồi dưỡng ở nước ngoài được đề cử tham gia."),
        "legal_basis": (
            "Căn cứ",
            "Các dòng “Căn cứ” của văn bản; để trống thì dùng danh sách mặc định.",
        ),
        "documents": ("Văn bản", "Số, ngày, người ký của từng văn bản."),
        "signing": ("Ký số", "Cách ký số dossier.pdf; để trống thì hồ sơ không ký."),
        "candidates": (
            "Ứng viên",
            "Danh sách người được đề cử (hoặc người báo cáo), ít nhất một "
            "người; mã ứng viên và số CCCD không được trùng nhau.",
        ),
    },
    "Issuer": {
        "name": ("Tên cơ quan", "Tên đầy đủ, ví dụ Ủy ban nhân dân tỉnh Quảng Ngãi."),
        "short_name": ("Tên gọi tắt", "Dùng trong câu văn, ví dụ UBND tỉnh Quảng Ngãi."),
        "code": ("Chữ viết tắt", "Viết tắt tên cơ quan trong ký hiệu văn bản, ví dụ UBND."),
        "place": ("Địa danh", "Địa danh ở dòng ngày tháng, ví dụ Quảng Ngãi."),
        "address": ("Địa chỉ", "Địa chỉ cơ quan (không bắt buộc)."),
        "phone": ("Điện thoại", "Số điện thoại (không bắt buộc)."),
        "email": ("Thư điện tử", "Địa chỉ thư điện tử (không bắt buộc)."),
    },
    "Department": {
        "name": ("Tên cơ quan tham mưu", "Ví dụ Sở Nội vụ."),
        "parent": ("Cơ quan chủ quản", "In chữ hoa phía trên tên cơ quan (không bắt buộc)."),
        "code": ("Chữ viết tắt", "Viết tắt trong ký hiệu Tờ trình, ví dụ SNV."),
        "place": ("Địa danh", "Địa danh ở dòng ngày tháng của Tờ trình."),
    },
    "Notice": {
        "number": ("Số thông báo", "Số, ký hiệu thông báo của Ban Chỉ đạo, ví dụ 27-TB/BCĐ."),
        "date": ("Ngày thông báo", "Ngày ban hành, dạng YYYY-MM-DD."),
        "issuer": (
            "Cơ quan ban hành thông báo",
            "Ví dụ Ban Chỉ đạo thực hiện Kết luận số 39-KL/TW.",
        ),
    },
    "Decision": {
        "number": ("Số quyết định", "Số, ký hiệu quyết định cử đi bồi dưỡng, ví dụ 1234/QĐ-UBND."),
        "date": ("Ngày quyết định", "Dạng YYYY-MM-DD."),
        "issuer": ("Cơ quan ra quyết định", "Ví dụ UBND tỉnh Quảng Ngãi."),
    },
    "Course": {
        "type": ("Loại khóa học", "Ngắn hạn, trung hạn hoặc ngoại ngữ."),
        "title": ("Tên khóa học", "Tên khóa bồi dưỡng như thông báo của Trung ương."),
        "topic_group": ("Nhóm chủ đề", "Một trong bốn nhóm chủ đề của Kế hoạch (1 đến 4)."),
        "language": ("Ngôn ngữ giảng dạy", "Ví dụ Tiếng Anh."),
        "country": ("Nước đến", "Quốc gia tổ chức khóa học."),
        "institution": ("Cơ sở đào tạo", "Cơ sở đào tạo ở nước ngoài."),
        "start_date": (
            "Ngày bắt đầu",
            "Dạng YYYY-MM-DD; với khóa ngoại ngữ là ngày bắt đầu phần học trong nước.",
        ),
        "end_date": (
            "Ngày kết thúc",
            "Dạng YYYY-MM-DD, không trước ngày bắt đầu (trình nạp hồ sơ kiểm tra).",
        ),
        "estimated_cost_per_person": (
            "Kinh phí dự kiến mỗi người",
            "Đồng (VND), số nguyên không âm (không bắt buộc).",
        ),
        "required_language_level": (
            "Trình độ ngoại ngữ yêu cầu",
            "Với khóa ngoại ngữ (không bắt buộc), ví dụ IELTS 5.5.",
        ),
        "notice": ("Thông báo của Trung ương", "Thông báo chiêu sinh của Ban Chỉ đạo."),
        "decision": (
            "Quyết định cử đi",
            "Hồ sơ báo cáo: quyết định đã cử người đi học (không bắt buộc).",
        ),
    },
    "Signer": {
        "authority": (
            "Thẩm quyền ký",
            "TM., KT., Q., TL., TUQ. hoặc để trống khi ký tên mình (Nghị định 30/2020, ô 7a).",
        ),
        "organ": ("Tập thể lãnh đạo", "Ghi sau TM., ví dụ ỦY BAN NHÂN DÂN (không bắt buộc)."),
        "deputy": ("Dòng thứ hai", "Ví dụ KT. CHỦ TỊCH dưới dòng TM. (không bắt buộc)."),
        "title": ("Chức vụ", "Chức vụ của người ký hoặc của người đứng đầu được ký thay."),
        "deputy_title": (
            "Chức vụ người ký",
            "Bắt buộc khi ký KT., TL., TUQ. mà không ghi tập thể lãnh đạo.",
        ),
        "name": ("Họ và tên người ký", "Như in dưới chữ ký."),
    },
    "CoverLetter": {
        "number": ("Số công văn", "Số nguyên dương; in thành “Số: 3512/UBND-NC”."),
        "unit_code": ("Ký hiệu đơn vị soạn thảo", "Ví dụ NC."),
        "date": (
            "Ngày công văn",
            "Dạng YYYY-MM-DD; không trước ngày Tờ trình; khi ký số thật phải là ngày ký.",
        ),
        "recipients": ("Kính gửi", "Các cơ quan nhận, mỗi cơ quan một dòng; ít nhất một."),
        "signer": ("Người ký công văn", "Thẩm quyền, chức vụ và họ tên."),
        "copies_to": ("Nơi nhận khác", "Ngoài các cơ quan kính gửi (không bắt buộc)."),
        "archive": ("Lưu", "Dòng “Lưu:”, ví dụ VT, NC."),
    },
    "EligibilityReportSettings": {
        "prepared_by": (
            "Người lập",
            "Chuyên viên rà soát, in trên bản Kết quả rà soát (không bắt buộc).",
        ),
    },
    "Submission": {
        "number": ("Số Tờ trình", "Số nguyên dương."),
        "date": ("Ngày Tờ trình", "Dạng YYYY-MM-DD."),
        "signer": ("Người ký Tờ trình", "Thẩm quyền, chức vụ và họ tên."),
        "copies_to": ("Nơi nhận khác", "Không bắt buộc."),
        "archive": ("Lưu", "Dòng “Lưu:”."),
    },
    "CommitmentSettings": {
        "clauses": (
            "Các điều cam kết",
            "Thay các điều cam kết mặc định của Bản cam kết (không bắt buộc).",
        ),
    },
    "Documents": {
        "cover_letter": (
            "Công văn",
            "Công văn của UBND tỉnh gửi Cơ quan Thường trực Ban Chỉ đạo Trung ương.",
        ),
        "submission": (
            "Tờ trình",
            "Tờ trình của Sở Nội vụ; bắt buộc với hồ sơ đề cử, không có ở hồ sơ báo cáo.",
        ),
        "commitment": ("Bản cam kết", "Thiết lập Bản cam kết của từng người."),
        "eligibility_report": ("Kết quả rà soát", "Thiết lập bản Kết quả rà soát điều kiện."),
    },
    "Pkcs11": {
        "library": ("Thư viện PKCS#11", "Đường dẫn thư viện của token USB."),
        "token": ("Nhãn token", "Nhãn của token chứa khóa."),
        "key_label": ("Nhãn khóa", "Nhãn khóa bí mật trên token."),
        "cert_label": ("Nhãn chứng thư số", "Mặc định như nhãn khóa."),
        "pin_env": (
            "Biến môi trường mã PIN",
            "Tên biến môi trường chứa mã PIN (không ghi mã PIN vào hồ sơ).",
        ),
    },
    "Signing": {
        "demo": ("Ký thử nghiệm", "Ký bằng chứng thư thử nghiệm, không có giá trị pháp lý."),
        "pkcs12": ("Tệp khóa PKCS#12", "Đường dẫn tệp .p12 của chứng thư số."),
        "passphrase_env": (
            "Biến môi trường mật khẩu",
            "Tên biến môi trường chứa mật khẩu tệp PKCS#12.",
        ),
        "pkcs11": ("Token PKCS#11", "Khóa trên token USB."),
        "signature_image": (
            "Ảnh chữ ký",
            "Tệp PNG nền trong suốt, tối đa 2 MB, 4000 điểm ảnh mỗi chiều.",
        ),
        "seal_image": ("Ảnh con dấu", "Tệp PNG nền trong suốt đúng kích thước dấu, tối đa 2 MB."),
        "tsa_url": (
            "Máy chủ dấu thời gian",
            "Địa chỉ dịch vụ cấp dấu thời gian (RFC 3161), không bắt buộc.",
        ),
    },
    "ForeignLanguage": {
        "language": ("Ngoại ngữ", "Ví dụ Tiếng Anh."),
        "certificate": ("Chứng chỉ", "Ví dụ IELTS (không bắt buộc)."),
        "score": ("Điểm, bậc", "Ví dụ 6.5 hoặc B2 (không bắt buộc)."),
        "issued": ("Ngày cấp", "Dạng YYYY-MM-DD (không bắt buộc)."),
    },
    "Evaluation": {
        "year": ("Năm đánh giá", "Năm của kết quả xếp loại (1990 đến 2100)."),
        "rating": ("Xếp loại", "Kết quả đánh giá, xếp loại chất lượng năm đó."),
    },
    "ActiveDiscipline": {
        "form": ("Hình thức kỷ luật", "Ví dụ khiển trách, cảnh cáo."),
        "decided": ("Ngày quyết định kỷ luật", "Dạng YYYY-MM-DD."),
        "until": ("Thời hạn đến", "Ngày hết thời hạn kỷ luật, dạng YYYY-MM-DD (không bắt buộc)."),
    },
    "Discipline": {
        "under_review": (
            "Đang bị xem xét kỷ luật",
            "Đúng nếu đang trong thời gian xem xét kỷ luật.",
        ),
        "active": ("Kỷ luật còn hiệu lực", "Hình thức và ngày quyết định (không bắt buộc)."),
    },
    "K39Course": {
        "year": ("Năm", "Năm đã tham gia khóa bồi dưỡng theo Kết luận 39 (từ 2022)."),
        "type": ("Loại khóa học", "Ngắn hạn, trung hạn hoặc ngoại ngữ."),
        "title": ("Tên khóa học", "Không bắt buộc."),
    },
    "Commitment": {
        "date": ("Ngày ký cam kết", "Dạng YYYY-MM-DD."),
    },
    "EligibilityException": {
        "rules": (
            "Điều kiện chưa đáp ứng",
            "Mã các điều kiện đề nghị xem xét ngoại lệ, ví dụ IV.2.1.a; ít nhất một.",
        ),
        "reason": (
            "Lý do đề nghị",
            "Lý do tỉnh đề nghị dù chưa đáp ứng; ghi vào hồ sơ, không giấu.",
        ),
    },
    "SecurityCompliance": {
        "classified_documents_carried": (
            "Mang tài liệu mật",
            "Có mang theo tài liệu mật hay không.",
        ),
        "foreign_contacts": ("Tiếp xúc với người nước ngoài", "Nội dung báo cáo."),
        "gifts_or_invitations": ("Quà tặng, lời mời", "Nội dung báo cáo."),
        "violations": ("Vi phạm", "Nội dung báo cáo về việc chấp hành quy định."),
    },
    "ReturnReport": {
        "date": ("Ngày báo cáo", "Dạng YYYY-MM-DD, không trước ngày về nước."),
        "departure_date": ("Ngày xuất cảnh", "Dạng YYYY-MM-DD."),
        "return_date": ("Ngày về nước", "Dạng YYYY-MM-DD, không trước ngày xuất cảnh."),
        "decision": ("Quyết định cử đi", "Số quyết định để trích dẫn (không bắt buộc)."),
        "completion": ("Kết quả hoàn thành", "Kết quả học tập."),
        "certificate": ("Văn bằng, chứng chỉ", "Không bắt buộc."),
        "modules": ("Các học phần", "Mỗi mục một dòng."),
        "lessons": ("Bài học kinh nghiệm", "Mỗi mục một dòng."),
        "proposals": ("Đề xuất, kiến nghị", "Mỗi mục một dòng."),
        "security": ("Chấp hành quy định", "Bảo vệ bí mật nhà nước và quy định khi ở nước ngoài."),
    },
    "Candidate": {
        "id": (
            "Mã ứng viên",
            "Chữ thường không dấu, số, '-' hoặc '_', tối đa 40 ký tự, ví dụ "
            "ca01; không trùng nhau.",
        ),
        "full_name": ("Họ và tên", "Tối đa 100 ký tự."),
        "gender": ("Giới tính", "Nam hoặc Nữ."),
        "birth_date": (
            "Ngày sinh",
            "YYYY-MM-DD, YYYY-MM hoặc YYYY khi lý lịch chỉ ghi đến tháng, "
            "năm; trước ngày bắt đầu khóa học.",
        ),
        "ethnicity": ("Dân tộc", "Không bắt buộc."),
        "id_number": (
            "Số CCCD",
            "Đúng 12 chữ số, ghi như chuỗi để giữ số 0 ở đầu; không trùng nhau.",
        ),
        "party_member": ("Đảng viên", "Đúng nếu là đảng viên."),
        "position": ("Chức vụ", "Chức vụ hiện tại."),
        "position_level": ("Cấp chức vụ", "Cấp lãnh đạo của chức vụ hiện tại."),
        "agency": ("Cơ quan, đơn vị", "Nơi công tác."),
        "work_field": ("Lĩnh vực công tác", "Không bắt buộc."),
        "planned_position": ("Chức danh quy hoạch", "Không bắt buộc."),
        "education": ("Trình độ chuyên môn", "Bắt buộc với hồ sơ đề cử."),
        "political_theory": ("Trình độ lý luận chính trị", "Không bắt buộc."),
        "foreign_language": ("Ngoại ngữ", "Ngoại ngữ và chứng chỉ (không bắt buộc)."),
        "evaluation": ("Đánh giá, xếp loại", "Năm gần nhất; bắt buộc với hồ sơ đề cử."),
        "discipline": ("Kỷ luật", "Tình trạng kỷ luật."),
        "exit_restricted": (
            "Chưa được xuất cảnh",
            "Đúng nếu thuộc diện chưa được xuất cảnh; bắt buộc với hồ sơ đề cử.",
        ),
        "health_fit": ("Đủ sức khỏe", "Bắt buộc với hồ sơ đề cử."),
        "interview_passed": ("Đạt phỏng vấn", "Kết quả phỏng vấn của cơ sở đào tạo, nếu đã có."),
        "leadership_term_end": (
            "Hết nhiệm kỳ lãnh đạo",
            "Ngày hết thời hạn giữ chức vụ, dạng YYYY-MM-DD (không bắt buộc).",
        ),
        "cadre_group": (
            "Nhóm đối tượng",
            "Khóa ngắn hạn: nhóm cán bộ theo Quy chế (không bắt buộc).",
        ),
        "k39_history": ("Đã tham gia theo Kết luận 39", "Các khóa đã tham gia trước đây."),
        "reviewed": (
            "Ý kiến xem xét",
            "Theo mã điều kiện cần người xem xét: ghi chú của người rà soát.",
        ),
        "exception": (
            "Đề nghị ngoại lệ",
            "Các điều kiện chưa đáp ứng và lý do đề nghị (không bắt buộc).",
        ),
        "commitment": ("Bản cam kết", "Ngày ký cam kết; bắt buộc với hồ sơ đề cử."),
        "return_report": ("Báo cáo kết quả học tập", "Chỉ ở hồ sơ báo cáo (purpose: return)."),
        "signed_commitment": (
            "Bản cam kết đã ký (scan)",
            "Tệp PDF, JPG hoặc PNG của bản cam kết "
            "đã ký tay, đường dẫn so với thư mục tệp hồ sơ; thay bản cam kết "
            "tự tạo trong dossier.pdf. Tối đa 20 MB, không đặt mật khẩu.",
        ),
        "attachments": (
            "Tài liệu kèm theo",
            "Các tài liệu scan của người này (chứng chỉ, sơ yếu "
            "lý lịch …), xếp sau bản cam kết của họ trong dossier.pdf.",
        ),
    },
    "Attachment": {
        "title": (
            "Tên tài liệu",
            "Như ghi ở mục lục và công văn, ví dụ Chứng chỉ IELTS; tối đa 150 ký tự.",
        ),
        "file": (
            "Tệp",
            "PDF, JPG hoặc PNG, đường dẫn so với thư mục tệp hồ sơ; tối đa 20 MB, "
            "không đặt mật khẩu.",
        ),
    },
}

# the choices: the enum's title and description, and the alternatives the loader also takes
CHOICES: dict[type[Enum], tuple[str, str, dict[Any, str]]] = {
    Gender: ("Giới tính", "Mã (nam, nu) hoặc nhãn (Nam, Nữ), không phân biệt hoa thường.", {}),
    CourseType: (
        "Loại khóa học",
        "Mã (ngan_han …) hoặc nhãn (Ngắn hạn …), không phân biệt hoa thường.",
        COURSE_TYPE_NAMES,
    ),
    PositionLevel: ("Cấp chức vụ", "Mã hoặc nhãn, không phân biệt hoa thường.", {}),
    Rating: (
        "Xếp loại",
        "Mã hoặc nhãn (Hoàn thành tốt nhiệm vụ …), không phân biệt hoa thường.",
        {},
    ),
    CadreGroup: ("Nhóm đối tượng", "Mã hoặc nhãn, không phân biệt hoa thường.", {}),
}
PURPOSE_LABELS = {"nomination": "Hồ sơ đề cử", "return": "Hồ sơ báo cáo sau khóa học"}
AUTHORITY_LABELS = {
    "TM.": "Thay mặt (TM.)",
    "KT.": "Ký thay (KT.)",
    "Q.": "Quyền (Q.)",
    "TL.": "Thừa lệnh (TL.)",
    "TUQ.": "Thừa ủy quyền (TUQ.)",
    "": "Ký tên mình (để trống)",
}

# ids and identity numbers: the validators' patterns
PATTERNS = {
    ("Candidate", "id"): CANDIDATE_ID,
    ("Candidate", "id_number"): CCCD,
    ("Dossier", "id"): DOSSIER_ID,
}

# the service's `signing`: a key the operator listed, or the demo key; the images uploaded
SERVICE_SIGNING = {
    "type": "object",
    "additionalProperties": False,
    "title": "Ký số",
    "description": "Dịch vụ chỉ ký bằng khóa quản trị viên khai báo trong KEYS.yaml "
    "(`key`) hoặc khóa thử nghiệm (`demo`); không ghi tệp khóa, token hay mật "
    "khẩu. Để trống: hồ sơ không ký.",
    "properties": {
        "demo": {
            "type": "boolean",
            "title": "Ký thử nghiệm",
            "description": "Chứng thư thử nghiệm, không có giá trị pháp lý.",
        },
        "key": {
            "type": "string",
            "minLength": 1,
            "title": "Khóa ký",
            "description": "Tên một khóa trong KEYS.yaml của máy chủ.",
        },
        "signature_image": {
            "type": "string",
            "title": "Ảnh chữ ký",
            "description": "Đường dẫn tương đối của tệp PNG tải lên cùng hồ sơ.",
        },
        "seal_image": {
            "type": "string",
            "title": "Ảnh con dấu",
            "description": "Đường dẫn tương đối của tệp PNG tải lên cùng hồ sơ.",
        },
    },
    "not": {"required": ["demo", "key"], "properties": {"demo": {"const": True}}},
}


def dossier_schema(*, service: bool = False) -> dict[str, Any]:
    """The JSON Schema of a dossier (``service``: as a request to the HTTP service sends it)."""
    return copy.deepcopy(_built(service))


@cache
def _built(service: bool) -> dict[str, Any]:
    schema = Dossier.model_json_schema()
    defs = schema["$defs"]
    for enum, (title, description, aliases) in CHOICES.items():
        defs[enum.__name__] = _choice(enum, title, description, aliases)
    for model, fields in FIELDS.items():
        target = schema if model == "Dossier" else defs[model]
        for name, prop in target["properties"].items():
            _describe(model, name, prop, fields.get(name))
    purpose = schema["properties"]["purpose"]
    purpose.pop("enum", None)
    purpose["oneOf"] = [{"const": k, "title": v} for k, v in PURPOSE_LABELS.items()]
    authority = defs["Signer"]["properties"]["authority"]
    authority.pop("enum", None)
    authority.pop("type", None)
    authority["anyOf"] = [
        {"oneOf": [{"const": k, "title": v} for k, v in AUTHORITY_LABELS.items()]},
        {"type": "string", "pattern": r"^\s*(TM|KT|Q|TL|TUQ)\.?\s*$"},  # the dot is added
        {"type": "null"},
    ]
    score = defs["ForeignLanguage"]["properties"]["score"]  # a number is taken as its text
    score["anyOf"] = [
        {"type": "string", "maxLength": MAX_TEXT_CHARS},
        {"type": "number"},
        {"type": "null"},
    ]
    if service:
        defs.pop("Signing")
        defs.pop("Pkcs11")
        schema["properties"]["signing"] = copy.deepcopy(SERVICE_SIGNING)
    schema["title"] = "Hồ sơ cử cán bộ đi bồi dưỡng ở nước ngoài (Kết luận 39-KL/TW)"
    schema["description"] = (
        "Tệp hồ sơ k39docs (YAML, JSON hoặc sổ Excel). Trình nạp hồ sơ còn kiểm tra những điều "
        "lược đồ không diễn đạt được: ngày kết thúc sau ngày bắt đầu, mã ứng viên và số CCCD "
        "không trùng, ngày sinh trước khóa học, các trường bắt buộc của hồ sơ đề cử hoặc báo cáo."
    )
    return {"$schema": SCHEMA_DIALECT, "$id": SERVICE_SCHEMA_ID if service else SCHEMA_ID, **schema}


def _describe(model: str, name: str, prop: dict[str, Any], text: tuple[str, str] | None) -> None:
    """Title and description of one field, and the loader's bounds on its values."""
    if text is not None:
        prop["title"], prop["description"] = text
    for branch in [
        prop,
        *prop.get("anyOf", ()),
        prop.get("items") or {},
        prop.get("additionalProperties")
        if isinstance(prop.get("additionalProperties"), dict)
        else {},
    ]:
        _bound(branch)
    pattern = PATTERNS.get((model, name))
    if pattern is not None:
        prop["pattern"] = pattern
    if name == "birth_date":
        prop.pop("type", None)
        prop.pop("pattern", None)
        prop["anyOf"] = [
            {"type": "string", "pattern": BIRTH},
            {"type": "integer", "minimum": 1000, "maximum": 9999},
        ]


def _bound(branch: dict[str, Any]) -> None:
    if branch.get("type") == "string":
        if branch.get("format") == "date":
            branch["pattern"] = ISO_DATE
        else:
            branch["maxLength"] = min(branch.get("maxLength", MAX_TEXT_CHARS), MAX_TEXT_CHARS)
            if branch.get("minLength"):
                branch["pattern"] = NOT_BLANK


def _choice(
    enum: type[Enum], title: str, description: str, aliases: dict[Any, str]
) -> dict[str, Any]:
    """A choice: the codes with their labels (what a form shows), or any spelling the loader
    takes (code, label or alias, any case, spaces around)."""
    labels = CHOICE_LABELS[enum]
    spellings = {
        " ".join(s.split()).casefold(): s
        for s in [m.value for m in enum] + [*labels.values(), *aliases.values()]
    }
    alternatives = "|".join(_any_case(s) for s in sorted(spellings.values(), key=len, reverse=True))
    return {
        "title": title,
        "description": description,
        "anyOf": [
            {"oneOf": [{"const": m.value, "title": labels[m]} for m in enum]},
            {"type": "string", "pattern": rf"^\s*(?:{alternatives})\s*$"},
        ],
    }


def _any_case(text: str) -> str:
    """A pattern matching ``text`` in any case, a run of spaces where it has one."""
    out = []
    for ch in " ".join(text.split()):
        if ch == " ":
            out.append(r"\s+")
        elif ch.lower() != ch.upper():
            out.append(f"[{re.escape(ch.lower())}{re.escape(ch.upper())}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)
