"""DOCX documents built with python-docx for the format checker's tests (see ``builder``)."""

from .builder import (
    Recipe,
    build,
    find_paragraph,
    set_run_property,
)

__all__ = ["Recipe", "build", "find_paragraph", "set_run_property"]
