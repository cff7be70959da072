"""Fixtures for the scrub tests. Inputs are built here, never read from a corpus."""

from __future__ import annotations

import shutil

import pytest

from sealbox.scrub import CleanOptions
from sealbox.scrub.cleaner import Budget, Context
from sealbox.scrub.registry import _clean


@pytest.fixture
def ctx() -> Context:
    options = CleanOptions()
    return Context(options, recurse=_clean, budget=Budget(options.max_expanded_bytes))


@pytest.fixture(scope="session", autouse=True)
def _tools() -> None:
    for tool in ("exiftool", "qpdf", "ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed by the scrub tests (scripts/install-test-deps)")
