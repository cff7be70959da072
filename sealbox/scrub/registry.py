"""One registry from detected type to the module that cleans it, and the in-process `clean`."""

from __future__ import annotations

import importlib
import logging

from sealbox.scrub.cleaner import Budget, Cleaner, Context
from sealbox.scrub.detect import detect
from sealbox.scrub.errors import CannotClean
from sealbox.scrub.model import CleanOptions, CleanResult, Finding, Notice, Outcome, merge_findings

log = logging.getLogger(__name__)

# Detected type -> module (imported lazily so a worker only loads what it needs).
_MODULES: dict[str, str] = {
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/tiff": "rerender",
    "image/heif": "rerender",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "ooxml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "ooxml",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "ooxml",
    "application/vnd.oasis.opendocument.text": "opendocument",
    "application/vnd.oasis.opendocument.spreadsheet": "opendocument",
    "application/vnd.oasis.opendocument.presentation": "opendocument",
    "application/vnd.oasis.opendocument.graphics": "opendocument",
    "application/zip": "zip",
    "audio/flac": "audio",
    "audio/mpeg": "audio",
    "audio/ogg": "audio",
    "audio/wav": "audio",
    "audio/mp4": "audio",
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/3gpp": "video",
    "video/x-matroska": "video",
    "video/webm": "video",
    "video/x-msvideo": "video",
    "text/plain": "text",
    "text/html": "text",
}


def supported_kinds() -> frozenset[str]:
    """Every type that can be cleaned."""
    return frozenset(_MODULES)


def cleaner_for(kind: str) -> Cleaner:
    """The module that cleans `kind`; raises CannotClean when there is none."""
    name = _MODULES.get(kind)
    if name is None:
        raise CannotClean("unsupported", kind)
    return importlib.import_module(f"sealbox.scrub.{name}")  # type: ignore[return-value]


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
        return CleanResult(Outcome.CANNOT_CLEAN, kind, None, reason=Notice("damaged", kind))
    except Exception:  # a parser tripping over a hostile file is about the file: fail closed
        log.warning("cleaner for %s failed", kind, exc_info=True)
        return CleanResult(Outcome.CANNOT_CLEAN, kind, None, reason=Notice("damaged", kind))
    removed = merge_findings(cleaned.removed)
    outcome = Outcome.CLEANED if removed else Outcome.NOTHING_TO_REMOVE
    return CleanResult(outcome, kind, cleaned.data, removed, tuple(dict.fromkeys(cleaned.residual)))
