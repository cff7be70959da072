"""Sniff a file's type from its bytes alone: never from its name or a Content-Type header."""

from __future__ import annotations

import io
import re
import struct
import zipfile

OCTET = "application/octet-stream"

_OOXML = "application/vnd.openxmlformats-officedocument"
OOXML_MAIN = {
    "word/document.xml": f"{_OOXML}.wordprocessingml.document",
    "xl/workbook.xml": f"{_OOXML}.spreadsheetml.sheet",
    "ppt/presentation.xml": f"{_OOXML}.presentationml.presentation",
}
ODF_KINDS = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.graphics",
    "application/vnd.oasis.opendocument.formula",
    "application/vnd.oasis.opendocument.chart",
    "application/vnd.oasis.opendocument.image",
}
_ASF = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_JXL_BOX = b"\x00\x00\x00\x0cJXL \r\n\x87\n"
_BMP = {12, 40, 52, 56, 64, 108, 124}
_TORRENT = re.compile(rb"d\d{1,4}:[a-z -]{2,20}")
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_MARKUP_REFUSED = (
    (b"{\\rtf", "application/rtf"),
    (b"%!ps", "application/postscript"),
)
# Before the root element of an XML file: a declaration, comments, processing instructions
# and a document type, in any order.
_XML_PROLOG = re.compile(r"(\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>)*", re.S)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_DECLARATION = re.compile(r"\s*(--|-)?[A-Za-z_][\w-]*\s*:")


def detect(data: bytes, deep: bool = True) -> str:
    """The MIME type of `data`, or application/octet-stream when unknown.

    With `deep=False` archives are not opened (cheap enough for a process that must not parse).
    """
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(
            head[8:12], OCTET
        )
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:2] == b"BM" and len(head) >= 18 and int.from_bytes(head[14:18], "little") in _BMP:
        return "image/bmp"
    if head[:1] == b"P" and head[1:2] in b"123456" and head[2:3] in b" \t\r\n#" and len(head) > 3:
        return "image/x-portable-anymap"
    if head.startswith((b"\xff\x0a", _JXL_BOX)):
        return "image/jxl"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "audio/aiff"
    if head[:16] == _ASF:
        return "video/x-ms-asf"
    if head[4:8] == b"ftyp":
        return _ftyp_kind(data)
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_kind(data) if deep else "application/zip"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:3] == b"ID3" or _mpeg_frame(head):
        return "audio/mpeg"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm" if b"webm" in data[:64] else "video/x-matroska"
    if _TORRENT.match(head) and b"4:info" in data:
        return "application/x-bittorrent"
    return _text_kind(data)


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: sync, then a valid version, layer, bitrate and rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _ftyp_kind(data: bytes) -> str:
    (size,) = struct.unpack(">I", data[:4])
    box = data[8 : max(8, min(size, 256))]
    brands = {box[i : i + 4] for i in range(0, len(box) - 3, 4) if i != 4}
    major = box[:4]
    if major in _HEIF_BRANDS or (brands & _HEIF_BRANDS and b"avif" not in brands):
        return "image/heif"
    if major in (b"avif", b"avis"):
        return "image/avif"
    if major in (b"M4A ", b"M4B ", b"M4P "):
        return "audio/mp4"
    if major == b"qt  ":
        return "video/quicktime"
    if major.startswith(b"3g"):
        return "video/3gpp"
    return "video/mp4"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            for main, kind in OOXML_MAIN.items():
                if main in names:
                    return kind  # without [Content_Types].xml too: a damaged document
            if "[Content_Types].xml" in names:
                return "application/x-ooxml-unknown"
            if "mimetype" in names:
                info = zf.getinfo("mimetype")
                if info.file_size <= 100:
                    mime = zf.read(info).decode("ascii", "replace").strip()
                    if mime in ODF_KINDS:
                        return mime
                    return mime or "application/zip"
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        return "application/zip"
    return "application/zip"


def _text_kind(data: bytes) -> str:
    if not data or b"\x00" in data[:65536]:
        return OCTET
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return OCTET
    text = text.lstrip("\ufeff")
    lead = text.lstrip(" \t\r\n")[:512].lower().encode()
    for prefix, kind in _MARKUP_REFUSED:
        if lead.startswith(prefix):
            return kind
    if lead.startswith((b"<!doctype html", b"<html", b"<head")) or b"<html" in lead:
        return "text/html"
    if lead.startswith((b"<?xml", b"<!--", b"<!doctype", b"<svg", b"<")):
        root = text[_XML_PROLOG.match(text[:65536]).end() :][:256]
        if re.match(r"<([\w.-]+:)?svg[\s>/]", root):
            return "image/svg+xml"
        if lead.startswith(b"<!--") and "<html" in text[:4096].lower():
            return "text/html"
        if lead.startswith((b"<?xml", b"<!--")):
            return "application/xml"
    if _looks_like_css(text):
        return "text/css"
    return "text/plain"


def _looks_like_css(text: str) -> bool:
    """Style sheets only: rules of declarations (`name: value;`) and at-rules, once comments
    are set aside. One pass over the text, so no input can make it slow."""
    if "{" not in text[:65536] or len(text) > 8 * 1024 * 1024:
        return False
    bare = _CSS_COMMENT.sub(" ", text)
    depth, start, rules = 0, 0, 0
    prelude = ""
    for at, ch in enumerate(bare):
        if ch == "{":
            if depth == 0:
                prelude = bare[start:at]
                if not _css_prelude(prelude):
                    return False
            elif depth == 1 and not prelude.lstrip().startswith("@"):
                return False  # only at-rules (@media...) hold rules
            elif depth > 1:
                return False
            depth += 1
            start = at + 1
        elif ch == "}":
            if depth == 0 or not _css_declarations(bare[start:at]):
                return False
            depth -= 1
            rules += 1
            start = at + 1
        elif ch == ";" and depth == 0 and not bare[start:at].lstrip().startswith("@"):
            return False
    return depth == 0 and rules > 0 and bare[start:].strip() == ""


def _css_prelude(text: str) -> bool:
    *statements, selector = text.split(";")
    if any(not part.strip().startswith("@") for part in statements):
        return False
    selector = selector.strip()
    return 0 < len(selector) < 1000 and "\n\n" not in selector


def _css_declarations(body: str) -> bool:
    parts = [part for part in body.split(";") if part.strip()]
    return all(_CSS_DECLARATION.match(part) for part in parts)
