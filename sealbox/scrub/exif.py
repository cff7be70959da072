"""Read EXIF to say what it holds; write the only EXIF we ever emit: one Orientation tag."""

from __future__ import annotations

import struct

from PIL import ExifTags, Image

from sealbox.scrub.model import Finding

ORIENTATION = 0x0112
_IFD_EXIF, _IFD_GPS, _IFD_INTEROP = 0x8769, 0x8825, 0xA005
_DATES = {0x0132, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9290, 0x9291, 0x9292}
_CAMERA = {0x010F, 0x0110}
_SERIAL = {0xA431, 0xC62F}
_LENS = {0xA432, 0xA433, 0xA434, 0xA435}
_AUTHOR = {0x013B, 0x8298, 0xA430, 0x9C9D}
_SOFTWARE = {0x0131, 0x013C}
_TITLE = {0x010E, 0x9C9B, 0x9C9F}
_COMMENT = {0x9286, 0x9C9C}
_KEYWORDS = {0x9C9E}
_IDS = {0xA420}
_MAKER = {0x927C}
_STRUCTURAL = {ORIENTATION, _IFD_EXIF, _IFD_GPS, _IFD_INTEROP, 0x0128, 0x011A, 0x011B, 0x0213}


def minimal_exif(orientation: int) -> bytes:
    """A fresh TIFF-structured EXIF block holding only the Orientation (1..8)."""
    ifd = struct.pack(">H", 1) + struct.pack(">HHIHH", ORIENTATION, 3, 1, orientation, 0)
    return b"MM\x00\x2a" + struct.pack(">I", 8) + ifd + b"\x00\x00\x00\x00"


def load(payload: bytes) -> Image.Exif | None:
    """Parse an EXIF block (with or without the 'Exif\\0\\0' prefix); None if it does not parse."""
    exif = Image.Exif()
    try:
        exif.load(payload)
        dict(exif)
    except Exception:  # a broken EXIF is still EXIF: the caller removes it either way
        return None
    return exif


def orientation(payload: bytes) -> int:
    """The Orientation in an EXIF block, 1 when absent or nonsensical."""
    exif = load(payload)
    value = exif.get(ORIENTATION, 1) if exif is not None else 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def only_orientation(payload: bytes) -> bool:
    """True if the block carries nothing but an orientation (our own minimal block)."""
    exif = load(payload)
    return exif is not None and set(exif) <= {ORIENTATION} and not _has_ifd(exif, _IFD_GPS)


def _has_ifd(exif: Image.Exif, tag: int) -> bool:
    try:
        return bool(exif.get_ifd(tag))
    except Exception:
        return False


def findings(payload: bytes) -> list[Finding]:
    """What an EXIF block reveals, as findings (a generic one when it does not parse)."""
    exif = load(payload)
    if exif is None:
        return [Finding("exif_other")]
    tags: set[int] = set(exif)
    try:
        sub = exif.get_ifd(_IFD_EXIF)
    except Exception:
        sub = {}
    tags |= set(sub)
    out: list[Finding] = []
    if _has_ifd(exif, _IFD_GPS) or _IFD_GPS in tags:
        out.append(Finding("gps"))
    if tags & _SERIAL:
        out.append(Finding("camera_serial"))
    elif tags & _CAMERA:
        out.append(Finding("camera"))
    if tags & _LENS:
        out.append(Finding("lens"))
    n_dates = len(tags & _DATES)
    if n_dates:
        out.append(Finding("dates", n_dates))
    for group, code in (
        (_AUTHOR, "author"),
        (_SOFTWARE, "software"),
        (_TITLE, "title"),
        (_COMMENT, "comments"),
        (_KEYWORDS, "keywords"),
        (_IDS, "document_ids"),
        (_MAKER, "maker_notes"),
    ):
        if tags & group:
            out.append(Finding(code))
    try:
        if exif.get_ifd(ExifTags.IFD.IFD1):
            out.append(Finding("thumbnail"))
    except Exception:
        out.append(Finding("thumbnail"))
    known = _DATES | _CAMERA | _SERIAL | _LENS | _AUTHOR | _SOFTWARE | _TITLE | _COMMENT | _KEYWORDS
    if tags - known - _IDS - _MAKER - _STRUCTURAL:
        out.append(Finding("exif_other"))
    return out
