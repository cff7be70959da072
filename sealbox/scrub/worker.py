"""Run `clean` in a separate, resource-limited process so a hostile file only kills the worker.

Every file gets its own child process, forked from a pre-warmed zygote (see `zygote`) that has
already imported the cleaners, so each file costs a fork (a few milliseconds), not a start-up.
Input and output travel over a socket pair: the plaintext never touches disk, and the zygote
itself never reads it.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sealbox.scrub import zygote
from sealbox.scrub.detect import detect
from sealbox.scrub.limits import WorkerLimits
from sealbox.scrub.model import CleanOptions, CleanResult, Notice, Outcome
from sealbox.scrub.preview import MEMORY, TIMEOUT, UNREADABLE, PreviewRequest, PreviewResult


class _Zygote:
    """Handle on the zygote process: hands it job sockets and gets back child pids."""

    def __init__(self, preload: bool = True) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # A fresh interpreter, never a fork of a server that may be running threads; started
        # directly rather than by multiprocessing, which would re-import the caller's __main__.
        # With `site`, as any Python process: whatever a site-installed library sets up at
        # start runs here too, under the redacting log handler the zygote installs first. The
        # package's own root first, for editable installs.
        path = [str(Path(__file__).resolve().parents[2]), *sys.path]
        code = (
            f"import sys; sys.path[:] = {path!r}; "
            f"from sealbox.scrub.zygote import serve_fd; serve_fd({theirs.fileno()}, {preload!r})"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.ctrl = ours
        self.owner = os.getpid()
        self.lock = threading.Lock()

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None

    def job(self, limits: WorkerLimits) -> socket.socket:
        """A socket connected to a child being forked for one file."""
        ours, theirs = socket.socketpair()
        try:
            msg = b"J" + zygote.pack_limits(limits.memory_bytes, _cpu(limits), limits.wall_seconds)
            with self.lock:
                socket.send_fds(self.ctrl, [msg], [theirs.fileno()])
        except OSError:
            ours.close()
            raise
        finally:
            theirs.close()
        return ours

    def preload(self, modules: tuple[str, ...]) -> None:
        """Have the zygote import `modules` (cleaners from the registry) before its next fork."""
        try:
            with self.lock:
                self.ctrl.send(b"L" + ",".join(modules).encode())
        except OSError:
            pass  # a dead zygote is replaced at the next job; its children import what they need

    def kill(self, pid: int) -> None:
        try:
            with self.lock:
                self.ctrl.send(b"K" + pid.to_bytes(4, "big", signed=True))
        except OSError:
            pass

    def close(self) -> None:
        self.ctrl.close()  # the zygote exits when its control socket closes
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


@atexit.register
def _shutdown() -> None:
    global _zygote
    with _zygote_lock:
        if _zygote is not None and _zygote.owner == os.getpid():
            _zygote.close()
        _zygote = None


def prestart(preload: bool = True) -> None:
    """Start the worker process now, so that its imports overlap with the caller's start-up.

    A server preloads (and warms) every cleaner once for all its files; a command cleaning a few
    files passes `preload=False` and names the cleaners it needs with `preload_for`.
    """
    _current(preload)


def preload_for(kinds: Iterable[str]) -> None:
    """Load the cleaners of `kinds` into the worker before the files are sent to it."""
    from sealbox.scrub.registry import modules

    _current(preload=False).preload(modules(kinds))


def _current(preload: bool = True) -> _Zygote:
    global _zygote
    with _zygote_lock:
        if _zygote is None or not _zygote.alive():
            _retire(_zygote)
            _zygote = _Zygote(preload)
        return _zygote


def _job(limits: WorkerLimits) -> tuple[_Zygote, socket.socket]:
    global _zygote
    for attempt in range(2):
        current = _current()
        try:
            return current, current.job(limits)
        except OSError:
            with _zygote_lock:
                if _zygote is current:
                    _retire(current)
                    _zygote = None
            if attempt:
                raise
    raise AssertionError("unreachable")


def _retire(old: _Zygote | None) -> None:
    """Let go of a zygote that died, or that belongs to the process this one was forked from."""
    if old is None:
        return
    if old.owner == os.getpid():
        old.close()
    else:
        old.ctrl.close()  # our copy only: the parent process keeps using its zygote


class _ResultUnpickler(pickle.Unpickler):
    """Only the result types: a compromised child must not get to run code in this process."""

    _ALLOWED = {
        ("sealbox.scrub.model", "CleanResult"),
        ("sealbox.scrub.model", "Finding"),
        ("sealbox.scrub.model", "Notice"),
        ("sealbox.scrub.model", "Outcome"),
        ("sealbox.scrub.preview", "PreviewResult"),
    }

    def find_class(self, module: str, name: str):  # type: ignore[override]
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cleaning result")


def clean_isolated(
    data: bytes, options: CleanOptions | None = None, limits: WorkerLimits | None = None
) -> CleanResult:
    """Clean `data` in a worker process with memory, CPU and wall-clock limits.

    Never raises for anything about the file: a crash, a bomb or a stall becomes CANNOT_CLEAN.
    """
    options = options or CleanOptions()
    limits = limits or WorkerLimits()
    try:
        owner, sock = _job(limits)
    except OSError:
        return _failed(data, None, timed_out=False)
    with sock:
        result, code, timed_out = _exchange(sock, data, options, limits, owner.kill)
    return result if isinstance(result, CleanResult) else _failed(data, code, timed_out)


def preview_isolated(
    data: bytes, request: PreviewRequest, limits: WorkerLimits | None = None
) -> PreviewResult:
    """Draw `data` (see `preview`) in a worker process under the same limits as cleaning.

    Never raises for anything about the file: a crash, a bomb or a stall becomes a refusal."""
    limits = limits or WorkerLimits()
    try:
        owner, sock = _job(limits)
    except OSError:
        return PreviewResult(refusal=UNREADABLE)
    with sock:
        result, code, timed_out = _exchange(sock, data, request, limits, owner.kill)
    if isinstance(result, PreviewResult):
        return result
    if timed_out or code in (-signal.SIGXCPU, -signal.SIGKILL, -signal.SIGALRM):
        return PreviewResult(refusal=TIMEOUT)
    return PreviewResult(refusal=MEMORY if code not in (0, None) else UNREADABLE)


def clean_forked(
    data: bytes, options: CleanOptions | None = None, limits: WorkerLimits | None = None
) -> CleanResult:
    """`clean_isolated` with the child forked from this process instead of from the zygote.

    For a command that cleans one file, where starting the zygote's interpreter costs more
    than the cleaning; the child runs under the same limits. Only call it while this process
    runs no other thread (a fork copies the calling thread alone, and any lock another held).
    """
    options = options or CleanOptions()
    limits = limits or WorkerLimits()
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the child: cleans and exits, exactly as one forked by the zygote
        ours.close()
        zygote.child(theirs, limits.memory_bytes, _cpu(limits), limits.wall_seconds)
    theirs.close()
    try:
        with ours:
            result, _, timed_out = _exchange(ours, data, options, limits, _kill_child, pid)
    finally:
        _, status = os.waitpid(pid, 0)  # our own child: its pid is ours until reaped here
    if isinstance(result, CleanResult):
        return result
    return _failed(data, os.waitstatus_to_exitcode(status), timed_out)


def _kill_child(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _cpu(limits: WorkerLimits) -> int:
    return max(1, int(limits.cpu_seconds))


def _exchange(
    sock: socket.socket,
    data: bytes,
    options: CleanOptions | PreviewRequest,
    limits: WorkerLimits,
    kill: Callable[[int], None],
    pid: int | None = None,
) -> tuple[CleanResult | PreviewResult | None, int | None, bool]:
    """Send the file, wait for the result: (result, exit code from the zygote, timed out)."""
    deadline = time.monotonic() + limits.wall_seconds + 1.0
    code: int | None = None
    try:
        sock.settimeout(limits.wall_seconds + 1.0)
        zygote.send_frame(sock, b"D", pickle.dumps((data, options), pickle.HIGHEST_PROTOCOL))
        while code is None:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            tag, payload = zygote.recv_frame(sock)
            if tag == b"R":
                result = _ResultUnpickler(io.BytesIO(payload)).load()
                wanted = isinstance(result, CleanResult | PreviewResult)
                return (result if wanted else None), None, False
            if tag == b"P":
                pid = int.from_bytes(payload, "big", signed=True)
            elif tag == b"X":
                code = int.from_bytes(payload, "big", signed=True)
    except TimeoutError:
        if pid is not None:
            kill(pid)
        return None, None, True
    except (EOFError, OSError, pickle.UnpicklingError, ValueError, TypeError):
        pass  # e.g. the child died before reading everything; its exit code says why
    return None, code, False


def _failed(data: bytes, code: int | None, timed_out: bool) -> CleanResult:
    if timed_out or code in (-signal.SIGXCPU, -signal.SIGKILL, -signal.SIGALRM):
        reason = Notice("timeout")
    elif code in (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
        reason = Notice("crashed")
    else:
        # Most other deaths under RLIMIT_AS are allocation failures inside a C library.
        reason = Notice("memory") if code not in (0, None) else Notice("crashed")
    return CleanResult(Outcome.CANNOT_CLEAN, detect(data, deep=False), None, reason=reason)
