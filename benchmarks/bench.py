"""Measure k39docs against LibreOffice's own limit, in one run on one machine.

    .venv/bin/python benchmarks/bench.py --candidates 10 100 200 [--repeat 2] [--verify] [--json]

Builds a synthetic nomination dossier of N candidates and measures:

* ``end_to_end_s``      ``k39docs render`` (the command, in its own process, signing included)
                        with a cold content cache (nothing rendered or converted before) and no
                        LibreOffice running, on a machine where k39docs has run once: what the
                        first run leaves in the user cache besides documents (a started
                        LibreOffice profile, the stamp font, the templates' compiled code) is
                        made beforehand by a one-candidate render, as any clerk's second
                        dossier finds it;
* ``floor_s``           the same DOCX files converted by bare ``soffice --convert-to pdf``, one
                        call per core in parallel: the LibreOffice limit. Its profiles are copies
                        of that started profile too, so both sides start the same LibreOffice;
* ``naive_per_doc_s``   one ``soffice`` process per document (measured on ``--naive-docs``
                        documents, each with a copy of the started profile), the way
                        docassemble-style tools convert;
* ``rerun_cli_s``       ``k39docs render`` again, a new process, after one candidate's position
                        changed: the content cache is warm, nothing else is;
* ``rerun_session_s``   the same in a warm :class:`k39docs.render.Session` (``k39docs watch``, the
                        service): LibreOffice already running, another candidate changed;
* ``peak_rss_mb``       peak resident memory of the Python process of the cold render (not
                        LibreOffice's);
* ``verify_s``, ``verify_ok`` (with ``--verify``): ``k39docs verify`` on the signed dossier;
* with ``--repeat R``, each timing is the best of R runs (content cache emptied before each);
* ``documents``, ``pages``, ``ratio_vs_floor`` = end_to_end / floor,
  ``speedup_vs_naive`` = naive_per_doc × documents / end_to_end, ``rerun_share`` =
  rerun_cli / end_to_end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from k39docs.office import find_soffice  # noqa: E402
from k39docs.resources import sample_images  # noqa: E402
from k39docs.synthetic import synthetic_dossier  # noqa: E402

_RUN_WITH_RSS = (
    "import atexit, resource, sys\n"
    "out = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(out, 'w').write("
    "str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
    "sys.argv[0] = 'k39docs'\n"
    "from k39docs.cli import main\n"
    "main()\n"
)


def _env(cache_dir: Path) -> dict[str, str]:
    return {**os.environ, "K39_CACHE_DIR": str(cache_dir)}


def _render(dossier: Path, outdir: Path, cache_dir: Path, *extra: str) -> tuple[float, float]:
    """Run the CLI; return (seconds, peak RSS in MB of its Python process)."""
    rss_file = outdir.parent / f"{outdir.name}.rss"
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _RUN_WITH_RSS,
            str(rss_file),
            "render",
            str(dossier),
            "-o",
            str(outdir),
            "-q",
            *extra,
        ],
        env=_env(cache_dir),
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"render failed ({result.returncode}):\n{result.stderr}")
    rss_kb = int(rss_file.read_text())
    return elapsed, rss_kb / 1024


def _verify(pdf: Path, ca: Path, cache_dir: Path) -> tuple[float, bool]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "k39docs", "verify", str(pdf), "--trust-root", str(ca)],
        env=_env(cache_dir),
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, result.returncode == 0


_RERUN_IN_SESSION = (
    "import sys, time, yaml\n"
    "from pathlib import Path\n"
    "from k39docs import load_dossier\n"
    "from k39docs.render import RenderOptions, Session\n"
    "dossier, outdir = Path(sys.argv[1]), Path(sys.argv[2])\n"
    "options = RenderOptions(base_dir=dossier.parent)\n"
    "data = yaml.safe_load(dossier.read_text(encoding='utf-8'))\n"
    "with Session() as session:\n"
    "    session.warm_up()  # what `k39docs watch` does when it starts\n"
    "    session.render(load_dossier(data), outdir, options=options)\n"
    "    session.settle()  # what `k39docs watch` does once a render is reported\n"
    "    data['candidates'][1]['position'] = 'Phó Giám đốc'\n"
    "    started = time.perf_counter()\n"
    "    session.render(load_dossier(data), outdir, options=options)\n"
    "    print(time.perf_counter() - started)\n"
)


def _rerun_in_session(dossier: Path, outdir: Path, cache_dir: Path) -> float:
    """A warm session (``k39docs watch``, a service) renders again after one candidate changed."""
    result = subprocess.run(
        [sys.executable, "-c", _RERUN_IN_SESSION, str(dossier), str(outdir)],
        env=_env(cache_dir),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"session rerun failed ({result.returncode}):\n{result.stderr}")
    return float(result.stdout.split()[-1])


def _soffice(files: list[Path], outdir: Path, profile: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(find_soffice()),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


FLOOR_CHUNK = 200  # one soffice call stops converting somewhere past ~500 files


def _floor(docx: list[Path], work: Path, seed: Path) -> float:
    cores = os.cpu_count() or 1
    groups = [docx[i::cores] for i in range(cores)]
    work.mkdir(parents=True, exist_ok=True)
    for i in range(cores):  # copied before the clock starts, as k39docs copies its own
        shutil.copytree(seed, work / f"floor-profile-{i}", symlinks=True)

    def convert_group(i: int, group: list[Path]) -> None:
        for start in range(0, len(group), FLOOR_CHUNK):
            _soffice(
                group[start : start + FLOOR_CHUNK], work / "floor", work / f"floor-profile-{i}"
            ).wait()

    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    with ThreadPoolExecutor(cores) as pool:
        list(pool.map(convert_group, range(cores), groups))
    elapsed = time.perf_counter() - started
    made = len(list((work / "floor").glob("*.pdf")))
    if made != len(docx):  # a floor that skipped documents would flatter nobody
        raise SystemExit(f"floor: soffice produced {made} of {len(docx)} PDFs")
    return elapsed


def _naive(docx: list[Path], work: Path, seed: Path) -> float:
    spent = 0.0
    for i, path in enumerate(docx):
        profile = work / f"naive-profile-{i}"
        shutil.copytree(seed, profile, symlinks=True)  # not timed
        started = time.perf_counter()
        _soffice([path], work / "naive", profile).wait()
        spent += time.perf_counter() - started
    return spent / len(docx)


def _first_run(work: Path, cache: Path) -> Path:
    """A one-candidate render, so the user cache holds what a first run leaves (a started
    LibreOffice profile, the stamp font, compiled templates), then no documents: the content
    cache is cold."""
    small = work / "first-run"
    small.mkdir()
    (small / "dossier.yaml").write_text(
        yaml.safe_dump(synthetic_dossier(1), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    shutil.copytree(work / "images", small / "images")
    _render(small / "dossier.yaml", small / "out", cache)
    shutil.rmtree(cache / "documents")
    seed = cache / "libreoffice-profile"
    if not seed.is_dir():
        raise SystemExit("the first run left no LibreOffice profile in the user cache")
    return seed


def run(n: int, naive_docs: int, repeat: int = 1, verify: bool = False) -> dict:
    """One row of the table; with ``repeat`` > 1 each timing is the best of that many (this
    machine's timings vary by about ±1 s from run to run, the floor's as much as the rest)."""
    with tempfile.TemporaryDirectory(prefix="k39-bench-") as tmp:
        work = Path(tmp)
        data = synthetic_dossier(n)
        dossier = work / "dossier.yaml"
        (work / "images").mkdir()
        for image in sample_images():
            shutil.copy(image, work / "images" / image.name)
        cache = work / "cache"
        seed = _first_run(work, cache)
        runs = []

        def change(position: str) -> None:
            data["candidates"][len(data["candidates"]) // 2]["position"] = position
            dossier.write_text(
                yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )

        verified: tuple[float, bool] | None = None  # (seconds, accepted), of the first attempt
        for attempt in range(repeat):
            change("Phó Giám đốc")
            shutil.rmtree(cache / "documents", ignore_errors=True)  # cold content cache
            shutil.rmtree(work / "out", ignore_errors=True)
            end_to_end, rss = _render(dossier, work / "out", cache)
            if verify and attempt == 0:
                verified = _verify(
                    work / "out" / "dossier.pdf", work / "out" / "demo-ca.pem", cache
                )
            # one candidate changes: only their documents and the ones listing everybody
            # render again; a new process, with the content cache
            change(f"Giám đốc {attempt}")
            rerun, _ = _render(dossier, work / "out", cache)
            rerun_session = _rerun_in_session(dossier, work / "out", cache)
            floor = _floor(
                sorted((work / "out" / "docx").glob("*.docx")), work / f"floor-{attempt}", seed
            )
            runs.append((end_to_end, floor, rerun, rerun_session, rss))
        manifest = json.loads((work / "out" / "manifest.json").read_text(encoding="utf-8"))
        documents = [f for f in manifest["files"] if f["format"] == "docx"]
        pages = sum(
            f["pages"] or 0
            for f in manifest["files"]
            if f["format"] == "pdf" and f["kind"] not in ("dossier", "internal_bundle")
        )
        docx = sorted((work / "out" / "docx").glob("*.docx"))
        naive = _naive(docx[:naive_docs], work, seed)
    end_to_end, floor, rerun, rerun_session = (min(r[i] for r in runs) for i in range(4))
    rss = max(r[4] for r in runs)
    row = {
        "candidates": n,
        "documents": len(documents),
        "pages": pages,
        "end_to_end_s": round(end_to_end, 2),
        "floor_s": round(floor, 2),
        "ratio_vs_floor": round(end_to_end / floor, 3),
        "naive_per_doc_s": round(naive, 3),
        "speedup_vs_naive": round(naive * len(documents) / end_to_end, 1),
        "rerun_cli_s": round(rerun, 2),
        "rerun_share": round(rerun / end_to_end, 3),
        "rerun_session_s": round(rerun_session, 2),
        "rerun_session_share": round(rerun_session / end_to_end, 3),
        "peak_rss_mb": round(rss, 1),
        "repeat": repeat,
    }
    if verified is not None:
        row["verify_s"] = round(verified[0], 2)
        row["verify_ok"] = verified[1]
    return row


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lo = subprocess.run([str(find_soffice()), "--version"], capture_output=True, text=True).stdout
    return f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; {lo.strip()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, nargs="+", default=[10])
    parser.add_argument("--naive-docs", type=int, default=10)
    parser.add_argument(
        "--repeat", type=int, default=1, help="best of this many runs for each timing (default 1)"
    )
    parser.add_argument(
        "--verify", action="store_true", help="also run k39docs verify on the signed dossier"
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    args = parser.parse_args()
    if not args.json:
        print(machine())
    for n in args.candidates:
        result = run(n, args.naive_docs, args.repeat, args.verify)
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            print(" ".join(f"{k}={v}" for k, v in result.items()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
