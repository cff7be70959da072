"""Sorting audio/video tag names into the findings a person reads (location, camera, dates...)."""

from __future__ import annotations

from collections.abc import Iterable

from sealbox.scrub.model import Finding

NOT_METADATA = {
    "major_brand",
    "minor_version",
    "compatible_brands",
    "language",
    "handler_name",
    "vendor_id",
    "duration",
    "encoder",
    "_statistics_tags",
    "_statistics_writing_app",
    "_statistics_writing_date_utc",
    "number_of_frames",
    "number_of_bytes",
    "bps",
}
_LOCATION = ("location", "com.apple.quicktime.location", "gps", "xyz", "\xa9xyz", "loci")
_CAMERA = ("make", "model", "com.apple.quicktime.make", "com.apple.quicktime.model", "\xa9mak")
_DATES = (
    "creation_time",
    "date",
    "com.apple.quicktime.creationdate",
    "year",
    "tdrc",
    "tyer",
    "\xa9day",
)
_SOFTWARE = ("software", "com.apple.quicktime.software", "encoded_by", "encoder", "\xa9too")


def classify(keys: Iterable[str], skip_technical: bool = True) -> list[Finding]:
    """Findings for tag names (case-insensitive); purely technical names are skipped."""
    out: list[Finding] = []
    counted = 0
    for raw in keys:
        key = raw.lower()
        if skip_technical and (key in NOT_METADATA or key.startswith("_statistics")):
            continue
        if key.startswith(_LOCATION):
            out.append(Finding("location"))
        elif key.startswith(_CAMERA):
            out.append(Finding("camera"))
        elif key.startswith(_DATES):
            out.append(Finding("dates", 1))
        elif key.startswith(_SOFTWARE):
            out.append(Finding("software"))
        else:
            counted += 1
    if counted:
        out.append(Finding("tags", counted))
    return out
