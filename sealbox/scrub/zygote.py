"""The worker side of `clean_isolated`: a pre-warmed process that forks one child per file.

The zygote imports every cleaner once (a command cleaning a few files has it import only
theirs), then waits on its control socket. For each job it
receives one end of a fresh socket pair, forks, and the child alone reads the plaintext,
cleans it under resource limits and writes the result back before exiting. The zygote never
reads a file; it only reaps its children and reports how each one ended, on the same socket.
A fork of an already-warm process costs a few milliseconds, against tens for a
multiprocessing start (which re-imports the main module in every child).

A job is a cleaning, or a preview (`preview.PreviewRequest` in place of the options: the
child draws the file instead of cleaning it).
Frames on a job socket: b"D" + pickled request (parent, sent at once: the kernel buffers it
until the child reads), b"P" + pid (zygote), b"R" + pickled result (child), b"X" + exit code
(zygote, after the child is reaped), in whatever order they come. Control messages: b"J" +
limits, with the job socket passed as SCM_RIGHTS; b"K" + pid asks the zygote to kill a child
that outlived its deadline; b"L" + comma-separated module names has it import those cleaners
(only names the registry gives) when it did not preload them all at start.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import pickle
import resource
import selectors
import signal
import socket
import struct


def preload() -> tuple[str, ...]:
    """What the zygote imports before it forks: the registry and every module it names."""
    from sealbox.scrub import registry

    return (registry.__name__, *registry.modules())


_LIMITS = struct.Struct(">QQd")  # memory bytes, cpu seconds, wall seconds
_PID = struct.Struct(">i")
_LEN = struct.Struct(">Q")


def pack_limits(memory: int, cpu: int, wall: float) -> bytes:
    return _LIMITS.pack(memory, cpu, wall)


def send_frame(sock: socket.socket, tag: bytes, payload: bytes) -> None:
    sock.sendall(tag + _LEN.pack(len(payload)) + payload)


def recv_exact(sock: socket.socket, n: int) -> bytes:
    """Exactly `n` bytes, or EOFError if the peer hung up first."""
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def recv_frame(sock: socket.socket) -> tuple[bytes, bytes]:
    head = recv_exact(sock, 1 + _LEN.size)
    (size,) = _LEN.unpack(head[1:])
    return head[:1], recv_exact(sock, size)


def serve_fd(fd: int, preload_all: bool = True) -> None:
    """Entry point of the zygote process: serve on the inherited control socket `fd`."""
    from sealbox import logs

    # The libraries that parse hostile files log and warn here (and in every child forked
    # from here): all of it goes through the redacting handler, like the server's own logs.
    logs.setup("warning")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which closes us
    main(socket.socket(fileno=fd), preload_all)


def main(ctrl: socket.socket, preload_all: bool = True) -> None:
    """Serve jobs until the control socket closes (the parent is gone)."""
    if preload_all:
        _load(preload())
        from sealbox.scrub import warmup

        warmup.warm()
        _settle()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    jobs: dict[int, tuple[socket.socket, int]] = {}  # pidfd -> (job socket, pid)
    sel = selectors.DefaultSelector()
    sel.register(ctrl, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is ctrl:
                if not _control(ctrl, sel, jobs):
                    return
            else:
                _reap(key.fd, sel, jobs)


def _load(names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(name)


def _settle() -> None:
    from sealbox import logs

    logs.adopt_existing()  # a library that gave itself a handler on import: back to the root
    gc.collect()
    gc.freeze()  # children share these pages instead of copying them on first touch


def _control(ctrl: socket.socket, sel: selectors.BaseSelector, jobs: dict) -> bool:
    try:
        msg, fds, _, _ = socket.recv_fds(ctrl, 4096, 1)
    except OSError:
        return False
    if not msg:
        return False
    if msg[:1] == b"L":
        known = set(preload())
        _load(tuple(n for n in msg[1:].decode().split(",") if n in known))
        _settle()
        return True
    if msg[:1] == b"K":
        (pid,) = _PID.unpack(msg[1 : 1 + _PID.size])
        if any(p == pid for _, p in jobs.values()):
            os.kill(pid, signal.SIGKILL)  # still ours and not reaped: the pid cannot be reused
        return True
    job = socket.socket(fileno=fds[0])
    memory, cpu, wall = _LIMITS.unpack(msg[1 : 1 + _LIMITS.size])
    pid = os.fork()
    if pid == 0:  # the child: nothing of the zygote's or of other jobs stays open
        os.close(ctrl.detach())
        for other, _ in jobs.values():
            os.close(other.detach())
        for pidfd in jobs:
            os.close(pidfd)
        sel.close()
        child(job, memory, cpu, wall)
    pidfd = os.pidfd_open(pid)
    jobs[pidfd] = (job, pid)
    sel.register(pidfd, selectors.EVENT_READ)
    with contextlib.suppress(OSError):
        send_frame(job, b"P", _PID.pack(pid))
    return True


def _reap(pidfd: int, sel: selectors.BaseSelector, jobs: dict) -> None:
    job, pid = jobs.pop(pidfd)
    sel.unregister(pidfd)
    os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    with contextlib.suppress(OSError):  # the parent may have given up on this job already
        send_frame(job, b"X", _PID.pack(os.waitstatus_to_exitcode(status)))
    job.close()


def child(job: socket.socket, memory: int, cpu: int, wall: float) -> None:
    """In a freshly forked process: set the limits, clean the one file sent on `job`, exit."""
    code = 1
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash dump would hold plaintext
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(max(1, int(wall)))  # wall-clock limit, enforced by the kernel
        _serve(job)
        code = 0
    finally:
        os._exit(code)


def _serve(job: socket.socket) -> None:
    from sealbox.scrub.model import CleanResult, Notice, Outcome
    from sealbox.scrub.preview import PreviewRequest, render
    from sealbox.scrub.registry import clean

    _, payload = recv_frame(job)
    data, options = pickle.loads(payload)  # noqa: S301 - from the parent, which is trusted
    del payload
    try:
        if isinstance(options, PreviewRequest):
            result = render(data, options)
        else:
            result = clean(data, options)
    except MemoryError:
        kind = "application/octet-stream"
        result = CleanResult(Outcome.CANNOT_CLEAN, kind, None, reason=Notice("memory"))
    del data
    send_frame(job, b"R", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
