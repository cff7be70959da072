"""Metadata removal at intake: a file's own footprint never reaches storage.

    result = clean_isolated(data, CleanOptions(strict_images=False, keep_form_values=False))

`clean` runs in-process; `clean_isolated` runs it in a resource-limited worker and never
raises for anything about the file. The names below are imported on first use, so that the
worker process and the command line load only the modules they need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "CleanOptions": "model",
    "CleanResult": "model",
    "Finding": "model",
    "Notice": "model",
    "Outcome": "model",
    "PreviewRequest": "preview",
    "PreviewResult": "preview",
    "WorkerLimits": "limits",
    "clean": "registry",
    "clean_isolated": "worker",
    "inspect": "registry",
    "preview_isolated": "worker",
    "previewable": "preview",
    "supported_kinds": "registry",
}
__all__ = [
    "CleanOptions",
    "CleanResult",
    "Finding",
    "Notice",
    "Outcome",
    "PreviewRequest",
    "PreviewResult",
    "WorkerLimits",
    "clean",
    "clean_isolated",
    "inspect",
    "preview_isolated",
    "previewable",
    "supported_kinds",
]

if TYPE_CHECKING:
    from sealbox.scrub.limits import WorkerLimits
    from sealbox.scrub.model import CleanOptions, CleanResult, Finding, Notice, Outcome
    from sealbox.scrub.preview import PreviewRequest, PreviewResult, previewable
    from sealbox.scrub.registry import clean, inspect, supported_kinds
    from sealbox.scrub.worker import clean_isolated, preview_isolated


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sealbox.scrub' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sealbox.scrub.{module}"), name)
