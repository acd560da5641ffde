"""Shared fixtures: the sample dossier, rendered once per test session with real LibreOffice."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


def pytest_configure(config):
    # every test session starts with an empty content cache and LibreOffice profile seed, so the
    # tests exercise real rendering and conversion, never documents cached by an earlier run
    import os
    import tempfile

    os.environ["K39_CACHE_DIR"] = tempfile.mkdtemp(prefix="k39-test-cache-")


def pytest_unconfigure(config):
    import os

    folder = os.environ.get("K39_CACHE_DIR", "")
    if "k39-test-cache-" in folder:
        shutil.rmtree(folder, ignore_errors=True)


def _libreoffice_missing() -> bool:
    """As k39docs looks for it: $K39_SOFFICE, PATH, the usual install folders."""
    from k39docs.errors import DependencyError
    from k39docs.office import find_soffice

    try:
        find_soffice()
    except DependencyError:
        return True
    return False


def pytest_collection_modifyitems(config, items):
    if _libreoffice_missing():
        skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed")
        for item in items:
            if "soffice" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def sample_data() -> dict:
    """The sample dossier as plain data; copy before changing it."""
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def sample_mapping(sample_data) -> dict:
    return copy.deepcopy(sample_data)


@pytest.fixture(scope="session")
def sample_dossier():
    from k39docs import load_dossier

    return load_dossier(SAMPLE)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, sample_dossier):
    """The sample rendered end to end (DOCX, PDF, bundle, signature) into a fresh folder."""
    from k39docs.render import RenderOptions, render

    if _libreoffice_missing():
        pytest.skip("LibreOffice (soffice) is not installed")

    outdir = tmp_path_factory.mktemp("render") / sample_dossier.id
    manifest = render(sample_dossier, outdir, options=RenderOptions(base_dir=SAMPLE.parent))
    return outdir, manifest
