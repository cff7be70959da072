"""TIFF and HEIC/HEIF: re-rendered. Orientation is applied, pixels copied into a fresh image,
every profile and tag left behind. Also the strict mode for the other image formats.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import CannotClean, damaged
from sealbox.scrub.model import Finding, Notice

_FORMATS = {"image/tiff": "TIFF", "image/heif": "HEIF"}


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
    elif fmt == "TIFF":
        image.save(out, "TIFF", compression="tiff_lzw")
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
    return tuple(found)


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
    out = render(data, ctx, _FORMATS.get(kind, "PNG"))
    residual = [Notice("image_content"), Notice("sensor_noise_reduced")]
    if kind == "image/heif":
        residual.append(Notice("lossy_rerender"))
    return Cleaned(out, findings, tuple(residual))
