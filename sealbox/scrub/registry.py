"""One registry from detected type to the module that cleans it, and the in-process `clean`."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sealbox.scrub.cleaner import Budget, Cleaner, Context
from sealbox.scrub.detect import detect
from sealbox.scrub.errors import CannotClean
from sealbox.scrub.model import CleanOptions, CleanResult, Finding, Notice, Outcome, merge_findings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Format:
    """A type that can be cleaned: the MIME type `detect` gives it, and the module cleaning it."""

    kind: str
    module: str


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"

# The one list of what can be cleaned. Modules are imported lazily, so a worker child loads
# only what its file needs; the zygote preloads `modules()` so that its children need not.
FORMATS: tuple[Format, ...] = (
    Format("image/jpeg", "jpeg"),
    Format("image/png", "png"),
    Format("image/webp", "webp"),
    Format("image/gif", "gif"),
    Format("image/tiff", "rerender"),
    Format("image/heif", "rerender"),
    Format("image/avif", "rerender"),
    Format("image/bmp", "rerender"),
    Format("image/x-portable-anymap", "rerender"),
    Format("image/jxl", "jxl"),
    Format("image/svg+xml", "svg"),
    Format("application/pdf", "pdf"),
    Format(f"{_OOXML}.wordprocessingml.document", "ooxml"),
    Format(f"{_OOXML}.spreadsheetml.sheet", "ooxml"),
    Format(f"{_OOXML}.presentationml.presentation", "ooxml"),
    Format(f"{_ODF}.text", "opendocument"),
    Format(f"{_ODF}.spreadsheet", "opendocument"),
    Format(f"{_ODF}.presentation", "opendocument"),
    Format(f"{_ODF}.graphics", "opendocument"),
    Format(f"{_ODF}.formula", "opendocument"),
    Format(f"{_ODF}.chart", "opendocument"),
    Format(f"{_ODF}.image", "opendocument"),
    Format("application/epub+zip", "epub"),
    Format("application/zip", "zip"),
    Format("audio/flac", "audio"),
    Format("audio/mpeg", "audio"),
    Format("audio/ogg", "audio"),
    Format("audio/wav", "audio"),
    Format("audio/mp4", "audio"),
    Format("audio/aiff", "aiff"),
    Format("video/mp4", "video"),
    Format("video/quicktime", "video"),
    Format("video/3gpp", "video"),
    Format("video/x-matroska", "video"),
    Format("video/webm", "video"),
    Format("video/x-msvideo", "video"),
    Format("video/x-ms-asf", "video"),
    Format("text/plain", "text"),
    Format("text/html", "text"),
    Format("text/css", "text"),
    Format("application/x-bittorrent", "torrent"),
)
_BY_KIND = {f.kind: f for f in FORMATS}
PACKAGE = "sealbox.scrub"


def supported_kinds() -> frozenset[str]:
    """Every type that can be cleaned."""
    return frozenset(_BY_KIND)


def modules(kinds: Iterable[str] | None = None) -> tuple[str, ...]:
    """Full names of the modules that clean `kinds` (default: every format), each once."""
    wanted = _BY_KIND.keys() if kinds is None else kinds
    names = (_BY_KIND[k].module for k in wanted if k in _BY_KIND)
    return tuple(dict.fromkeys(f"{PACKAGE}.{name}" for name in names))


def cleaner_for(kind: str) -> Cleaner:
    """The module that cleans `kind`; raises CannotClean when there is none."""
    fmt = _BY_KIND.get(kind)
    if fmt is None:
        raise CannotClean("unsupported", kind)
    return importlib.import_module(f"{PACKAGE}.{fmt.module}")  # type: ignore[return-value]


def inspect(data: bytes, options: CleanOptions | None = None) -> tuple[Finding, ...]:
    """What identifying metadata `data` holds, without cleaning it."""
    return cleaner_for(detect(data)).inspect(data, _root(options or CleanOptions()))


def clean(data: bytes, options: CleanOptions | None = None) -> CleanResult:
    """Clean `data` in this process. Prefer `clean_isolated` for anything a stranger sent."""
    return _clean(data, _root(options or CleanOptions()))


def _root(options: CleanOptions) -> Context:
    return Context(options, recurse=_clean, budget=Budget(options.max_expanded_bytes))


def _clean(data: bytes, ctx: Context) -> CleanResult:
    kind = detect(data) if data else "application/x-empty"
    try:
        if not data:
            raise CannotClean("empty")
        cleaned = cleaner_for(kind).clean(data, ctx)
    except CannotClean as exc:
        return CleanResult(Outcome.CANNOT_CLEAN, kind, None, reason=exc.reason)
    except MemoryError:
        return CleanResult(Outcome.CANNOT_CLEAN, kind, None, reason=Notice("memory"))
    except RecursionError:
        return CleanResult(Outcome.CANNOT_CLEAN, kind, None, reason=Notice("damaged", subject=kind))
    except Exception:  # a parser tripping over a hostile file is about the file: fail closed
        log.warning("cleaner for %s failed", kind, exc_info=True)
        return CleanResult(Outcome.CANNOT_CLEAN, kind, None, reason=Notice("damaged", subject=kind))
    removed = merge_findings(cleaned.removed)
    outcome = Outcome.CLEANED if removed else Outcome.NOTHING_TO_REMOVE
    return CleanResult(outcome, kind, cleaned.data, removed, tuple(dict.fromkeys(cleaned.residual)))
