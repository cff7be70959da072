"""Availability under attack: what slow clients, big headers and login floods do to the pages.

    python3 bench/availability/run.py --reference DIR [--backend sqlite|postgresql]
                                      [--seconds 20] [--only reference|current]

Runs the same drills against `sealbox serve` from this checkout and from the checkout in DIR
(e.g. `git worktree add --detach /tmp/old <old main>`), one after the other in the same run,
on loopback, with the real Argon2id cost (64 MiB, 3 passes), and prints them side by side:

- quiet: the landing page `/` and the login page `/login`, p50/p95 with nothing else going on;
- login flood: 6 clients posting staff logins with random names, back to back;
- siege: 100 slow uploads, 50 slow-header connections and 20 login floods at once (the drill of
  tests/e2e/test_availability.py), timed after a warm-up; the server's peak memory;
- 48 submissions at once (each derives the new report's keys with Argon2id): the answers, and
  the server's peak memory;
- big headers: 8 requests with 16 MiB headers each, at once: the answers, and the memory;
- disconnects: 200 clients that leave in the middle of an upload: bytes written to the log.

A page load that times out (10 s) counts as 10 s.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.e2e.siege import Probe, Siege  # noqa: E402
from tests.live_server import Instance  # noqa: E402

PG_URL = os.environ.get("SEALBOX_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MIB = 1024 * 1024
PAGES = ("/", "/login")


def _instance(root: Path, code_dir: Path | None, database_url: str) -> Instance:
    inst = Instance(root=root, database_url=database_url, fast_kdf=False, code=code_dir)
    inst.cli("init")
    inst.add_handler("hana")
    inst.cli("channel", "add", "tips", "--name", "Tips", "--handler", "hana")
    return inst


def _quiet(inst: Instance, seconds: float) -> Probe:
    probe = Probe()
    probe.run(inst.url, PAGES, seconds=seconds, limit=100)
    return probe


def _login_flood(inst: Instance, seconds: float) -> tuple[Probe, Counter]:
    siege = Siege(inst.port, "/submit/tips", 0, 0, 6, seconds=seconds + 10)
    probe = Probe()
    with siege:
        time.sleep(2)
        probe.run(inst.url, PAGES, seconds=seconds)
    return probe, siege.answers["login"]


def _siege(inst: Instance, seconds: float) -> tuple[Probe, dict[str, Counter], int]:
    probe = Probe()
    with Siege(inst.port, "/submit/tips", seconds=seconds + 30) as siege:
        time.sleep(4)
        probe.run(inst.url, PAGES, seconds=seconds)
        _, peak = inst.memory_kib()
    return probe, siege.answers, peak


def _big_headers(inst: Instance, count: int = 8, size: int = 16 * MIB) -> tuple[Counter, int]:
    answers: Counter = Counter()
    before, _ = inst.memory_kib()
    grown = [0]

    def send() -> None:
        with socket.create_connection(("127.0.0.1", inst.port), timeout=30) as sock:
            try:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
                for _ in range(size // MIB):
                    sock.sendall(b"a" * MIB)
                sock.sendall(b"\r\n\r\n")
            except OSError:
                pass  # refused before the end: the answer may still be there to read
            grown[0] = max(grown[0], inst.memory_kib()[0] - before)
            try:
                answer = sock.recv(64).split(b" ")
                answers[answer[1].decode() if len(answer) > 1 else "closed"] += 1
            except OSError as exc:
                answers[type(exc).__name__] += 1

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers, grown[0]


def _submissions(inst: Instance, count: int = 48) -> tuple[Counter, int]:
    answers: Counter = Counter()
    start = threading.Barrier(count)

    def send(n: int) -> None:
        try:
            with httpx.Client(base_url=inst.url, timeout=120, follow_redirects=True) as browser:
                page = browser.get("/submit/tips")
                token = page.text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
                start.wait(timeout=60)
                sent = browser.post(
                    "/submit/tips",
                    data={"form_token": token, "text": f"report {n}"},
                    files=[("files", ("", b"", "application/octet-stream"))],
                )
                answers[str(sent.status_code)] += 1
        except (httpx.HTTPError, IndexError, threading.BrokenBarrierError) as exc:
            answers[type(exc).__name__] += 1

    threads = [threading.Thread(target=send, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return answers, inst.memory_kib()[1]


def _disconnects(inst: Instance, count: int = 200) -> int:
    log = inst.logs[-1]
    before = log.stat().st_size
    for _ in range(count):
        with socket.create_connection(("127.0.0.1", inst.port), timeout=10) as sock:
            sock.sendall(
                b"POST /submit/tips HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
                b'--b\r\nContent-Disposition: form-data; name="form_token"\r\n\r\n1.2'
            )
            time.sleep(0.02)
    time.sleep(2)
    return log.stat().st_size - before


def measure(label: str, code_dir: Path | None, backend: str, seconds: float) -> dict[str, str]:
    figures: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url, schema = "", None
        if backend == "postgresql":
            schema = "bench_avail_" + secrets.token_hex(4)
            with create_engine(PG_URL).begin() as connection:
                connection.execute(text(f"create schema {schema}"))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        inst = _instance(Path(tmp), code_dir, url)
        try:
            print(f"[{label}] quiet", flush=True)
            quiet = _quiet(inst, seconds / 2)
            rss, _ = inst.memory_kib()
            figures["memory at rest (MiB)"] = f"{rss / 1024:.0f}"
            for path in PAGES:
                figures[f"quiet {path}"] = quiet.summary(path).split(": ", 1)[1]
            print(f"[{label}] login flood", flush=True)
            flood, logins = _login_flood(inst, seconds / 2)
            for path in PAGES:
                figures[f"6 login floods {path}"] = flood.summary(path).split(": ", 1)[1]
            figures["6 login floods: answers"] = dict(logins.most_common()).__repr__()
            print(f"[{label}] siege", flush=True)
            probe, answers, peak = _siege(inst, seconds)
            for path in PAGES:
                figures[f"siege {path}"] = probe.summary(path).split(": ", 1)[1]
            figures["siege: page failures"] = repr(dict(probe.failures)) or "{}"
            figures["siege: peak memory (MiB)"] = f"{peak / 1024:.0f}"
            for kind, counted in answers.items():
                figures[f"siege: {kind} answers"] = repr(dict(counted.most_common()))
            inst.stop()
            inst.start()  # a fresh process: peak memory of what follows alone
            print(f"[{label}] submissions", flush=True)
            sent, peak = _submissions(inst)
            figures["48 submissions at once: answers"] = repr(dict(sent.most_common()))
            figures["48 submissions at once: peak memory (MiB)"] = f"{peak / 1024:.0f}"
            print(f"[{label}] big headers", flush=True)
            heads, grown = _big_headers(inst)
            figures["8 x 16 MiB headers: answers"] = repr(dict(heads))
            figures["8 x 16 MiB headers: memory growth (MiB)"] = f"{grown / 1024:.0f}"
            print(f"[{label}] disconnects", flush=True)
            figures["200 disconnects: log bytes"] = str(_disconnects(inst))
        finally:
            inst.stop()
            if schema:
                with create_engine(PG_URL).begin() as connection:
                    connection.execute(text(f"drop schema {schema} cascade"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, help="checkout of the version to compare with")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--only", choices=("reference", "current"))
    args = parser.parse_args()
    runs: dict[str, dict[str, str]] = {}
    if args.reference and args.only != "current":
        runs["reference"] = measure("reference", args.reference, args.backend, args.seconds)
    if args.only != "reference":
        runs["current"] = measure("current", ROOT, args.backend, args.seconds)
    print(f"\nbackend: {args.backend}; reference: {args.reference or '-'}; this: {ROOT}\n")
    names = list(next(iter(runs.values())))
    for name in names:
        print(name)
        for label, figures in runs.items():
            print(f"    {label:10} {figures.get(name, '-')}")


if __name__ == "__main__":
    main()
