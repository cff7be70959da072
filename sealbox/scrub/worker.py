"""Run `clean` in a separate, resource-limited process so a hostile file only kills the worker.

Input and output travel over pipes: the plaintext never touches disk. Workers are forked from a
fork server that has already imported the cleaners, so each file costs a fork, not a start-up.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import resource
import signal
from dataclasses import dataclass

from sealbox.scrub.detect import detect
from sealbox.scrub.model import CleanOptions, CleanResult, Notice, Outcome

_PRELOAD = [
    "sealbox.scrub.registry",
    "sealbox.scrub.jpeg",
    "sealbox.scrub.png",
    "sealbox.scrub.pdf",
    "sealbox.scrub.ooxml",
    "sealbox.scrub.opendocument",
    "sealbox.scrub.zip",
]


@dataclass(frozen=True)
class WorkerLimits:
    """How much one cleaning may use before it is stopped and the file reported as uncleanable."""

    memory_bytes: int = 2 * 1024**3
    cpu_seconds: int = 60
    wall_seconds: float = 120.0


_context: multiprocessing.context.BaseContext | None = None


def _ctx() -> multiprocessing.context.BaseContext:
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        _context = ctx
    return _context


def _child(conn: multiprocessing.connection.Connection, limits: WorkerLimits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = max(1, int(limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash dump would hold plaintext
    from sealbox.scrub.registry import clean

    try:
        data, options = conn.recv()
        result = clean(data, options)
        del data
        conn.send(result)
    except MemoryError:
        conn.send(
            CleanResult(
                Outcome.CANNOT_CLEAN, "application/octet-stream", None, reason=Notice("memory")
            )
        )
    finally:
        conn.close()


def clean_isolated(
    data: bytes, options: CleanOptions | None = None, limits: WorkerLimits | None = None
) -> CleanResult:
    """Clean `data` in a worker process with memory, CPU and wall-clock limits.

    Never raises for anything about the file: a crash, a bomb or a stall becomes CANNOT_CLEAN.
    """
    options = options or CleanOptions()
    limits = limits or WorkerLimits()
    parent, child = _ctx().Pipe()
    proc = _ctx().Process(target=_child, args=(child, limits), daemon=True)
    proc.start()
    child.close()
    try:
        parent.send((data, options))
        if parent.poll(limits.wall_seconds):
            return parent.recv()
        return _failed(proc, data, timed_out=True)
    except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
        return _failed(proc, data, timed_out=False)
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        proc.close()


def _failed(proc: multiprocessing.process.BaseProcess, data: bytes, timed_out: bool) -> CleanResult:
    if proc.is_alive():
        proc.kill()
    proc.join(5)
    code = proc.exitcode
    if timed_out or code in (-signal.SIGXCPU, -signal.SIGKILL):
        reason = Notice("timeout")
    elif code == -signal.SIGSEGV or code == -signal.SIGABRT:
        reason = Notice("crashed")
    else:
        # Most other deaths under RLIMIT_AS are allocation failures inside a C library.
        reason = Notice("memory") if code not in (0, None) else Notice("crashed")
    return CleanResult(Outcome.CANNOT_CLEAN, detect(data, deep=False), None, reason=reason)
