"""TIFF, HEIC/HEIF, AVIF, BMP and Netpbm (PPM, PGM, PBM): re-rendered. Orientation is
applied, pixels copied into a fresh image, every profile, tag and header comment left behind.
Also the strict mode for the other image formats.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean, damaged
from sealbox.scrub.model import Finding, Notice

_FORMATS = {
    "image/tiff": "TIFF",
    "image/heif": "HEIF",
    "image/avif": "AVIF",
    "image/bmp": "BMP",
    "image/x-portable-anymap": "PPM",
}
_LOSSY = {"image/heif", "image/avif"}


def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


def _open(data: bytes, ctx: Context) -> Image.Image:
    _register_heif()
    Image.MAX_IMAGE_PIXELS = ctx.options.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > ctx.options.max_pixels:
                raise CannotClean("too_large", f"{image.width}×{image.height}")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CannotClean("too_large", "decompression bomb") from exc
    except (CannotClean, MemoryError):
        raise
    except Exception as exc:
        raise damaged("image") from exc
    return image


def _fresh(image: Image.Image) -> Image.Image:
    """Upright pixels in a brand-new image that carries no info, profile or tags."""
    upright = ImageOps.exif_transpose(image) or image
    mode = upright.mode
    if mode not in ("1", "L", "LA", "RGB", "RGBA", "I;16", "I", "F", "P"):
        upright = upright.convert("RGBA" if "A" in mode else "RGB")
        mode = upright.mode
    fresh = Image.frombytes(mode, upright.size, upright.tobytes())
    if mode == "P":
        fresh.putpalette(upright.getpalette() or [])
        if "transparency" in upright.info:
            fresh.info["transparency"] = upright.info["transparency"]
    return fresh


def render(data: bytes, ctx: Context, fmt: str) -> bytes:
    """Decode and re-encode the first frame as `fmt` with no metadata at all."""
    image = _fresh(_open(data, ctx))
    out = io.BytesIO()
    if fmt == "JPEG":
        image = image.convert("L" if image.mode in ("1", "L") else "RGB")
        image.save(out, "JPEG", quality=92, optimize=True)
    elif fmt == "HEIF":
        image.save(out, "HEIF", quality=90)
    elif fmt == "AVIF":
        image.save(out, "AVIF", quality=90)
    elif fmt == "TIFF":
        image.save(out, "TIFF", compression="tiff_lzw")
    elif fmt == "PPM" and image.mode not in ("1", "L", "I", "RGB"):
        image.convert("RGB").save(out, "PPM")
    else:
        image.save(out, fmt)
    return out.getvalue()


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """Everything beside the pixels counts: TIFF tags, EXIF, XMP, IPTC, profiles."""
    from sealbox.scrub import exif

    image = _open(data, ctx)
    found: list[Finding] = []
    raw = image.info.get("exif")
    if raw:
        found.extend(exif.findings(raw))
    else:
        tags = image.getexif()
        if any(t not in (0x0112,) for t in tags if t >= 0x010D and t not in _TIFF_LAYOUT):
            found.extend(exif.findings(tags.tobytes()))
    if image.info.get("xmp") or image.info.get("XML:com.adobe.xmp"):
        found.append(Finding("xmp", 1))
    if image.info.get("icc_profile"):
        found.append(Finding("icc"))
    if getattr(image, "tag_v2", None) is not None and 33723 in image.tag_v2:
        found.append(Finding("iptc"))
    if image.format == "PPM":
        notes = _pnm_comments(data)
        if notes:
            found.append(Finding("text_notes", notes))
    return tuple(found)


def _plain_pnm(image: Image.Image) -> bytes:
    """The picture as a plain Netpbm file (numbers as text, one row a line), no comments."""
    if image.mode == "1":
        magic, top, rows = "P1", None, image.convert("L")
    elif image.mode in ("L", "I", "I;16"):
        magic, rows = "P2", image if image.mode == "L" else image.convert("I")
        top = 255 if image.mode == "L" else 65535
    else:
        magic, top, rows = "P3", 255, image.convert("RGB")
    width, height = rows.size
    values = list(rows.getdata())
    lines = [magic, f"{width} {height}"] + ([] if top is None else [str(top)])
    for y in range(height):
        row = values[y * width : (y + 1) * width]
        if magic == "P1":
            lines.append(" ".join("0" if v else "1" for v in row))
        elif magic == "P2":
            lines.append(" ".join(str(min(max(v, 0), top)) for v in row))
        else:
            lines.append("  ".join(f"{r} {g} {b}" for r, g, b in row))
    return ("\n".join(lines) + "\n").encode("ascii")


def _pnm_comments(data: bytes) -> int:
    """`#` comments in a Netpbm header, which ends with its last number (size, maximum)."""
    if data[1:2] in b"123":  # plain files are text throughout; comments may sit anywhere
        return sum(1 for line in data.split(b"\n") if b"#" in line)
    numbers = 2 if data[1:2] in b"14" else 3
    comments = 0
    for line in data[2:4096].split(b"\n"):
        if numbers <= 0:
            break
        value, hash_, _ = line.partition(b"#")
        numbers -= len(value.split())
        comments += bool(hash_)
    return comments


_TIFF_LAYOUT = {
    0x0111,
    0x0115,
    0x0116,
    0x0117,
    0x011A,
    0x011B,
    0x011C,
    0x0128,
    0x0140,
    0x0152,
    0x0153,
    0x0142,
    0x0143,
    0x0144,
    0x0145,
    0x013D,
    0x0106,
    0x0103,
}


def clean(data: bytes, ctx: Context) -> Cleaned:
    """A re-rendered copy in the same format."""
    from sealbox.scrub.detect import detect

    kind = detect(data)
    findings = inspect(data, ctx)
    if kind == "image/x-portable-anymap" and data[1:2] in b"123":
        out = _plain_pnm(_fresh(_open(data, ctx)))  # plain (text) stays plain
    else:
        out = render(data, ctx, _FORMATS.get(kind, "PNG"))
    residual = [Notice("image_content"), Notice("sensor_noise_reduced")]
    if kind in _LOSSY:
        residual.append(Notice("lossy_rerender"))
    return Cleaned(out, findings, tuple(residual))
