"""A database that stays away for as long as a test says, under an app that was using it.

PostgreSQL: the app connects through a relay on loopback; `away()` closes every connection
and the relay then hangs up on each new one at once, as a server that went down does.
SQLite: another connection holds the write lock (as fault_drills.SqliteLocker does, but for
the whole block), so every write waits `database_busy_seconds` and fails; readers go on, as
SQLite's WAL lets them.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit


class PgGate:
    """A TCP relay to the PostgreSQL server of `url` that can be cut and opened again."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut = threading.Event()
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def through(self, url: str) -> str:
        """`url` (of the same server) by way of the relay."""
        parts = urlsplit(url)
        user = parts.netloc.rpartition("@")[0]
        relay = f"127.0.0.1:{self.port}"
        return parts._replace(netloc=f"{user}@{relay}" if user else relay).geturl()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if self.cut.is_set():
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    @contextlib.contextmanager
    def away(self) -> Iterator[None]:
        """The database is gone for the block: open connections drop, new ones are refused."""
        self.cut.set()
        with self.lock:
            dropped, self.open = self.open, []
        for end in dropped:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        try:
            yield
        finally:
            self.cut.clear()

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for end in self.open:
                end.close()


@contextlib.contextmanager
def sqlite_held(path: Path) -> Iterator[None]:
    """Another program holds the SQLite database's write lock for the block."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()
