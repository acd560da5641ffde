"""Rectangles in PDF user space (points, origin bottom left), and millimetres in points."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["PT_PER_MM", "Rect"]

PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Rect:
    """A rectangle in PDF user space (points, origin bottom left)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def union(self, other: Rect) -> Rect:
        return Rect(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    def moved(self, dx: float, dy: float) -> Rect:
        return Rect(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def snapped(self) -> Rect:
        """The smallest rectangle with whole-point corners containing this one."""
        return Rect(
            math.floor(self.x0), math.floor(self.y0), math.ceil(self.x1), math.ceil(self.y1)
        )

    def as_box(self) -> tuple[int, int, int, int]:
        """Integer box for pyHanko's ``SigFieldSpec`` (rounded outwards)."""
        r = self.snapped()
        return int(r.x0), int(r.y0), int(r.x1), int(r.y1)
