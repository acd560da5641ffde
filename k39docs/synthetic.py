"""Synthetic dossiers of any size, for benchmarks and scale tests.

Built from the sample dossier so the shape stays the real one: a nomination of N eligible
candidates with plausible Vietnamese names, unique ids and CCCD numbers and long agency names,
so every document of a nomination is exercised N times (a report after a course is a dossier of
its own, ``purpose: return``).
"""

from __future__ import annotations

import copy
import random
from typing import Any

import yaml

from .resources import sample_dossier

__all__ = ["synthetic_dossier"]

_FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
_MIDDLE_M = ["Văn", "Minh", "Quốc", "Đức", "Hữu", "Thanh", "Công", "Xuân"]
_MIDDLE_F = ["Thị", "Thị Thu", "Thị Bích", "Ngọc", "Thị Hồng", "Thị Kim", "Thùy"]
_GIVEN_M = [
    "An",
    "Bảo",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khoa",
    "Long",
    "Nam",
    "Phúc",
    "Quang",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
]
_GIVEN_F = [
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hạnh",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngọc",
    "Nhung",
    "Phương",
    "Thảo",
    "Trang",
    "Vân",
    "Yến",
]
_AGENCIES = [
    ("Phó Giám đốc", "Sở Tài chính", "đầu tư"),
    ("Phó Giám đốc", "Sở Khoa học và Công nghệ", "khoa học, công nghệ"),
    (
        "Phó Trưởng ban",
        "Ban Quản lý Khu kinh tế Dung Quất và các Khu công nghiệp Quảng Ngãi",
        "quản lý khu kinh tế, khu công nghiệp",
    ),
    (
        "Phó Chánh Văn phòng",
        "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh Quảng Ngãi",
        "tổng hợp",
    ),
    ("Phó Giám đốc", "Sở Văn hóa, Thể thao và Du lịch", "du lịch"),
    ("Phó Giám đốc", "Sở Nông nghiệp và Môi trường", "nông nghiệp"),
]


def synthetic_dossier(n: int, *, seed: int = 0) -> dict[str, Any]:
    """A dossier mapping with ``n`` candidates (ids ``c0001`` …), all meant to be eligible."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random.Random(seed)
    data = yaml.safe_load(sample_dossier())
    template = data["candidates"][0]
    data["id"] = f"synthetic-{n}"
    data["candidates"] = []
    for i in range(1, n + 1):
        female = i % 3 == 0
        c = copy.deepcopy(template)
        family = rng.choice(_FAMILY)
        middle = rng.choice(_MIDDLE_F if female else _MIDDLE_M)
        given = rng.choice(_GIVEN_F if female else _GIVEN_M)
        year = 1974 + rng.randrange(12)
        position, agency, field = _AGENCIES[i % len(_AGENCIES)]
        c.update(
            id=f"c{i:04d}",
            full_name=f"{family} {middle} {given}",
            gender="nu" if female else "nam",
            birth_date=f"{year}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}",
            # CCCD: 051 (Quảng Ngãi), sex/century digit, year of birth, then a serial number
            id_number=f"051{1 if female else 0}{year % 100:02d}{i:06d}",
            position=position,
            agency=agency,
            work_field=field,
            planned_position=f"{position.removeprefix('Phó ')} {agency}",
            k39_history=[],
            leadership_term_end="2031-06-30",
        )
        data["candidates"].append(c)
    return data
