"""Render the example dossiers and write the page images the README and docs/vi-du.md show.

    .venv/bin/python scripts/make_doc_images.py        # → docs/*.png

Three dossiers: the sample (fixtures/sample.yaml, Quảng Ngãi), a Gia Lai nomination with one
nominee proposed by exception and one still to sit the selection interview
(fixtures/gia-lai.yaml), and a report after a course (fixtures/sample-return.yaml). Each page
image is ``pdftoppm -png -r 70`` of the rendered PDF; a crop shows the signed signature block.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from k39docs import load_dossier  # noqa: E402
from k39docs.render import RenderOptions, render  # noqa: E402

DOCS = ROOT / "docs"
DPI = 70

# (dossier, bundle, page from 1, image name)
PAGES = [
    ("sample.yaml", "dossier.pdf", 1, "muc-luc.png"),
    ("sample.yaml", "dossier.pdf", 2, "cong-van-ky-so.png"),
    ("sample.yaml", "dossier.pdf", 3, "danh-sach.png"),
    ("sample.yaml", "dossier.pdf", 4, "cam-ket.png"),
    ("sample.yaml", "noi-bo.pdf", 1, "to-trinh.png"),
    ("sample.yaml", "noi-bo.pdf", -1, "ket-qua-ra-soat.png"),
    ("gia-lai.yaml", "dossier.pdf", 1, "gia-lai-muc-luc.png"),
    ("gia-lai.yaml", "dossier.pdf", 2, "gia-lai-cong-van.png"),
    ("gia-lai.yaml", "dossier.pdf", 4, "gia-lai-danh-sach.png"),
    ("gia-lai.yaml", "noi-bo.pdf", 2, "gia-lai-to-trinh-2.png"),
    ("gia-lai.yaml", "noi-bo.pdf", -1, "gia-lai-ket-qua-ra-soat.png"),
    ("sample-return.yaml", "dossier.pdf", 2, "bao-cao-cong-van.png"),
    ("sample-return.yaml", "dossier.pdf", 3, "bao-cao.png"),
]


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )


def _page_image(pdf: Path, page: int, out: Path) -> Path:
    if page < 0:
        page = _pages(pdf) + 1 + page
    stem = out.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(DPI),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return out


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="k39-doc-images-") as tmp:
        rendered: dict[str, Path] = {}
        for name in sorted({p[0] for p in PAGES}):
            source = ROOT / "fixtures" / name
            outdir = Path(tmp) / source.stem
            render(load_dossier(source), outdir, options=RenderOptions(base_dir=source.parent))
            rendered[name] = outdir
        for name, bundle, page, image in PAGES:
            print(_page_image(rendered[name] / bundle, page, DOCS / image).relative_to(ROOT))
        # the công văn's signature block, signed: its lower half
        signed = Image.open(DOCS / "cong-van-ky-so.png")
        w, h = signed.size
        signed.crop((0, int(h * 0.55), w, int(h * 0.85))).save(DOCS / "chu-ky-so-cong-van.png")
        print("docs/chu-ky-so-cong-van.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
