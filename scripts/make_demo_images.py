"""Write the demo signature and seal images of the sample dossier (``fixtures/sample.yaml``).

The drawing lives in the package (``k39docs.signing.demo_images``), which demo signing also uses
to draw a seal with the dossier's own issuer name; this script only writes the two sample files.

    python scripts/make_demo_images.py [OUTDIR] [--seal-name "ỦY BAN NHÂN DÂN TỈNH …"]
                                                  # default: fixtures/images, the sample's issuer
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from k39docs.signing.demo_images import (  # noqa: E402
    SAMPLE_SEAL_NAME,
    draw_seal,
    draw_signature,
    save_png,
)

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    name = SAMPLE_SEAL_NAME
    if "--seal-name" in args:
        at = args.index("--seal-name")
        name = args[at + 1]
        del args[at : at + 2]
    out = Path(args[0]) if args else ROOT / "fixtures" / "images"
    for path in (
        save_png(draw_signature(), out / "chu-ky.png"),
        save_png(draw_seal(name), out / "con-dau.png"),
    ):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
