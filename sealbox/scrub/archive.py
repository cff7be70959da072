"""Reading ZIP containers defensively and writing them back with nothing but names and bytes.

Shared by the archive, Office Open XML and OpenDocument cleaners. Reading enforces the limits
on nesting depth, member count, expansion (total and ratio) and refuses overlapping entries;
writing normalises every entry date, system and permissions, and drops comments and extra
fields.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

from sealbox.scrub.cleaner import Context
from sealbox.scrub.errors import CannotClean
from sealbox.scrub.model import Finding

EPOCH = (1980, 1, 1, 0, 0, 0)
_BOMB_FLOOR = 16 * 1024 * 1024  # ratios only matter once the expansion is large


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes
    is_dir: bool


@dataclass(frozen=True)
class Archive:
    members: list[Member]
    findings: list[Finding]


def read(data: bytes, ctx: Context, kind: str) -> Archive:
    """Every member of the ZIP in `data`, after the safety checks; raises CannotClean."""
    if ctx.depth > ctx.options.max_depth:
        raise CannotClean("too_deep")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise CannotClean("damaged", kind) from exc
    if len(infos) > ctx.options.max_members:
        raise CannotClean("too_many")
    _check_overlaps(data, infos, kind)
    declared = sum(i.file_size for i in infos)
    if declared > ctx.options.max_expanded_bytes or (
        declared > _BOMB_FLOOR and declared > ctx.options.max_ratio * max(len(data), 1)
    ):
        raise CannotClean("bomb")
    findings: list[Finding] = []
    if zf.comment:
        findings.append(Finding("archive_comments"))
    names: set[str] = set()
    members: list[Member] = []
    dated = commented = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise CannotClean("encrypted")
        if info.filename in names:
            raise CannotClean("damaged", kind)
        names.add(info.filename)
        if info.date_time != EPOCH or info.extra:
            dated += 1
        if info.comment:
            commented += 1
        ctx.spend(info.file_size)
        try:
            body = b"" if info.is_dir() else zf.read(info)
        except MemoryError:
            raise
        except NotImplementedError as exc:
            raise CannotClean("unsupported", f"{kind}: compression method") from exc
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError) as exc:
            raise CannotClean("damaged", kind) from exc
        except Exception as exc:  # zlib/bz2/lzma errors surface as their own types
            raise CannotClean("damaged", kind) from exc
        members.append(Member(info.filename, body, info.is_dir()))
    if dated:
        findings.append(Finding("archive_dates"))
    if commented:
        findings.append(Finding("archive_comments"))
    return Archive(members, findings)


def _check_overlaps(data: bytes, infos: list[zipfile.ZipInfo], kind: str) -> None:
    """Refuse archives whose entries share bytes: the trick behind non-recursive zip bombs."""
    spans = []
    for info in infos:
        start = info.header_offset
        head = data[start : start + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise CannotClean("damaged", kind)
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        spans.append((start, start + 30 + name_len + extra_len + info.compress_size))
    spans.sort()
    for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
        if next_start < end:
            raise CannotClean("overlapping")


def write(entries: list[tuple[str, bytes | None]], stored: frozenset[str] = frozenset()) -> bytes:
    """A ZIP of (name, bytes) pairs (None for a directory) with every date and attribute fixed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in entries:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            # Every entry looks made on the same Unix system with the usual permissions: the
            # system that wrote it (Windows, macOS...) and its permissions say who made it.
            info.create_system = 3
            if body is None:
                info.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(info, b"")
                continue
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            zf.writestr(info, body, compresslevel=6)
    return out.getvalue()
