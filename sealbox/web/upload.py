"""Streaming multipart/form-data: each part is read as it arrives and never spooled in clear.

The parser runs in a worker thread and pulls body chunks from the event loop on demand, so a
1 GiB file flows through in 64 KiB pieces straight into `crypto.seal_stream`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

from sealbox.errors import BadInput
from sealbox.locale import N_
from sealbox.web.inputs import field_text

MAX_FIELD_BYTES = 1024 * 1024
FIELD_TOO_LONG = N_("The field “%(name)s” is too long.")
MAX_PARTS = 200


@dataclass
class Part:
    """One form part; file parts are read with `read`, field parts are collected whole."""

    name: str
    filename: str | None
    content_type: str
    _stream: MultipartStream
    _buffer: bytearray = field(default_factory=bytearray)
    _ended: bool = False

    @property
    def is_file(self) -> bool:
        return self.filename is not None

    def read(self, n: int = -1) -> bytes:
        want = n if n and n > 0 else 1 << 16
        while len(self._buffer) < want and not self._ended:
            kind, data = self._stream.next_event()
            if kind == "data":
                self._buffer += data
            else:
                self._ended = True
        out = bytes(self._buffer[:want])
        del self._buffer[:want]
        return out

    def is_empty(self) -> bool:
        """True when the part holds no byte at all (a file input left empty); reads ahead."""
        while not self._buffer and not self._ended:
            kind, data = self._stream.next_event()
            if kind == "data":
                self._buffer += data
            else:
                self._ended = True
        return not self._buffer

    def drain(self) -> None:
        while self.read(1 << 16):
            pass

    def text(self) -> str:
        data = bytearray()
        while chunk := self.read(1 << 16):
            data += chunk
            if len(data) > MAX_FIELD_BYTES:
                raise BadInput(FIELD_TOO_LONG, name=self.name)
        return field_text(data.decode("utf-8", errors="replace"))


class MultipartStream:
    """Turns body chunks from `pull` (b"" at the end) into a sequence of `Part`s."""

    def __init__(self, content_type: str, pull: Callable[[], bytes]) -> None:
        kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise BadInput("This form must be sent as multipart/form-data.")
        self._pull = pull
        self._events: deque[tuple[str, object]] = deque()
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._finished = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )

    # Parser callbacks: they only queue events; `next_event` hands them out.
    def _on_part_begin(self) -> None:
        self._headers = {}

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _on_headers_finished(self) -> None:
        self._events.append(("start", dict(self._headers)))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._events.append(("data", bytes(data[start:end])))

    def _on_part_end(self) -> None:
        self._events.append(("end", None))

    def _on_end(self) -> None:
        self._finished = True

    def _write(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except Exception as exc:  # the parser's own errors name no user data
            raise BadInput("The form data could not be read. Please send it again.") from exc

    def next_event(self) -> tuple[str, object]:
        while not self._events:
            if self._finished:
                return ("eof", None)
            chunk = self._pull()
            if not chunk:
                raise BadInput("The upload stopped before it was complete. Please send it again.")
            self._write(chunk)
        return self._events.popleft()

    def feed(self, chunk: bytes) -> list[tuple[str, object]]:
        """Parse `chunk` and return the events it completes (for a reader that pushes)."""
        self._write(chunk)
        events = list(self._events)
        self._events.clear()
        return events

    def parts(self) -> Iterator[Part]:
        count = 0
        while True:
            kind, headers = self.next_event()
            if kind == "eof":
                return
            if kind != "start":
                continue
            count += 1
            if count > MAX_PARTS:
                raise BadInput("The form has more than %(max)s parts.", max=MAX_PARTS)
            name, filename, content_type = describe(headers)
            part = Part(name=name, filename=filename, content_type=content_type, _stream=self)
            yield part
            part.drain()


def describe(headers: dict[bytes, bytes]) -> tuple[str, str | None, str]:
    """A part's (name, filename or None, content type), from its headers."""
    _, options = parse_options_header(headers.get(b"content-disposition", b""))
    name = field_text(options.get(b"name", b"").decode("utf-8", errors="replace"))
    raw_filename = options.get(b"filename")
    filename = None if raw_filename is None else field_text(raw_filename.decode("utf-8", "replace"))
    content_type = headers.get(b"content-type", b"application/octet-stream").decode("latin-1")
    return name, filename, content_type
