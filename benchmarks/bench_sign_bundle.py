"""Time the two stages after conversion: bundling the PDFs and signing the bundle.

    .venv/bin/python benchmarks/bench_sign_bundle.py RENDER_DIR DOSSIER.yaml [--sizes 205 405]

RENDER_DIR is the output of ``k39docs render DOSSIER.yaml --no-sign -o RENDER_DIR`` (its
``pdf/`` folder, ``manifest.json`` and unsigned ``dossier.pdf`` are reused; nothing is rendered
again). For each size N (documents in the bundle: tờ trình, công văn, danh sách, then the
commitments and return reports of the first candidates) it prints, in seconds:

* ``bundle_s``        ``bundle_pdf`` of the N documents (the contents page is taken from the
                      rendered ``dossier.pdf``);
* ``sign_cold_s``     the first ``sign_dossier`` in this process (stamp font loaded from the
                      disk cache, or rescaled when the cache is cold);
* ``sign_s``          ``sign_dossier`` again, the best of ``--repeat`` runs;
* ``stamp_s``         the attachment stamps alone (one revision, written out), best of ``--repeat``;
* ``attachments``, ``pages``, ``bytes`` (size of the signed file).

Python imports are timed once, separately (``import_s``). The signing configuration of the
dossier is used (``demo: true`` in the synthetic dossiers).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from functools import partial
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_started = time.perf_counter()
from pypdf import PdfReader, PdfWriter  # noqa: E402

from k39docs.dossier.loader import load_dossier  # noqa: E402
from k39docs.pdf.bundle import Part, bundle_pdf  # noqa: E402
from k39docs.signing import SignatureRequest, sign_dossier  # noqa: E402

IMPORT_S = time.perf_counter() - _started

from k39docs.pipeline.signatures import signature_request  # noqa: E402  (not part of the signing import time)


def _parts(render_dir: Path, size: int) -> list[Part]:
    """The first documents of the bundle: the fixed ones, then candidates in pairs."""
    manifest = json.loads((render_dir / "manifest.json").read_text(encoding="utf-8"))
    pdfs = [
        f
        for f in manifest["files"]
        if f["format"] == "pdf" and f["kind"] not in ("dossier", "eligibility_report")
    ]
    fixed = [f for f in pdfs if f["candidate"] is None]
    candidates = list(dict.fromkeys(f["candidate"] for f in pdfs if f["candidate"]))
    keep = set(candidates[: max(0, (size - len(fixed)) // 2)])
    chosen = fixed + [f for f in pdfs if f["candidate"] in keep]
    return [Part(f["title"], render_dir / f["path"], f["kind"], f["candidate"]) for f in chosen]


def _contents_pdf(render_dir: Path, out: Path) -> Path:
    """The contents pages of the rendered bundle (the pages before its first bookmark)."""
    reader = PdfReader(render_dir / "dossier.pdf")
    entry = reader.outline[0]  # a destination: a list only holds the children of the entry before
    assert not isinstance(entry, list)
    first = reader.get_destination_page_number(entry)
    writer = PdfWriter()
    for page in reader.pages[:first]:
        writer.add_page(page)
    writer.write(out)
    return out


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("render_dir", type=Path)
    ap.add_argument("dossier", type=Path)
    ap.add_argument("--sizes", type=int, nargs="+", default=[205, 405])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    dossier = load_dossier(args.dossier)
    base_dir = args.dossier.resolve().parent
    results: dict = {"import_s": round(IMPORT_S, 3), "runs": []}
    with tempfile.TemporaryDirectory(prefix="k39-bench-") as tmp_name:
        tmp = Path(tmp_name)
        contents = _contents_pdf(args.render_dir, tmp / "muc-luc.pdf")
        for size in args.sizes:
            parts = _parts(args.render_dir, size)
            bundle = tmp / f"bundle-{size}.pdf"
            starts: list[int] = []

            # each closure binds this size's values (B023): they run within this iteration only
            def do_bundle(starts=starts, parts=parts, bundle=bundle):
                starts[:] = bundle_pdf(
                    contents,
                    parts,
                    bundle,
                    title="Hồ sơ",
                    author=dossier.issuer.name,
                    subject="benchmark",
                )

            bundle_s = _best(do_bundle, args.repeat)
            request = signature_request(dossier, parts, starts)
            signed = tmp / f"signed-{size}.pdf"

            def do_sign(bundle=bundle, signed=signed, request=request):
                sign_dossier(
                    bundle, signed, dossier.signing, request, base_dir=base_dir, out_dir=tmp
                )

            t = time.perf_counter()
            do_sign()
            sign_cold_s = time.perf_counter() - t
            sign_s = _best(do_sign, args.repeat)
            stamp_s = _best(partial(_stamps_only, bundle, request), args.repeat)
            results["runs"].append(
                {
                    "documents": len(parts),
                    "attachments": len(request.attachment_first_pages),
                    "pages": len(PdfReader(bundle).pages),
                    "bundle_s": round(bundle_s, 3),
                    "sign_cold_s": round(sign_cold_s, 3),
                    "sign_s": round(sign_s, 3),
                    "stamp_s": round(stamp_s, 3),
                    "bytes": signed.stat().st_size,
                    "unsigned_bytes": bundle.stat().st_size,
                }
            )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"import_s {results['import_s']}")
    for run in results["runs"]:
        print(" ".join(f"{k} {v}" for k, v in run.items()))


def _stamps_only(bundle: Path, request: SignatureRequest) -> None:
    """Only the attachment stamps of ``sign_dossier``'s first revision, written to memory."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from k39docs.signing.stamps import attachment_info_lines, stamp_attachments

    writer = IncrementalPdfFileWriter(BytesIO(bundle.read_bytes()))
    info = attachment_info_lines(
        request.document_number, "2026-12-10T09:15:02+07:00", request.agency_name
    )
    stamp_attachments(writer, request.attachment_first_pages, info)
    writer.write(BytesIO())


if __name__ == "__main__":
    main()
