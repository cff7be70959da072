"""Pictures of a file, drawn in the isolated worker, for a handler to look at in the browser.

A hostile file aims at the program that opens it: a PDF reader's script engine, an image
decoder's bug. A handler who only needs to see a photo or a letter should not have to open it
on their own machine. Here the worker (the same resource-limited child that cleans uploads)
draws it to PNG: images through Pillow, decoded once and re-encoded, with a bound on pixels so
that a decompression bomb is refused before it is decoded; PDFs through Poppler's `pdftoppm`,
fed on stdin and read from stdout (no file), under the child's memory and CPU limits and a
wall-clock timeout of its own. Only the first `MAX_PAGES` pages are drawn. What reaches the
browser is pixels: no script, no link, no font, no metadata of the file.
"""

from __future__ import annotations

import io
import re
import signal
import subprocess
from dataclasses import dataclass, field

from sealbox.scrub.detect import detect

# Pages of a PDF drawn at most (a preview, not a reader: the rest needs the download).
MAX_PAGES = 5
# The longest side of a drawn page, in pixels.
MAX_SIDE = 1600
# An image with more pixels than this is not decoded (a 12,000 × 12,000 photo is 144 M).
MAX_PIXELS = 150_000_000
IMAGE_KINDS = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}
)
PDF = "application/pdf"
POPPLER = "/usr/bin"
# Seconds one Poppler run may take (less if the worker's own deadline is nearer).
PDF_SECONDS = 30

# Why a file could not be drawn (the web layer words each).
UNSUPPORTED = "unsupported"
TOO_LARGE = "too_large"
UNREADABLE = "unreadable"
TIMEOUT = "timeout"
MEMORY = "memory"
NO_PAGE = "no_page"


@dataclass(frozen=True)
class PreviewRequest:
    """Page 0: how many pages can be drawn; page n (1..MAX_PAGES): that page as PNG."""

    page: int = 0


@dataclass(frozen=True)
class PreviewResult:
    kind: str = ""
    # Pages that can be drawn (at most MAX_PAGES) and how many the file has.
    pages: int = 0
    total: int = 0
    png: bytes | None = field(default=None, repr=False)
    refusal: str | None = None


def previewable(kind: str) -> bool:
    """Whether files of MIME type `kind` get a preview."""
    return kind in IMAGE_KINDS or kind == PDF


def render(data: bytes, request: PreviewRequest) -> PreviewResult:
    """In the worker: the page count or one page of `data` as PNG, or why not."""
    kind = detect(data, deep=False)
    if kind == PDF:
        return _pdf(data, request.page)
    if kind in IMAGE_KINDS:
        return _image(data, kind, request.page)
    return PreviewResult(kind, refusal=UNSUPPORTED)


def _image(data: bytes, kind: str, page: int) -> PreviewResult:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own bomb check, beside ours
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > MAX_PIXELS:
                return PreviewResult(kind, refusal=TOO_LARGE)
            if page == 0:
                return PreviewResult(kind, pages=1, total=1)
            if page != 1:
                return PreviewResult(kind, refusal=NO_PAGE)
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # a JPEG decodes at a smaller scale
            drawn = ImageOps.exif_transpose(image) or image
            drawn.thumbnail((MAX_SIDE, MAX_SIDE))
            if drawn.mode not in ("RGB", "RGBA", "L", "LA"):
                drawn = drawn.convert("RGBA")
            out = io.BytesIO()
            drawn.save(out, "PNG")
    except Image.DecompressionBombError:
        return PreviewResult(kind, refusal=TOO_LARGE)
    except MemoryError:
        return PreviewResult(kind, refusal=MEMORY)
    except Exception:  # a hostile or broken file: any decoder error means "cannot draw it"
        return PreviewResult(kind, refusal=UNREADABLE)
    return PreviewResult(kind, pages=1, total=1, png=out.getvalue())


def _pdf(data: bytes, page: int) -> PreviewResult:
    if page == 0:
        info = _poppler(["pdfinfo", "-"], data)
        if isinstance(info, str):
            return PreviewResult(PDF, refusal=info)
        found = re.search(rb"^Pages:\s+(\d+)\s*$", info, re.M)
        if found is None or int(found.group(1)) < 1:
            return PreviewResult(PDF, refusal=UNREADABLE)
        total = int(found.group(1))
        return PreviewResult(PDF, pages=min(total, MAX_PAGES), total=total)
    if not 1 <= page <= MAX_PAGES:
        return PreviewResult(PDF, refusal=NO_PAGE)
    first = str(page)
    args = ["pdftoppm", "-png", "-singlefile", "-f", first, "-l", first]
    drawn = _poppler([*args, "-scale-to", str(MAX_SIDE), "-"], data)
    if isinstance(drawn, str):
        return PreviewResult(PDF, refusal=drawn)
    if not drawn.startswith(b"\x89PNG\r\n\x1a\n"):
        return PreviewResult(PDF, refusal=NO_PAGE)
    return PreviewResult(PDF, pages=1, png=drawn)


def _poppler(command: list[str], data: bytes) -> bytes | str:
    """Run a Poppler tool on `data` (stdin) in this limited child; its stdout, or a refusal.

    The tool inherits the child's memory and CPU limits; its own timeout ends before the
    child's deadline, so it never outlives the child. Its stderr may quote the file: dropped."""
    left = signal.alarm(0)  # seconds until the child's deadline; set again at once
    signal.alarm(left)
    seconds = max(1, min(PDF_SECONDS, left - 1)) if left else PDF_SECONDS
    try:
        done = subprocess.run(
            [f"{POPPLER}/{command[0]}", *command[1:]],
            input=data,
            capture_output=True,
            timeout=seconds,
            env={"PATH": POPPLER, "LANG": "C"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return TIMEOUT
    except OSError:
        return UNSUPPORTED  # Poppler is not installed
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return TIMEOUT
    if done.returncode != 0:  # an error, or a crash (an allocation past the memory limit)
        return UNREADABLE
    return done.stdout
