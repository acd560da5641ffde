"""What a render is asked to do (:class:`RenderOptions`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..edits import EDIT_MODES
from ..office import ConvertOptions

__all__ = ["FORMATS", "RenderOptions", "Progress", "with_options"]


FORMATS = ("docx", "pdf")


@dataclass(frozen=True)
class RenderOptions:
    formats: tuple[str, ...] = FORMATS
    sign: bool = True
    allow_ineligible: str | None = None  # the reason, recorded in the manifest
    base_dir: Path | None = None  # folder the dossier's relative paths (images, keys) start from
    templates: Path | None = None  # a folder of the user's own templates (rendered sandboxed)
    convert: ConvertOptions = field(default_factory=ConvertOptions)
    cache: bool = True  # reuse documents whose template and data did not change
    # the clerk's edits to the DOCX in OUTDIR (k39docs.edits): "stop", "keep" or "discard"
    edits: str = "stop"
    # the output is only read, never edited in place (the service's jobs): the files taken
    # from the cache may be the cache's own, linked, instead of copies
    linked_from_cache: bool = False

    def __post_init__(self) -> None:
        if self.edits not in EDIT_MODES:
            raise ValueError(f"edits must be one of {EDIT_MODES}, not {self.edits!r}")


Progress = Callable[[int, int, str], None]  # (documents done, documents in all, the latest's name)


def with_options(
    options: RenderOptions, allow_ineligible: str | None, edits: str | None
) -> RenderOptions:
    """``options`` with the keyword arguments that were given."""
    if allow_ineligible is not None:
        options = replace(options, allow_ineligible=allow_ineligible)
    if edits is not None:
        options = replace(options, edits=edits)
    return options
