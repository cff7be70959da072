"""BitTorrent metainfo (.torrent): only the trackers and the `info` dictionary stay.

Dropped: `created by` (the program), `creation date`, `comment`, `encoding` and any other
top-level key. `info` is kept byte for byte: the torrent's identity (its info hash) is computed
from it, so changing it would make a different torrent.
"""

from __future__ import annotations

from sealbox.scrub.cleaner import Cleaned, Context
from sealbox.scrub.errors import damaged
from sealbox.scrub.model import Finding, Notice

KIND = "application/x-bittorrent"
_KEEP = (b"announce", b"announce-list", b"info", b"url-list", b"nodes")
_CODES = {b"created by": "software", b"creation date": "dates", b"comment": "comments"}
_MAX_DEPTH = 64


def _end(data: bytes, pos: int, depth: int = 0) -> int:
    """Where the bencoded value starting at `pos` ends."""
    if depth > _MAX_DEPTH or pos >= len(data):
        raise damaged(KIND)
    lead = data[pos : pos + 1]
    if lead == b"i":
        end = data.find(b"e", pos)
        if end < 0 or not data[pos + 1 : end].lstrip(b"-").isdigit():
            raise damaged(KIND)
        return end + 1
    if lead in (b"l", b"d"):
        pos += 1
        while data[pos : pos + 1] != b"e":
            pos = _end(data, pos, depth + 1)
        return pos + 1
    colon = data.find(b":", pos, pos + 21)
    if colon < 0 or not data[pos:colon].isdigit():
        raise damaged(KIND)
    end = colon + 1 + int(data[pos:colon])
    if end > len(data):
        raise damaged(KIND)
    return end


def _entries(data: bytes) -> list[tuple[bytes, bytes]]:
    """(key, raw bencoded value) of the top-level dictionary."""
    if data[:1] != b"d" or _end(data, 0) != len(data):
        raise damaged(KIND)
    pos, out = 1, []
    while data[pos : pos + 1] != b"e":
        key_end = _end(data, pos)
        if data[pos : pos + 1] in (b"i", b"l", b"d"):
            raise damaged(KIND)
        key = data[data.index(b":", pos) + 1 : key_end]
        value_end = _end(data, key_end)
        out.append((key, data[key_end:value_end]))
        pos = value_end
    if not any(key == b"info" for key, _ in out):
        raise damaged(KIND)
    return out


def _findings(entries: list[tuple[bytes, bytes]]) -> list[Finding]:
    return [Finding(_CODES.get(key, "metadata")) for key, _ in entries if key not in _KEEP]


def inspect(data: bytes, ctx: Context) -> tuple[Finding, ...]:
    """Keys beside the trackers and the content's description."""
    return tuple(_findings(_entries(data)))


def clean(data: bytes, ctx: Context) -> Cleaned:
    """The dictionary with the kept keys only, in their original (sorted) order."""
    entries = _entries(data)
    body = b"".join(b"%d:%s%s" % (len(key), key, value) for key, value in entries if key in _KEEP)
    return Cleaned(b"d" + body + b"e", tuple(_findings(entries)), (Notice("document_content"),))
