"""Metadata removal at intake: a file's own footprint never reaches storage.

    result = clean_isolated(data, CleanOptions(strict_images=False, keep_form_values=False))

`clean` runs in-process; `clean_isolated` runs it in a resource-limited worker and never
raises for anything about the file.
"""

from sealbox.scrub.limits import WorkerLimits
from sealbox.scrub.model import CleanOptions, CleanResult, Finding, Notice, Outcome
from sealbox.scrub.registry import clean, inspect, supported_kinds
from sealbox.scrub.worker import clean_isolated

__all__ = [
    "CleanOptions",
    "CleanResult",
    "Finding",
    "Notice",
    "Outcome",
    "WorkerLimits",
    "clean",
    "clean_isolated",
    "inspect",
    "supported_kinds",
]
