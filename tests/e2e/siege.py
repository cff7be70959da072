"""Bounded attackers for availability drills against a live server on loopback.

Slow uploads (a multipart body trickling one byte at a time), slow headers (a request head
trickling the same way), login floods (staff logins with random names, back to back), and a
probe that times the landing and login pages meanwhile. Every loop stops at a deadline and
after a fixed number of rounds; every socket operation has a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

HOST = "127.0.0.1"
MAX_RECONNECTS = 200  # per slow connection slot
MAX_FLOOD_REQUESTS = 5000  # per flood client


def _status(data: bytes) -> str:
    """`408` from `HTTP/1.1 408 Request Timeout`, or `closed` for a bare close."""
    parts = data.split(b" ", 2)
    return parts[1].decode("ascii", "replace") if len(parts) > 1 else "closed"


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


@dataclass
class Probe:
    """Latencies (seconds) of page loads; a timeout counts as its full length."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    failures: Counter = field(default_factory=Counter)

    def load(self, base: str, path: str, timeout: float = 10.0) -> None:
        started = time.monotonic()
        try:
            response = httpx.get(base + path, timeout=timeout)
            if response.status_code != 200:
                self.failures[f"{path} {response.status_code}"] += 1
        except httpx.HTTPError as exc:
            self.failures[f"{path} {type(exc).__name__}"] += 1
        self.samples.setdefault(path, []).append(time.monotonic() - started)

    def run(
        self, base: str, paths: tuple[str, ...], seconds: float, limit: int = 400, pause=0.05
    ) -> None:
        """Load each of `paths` in turn until `seconds` pass or `limit` loads are done."""
        deadline = time.monotonic() + seconds
        for n in range(limit):
            if time.monotonic() >= deadline:
                break
            self.load(base, paths[n % len(paths)])
            time.sleep(pause)

    def summary(self, path: str) -> str:
        got = self.samples.get(path, [])
        if not got:
            return f"{path}: no samples"
        return (
            f"{path}: p50 {statistics.median(got) * 1000:7.0f} ms  "
            f"p95 {p95(got) * 1000:7.0f} ms  max {max(got) * 1000:7.0f} ms  ({len(got)} loads)"
        )


@dataclass
class Siege:
    """Slow uploads, slow headers and login floods against `port`, until stopped or `seconds`."""

    port: int
    upload_path: str
    slow_uploads: int = 100
    slow_headers: int = 50
    login_floods: int = 20
    seconds: float = 60.0
    byte_every: float = 1.0  # seconds between two bytes of a slow connection
    # What the server answered, by kind: {"upload": Counter({"503": 84, "408": 16}), ...}
    answers: dict[str, Counter] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Siege:
        self._deadline = time.monotonic() + self.seconds
        for kind in ("upload", "header", "login"):
            self.answers[kind] = Counter()
        slow = threading.Thread(target=lambda: asyncio.run(self._slow_all()), daemon=True)
        self._threads.append(slow)
        for _ in range(self.login_floods):
            self._threads.append(threading.Thread(target=self._flood, daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _going(self) -> bool:
        return not self._stop.is_set() and time.monotonic() < self._deadline

    # Slow connections: one event loop drives them all.
    async def _slow_all(self) -> None:
        slots = [self._slow_slot("upload") for _ in range(self.slow_uploads)]
        slots += [self._slow_slot("header") for _ in range(self.slow_headers)]
        await asyncio.gather(*slots)

    def _opening(self, kind: str) -> bytes:
        if kind == "header":
            return f"GET / HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nX-Slow: ".encode()
        boundary = "siege" + secrets.token_hex(8)
        return (
            f"POST {self.upload_path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="form_token"\r\n\r\n'
        ).encode()

    async def _slow_slot(self, kind: str) -> None:
        for _ in range(MAX_RECONNECTS):
            if not self._going():
                return
            try:
                answer = await self._slow_connection(kind)
            except (TimeoutError, OSError) as exc:
                answer = type(exc).__name__
            self.answers[kind][answer] += 1
            await asyncio.sleep(0.2)

    async def _slow_connection(self, kind: str) -> str:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, self.port), 10)
        try:
            writer.write(self._opening(kind))
            await asyncio.wait_for(writer.drain(), 10)
            while self._going():
                with contextlib.suppress(asyncio.TimeoutError):
                    data = await asyncio.wait_for(reader.read(256), self.byte_every)
                    return _status(data)
                writer.write(b"a")
                await asyncio.wait_for(writer.drain(), 10)
            return "held"  # still open when the siege ended
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 5)

    # Login floods: staff logins with random names, one after another.
    def _flood(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            token = None
            for _ in range(MAX_FLOOD_REQUESTS):
                if not self._going():
                    return
                try:
                    if token is None:
                        page = client.get("/staff/login")
                        token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
                    form = {
                        "csrf": token,
                        "username": "x" + secrets.token_hex(6),
                        "password": secrets.token_hex(8),
                        "totp": "123456",
                    }
                    answer = str(client.post("/staff/login", data=form).status_code)
                except (httpx.HTTPError, IndexError) as exc:
                    answer = type(exc).__name__
                    time.sleep(0.1)
                self.answers["login"][answer] += 1
