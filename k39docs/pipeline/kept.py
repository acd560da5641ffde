"""What a :class:`~k39docs.pipeline.session.Session` keeps from one render to the next."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..manifest import FileDigests
from ..pdf.bundle import PartReaders

__all__ = ["Kept"]


@dataclass
class Kept:
    """What a session keeps between renders, by content key: the parsed part PDFs, and where
    the signatures go on the latest công văn; of one dossier, the latest (a long-lived Session
    renders one dossier after another all day: it keeps one dossier's PDFs, not every
    dossier's). And the digests of the files it wrote and took (by the files' identity)."""

    readers: PartReaders = field(default_factory=PartReaders)
    places: dict = field(default_factory=dict)
    dossier: str | None = None
    digests: FileDigests = field(default_factory=FileDigests)

    def serve(self, dossier_id: str) -> None:
        if dossier_id != self.dossier:
            self.readers, self.places, self.dossier = PartReaders(), {}, dossier_id
