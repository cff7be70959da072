"""Scale benchmark: `sealbox serve --workers N` on PostgreSQL, N = 1, 2 and 4 side by side.

    python3 bench/scale/run.py [--workers 1,2,4] [--submissions 40] [--clients 8] [--inbox 200]

For each N: a fresh PostgreSQL schema and data directory, a handler and a channel, then
`--submissions` submissions (a short text and a small file each) sent by `--clients` sources
at once (submissions/s, wall clock), then `--inbox` loads of the handler's inbox by `--clients`
browsers at once (p50 and p95 in milliseconds, and loads/s). The real Argon2id parameters are
used (each submission derives the passphrase keys), so the submission rate is bounded by the
cores as much as by the workers: read the figures beside the machine's core count, printed too.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.live_server import Instance, token  # noqa: E402

PG_URL = os.environ.get("SEALBOX_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def submit(url: str, n: int) -> float:
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=300) as source:
        form = source.get("/submit/bench").text
        answer = source.post(
            "/submit/bench",
            data={"form_token": token(form), "text": f"report {n}: the depot, the ledgers"},
            files={"files": ("ledger.txt", f"ledger {n}\n".encode() * 100, "text/plain")},
        )
    if answer.status_code != 200:
        raise RuntimeError(f"submission {n}: {answer.status_code}")
    return time.perf_counter() - started


def run(workers: int, args, base: Path) -> dict[str, float]:
    schema = "bench_scale_" + secrets.token_hex(4)
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f"create schema {schema}"))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    instance = Instance(root=base / f"w{workers}", database_url=url, workers=workers)
    instance.root.mkdir()
    instance.fast_kdf = False  # the real parameters, as deployed
    try:
        instance.cli("init")
        alice = instance.add_user("alice")
        instance.add_channel("bench", "Bench", handlers=["alice"])
        with ThreadPoolExecutor(args.clients) as pool:
            started = time.perf_counter()
            list(pool.map(lambda n: submit(instance.url, n), range(args.submissions)))
            submit_s = time.perf_counter() - started

        handler = instance.staff_client(alice)
        cookies = handler.cookies
        handler.close()

        def inbox(_: int) -> float:
            with httpx.Client(base_url=instance.url, cookies=cookies, timeout=60) as browser:
                began = time.perf_counter()
                page = browser.get("/staff/")
                if page.status_code != 200:
                    raise RuntimeError(f"inbox: {page.status_code}")
                return (time.perf_counter() - began) * 1000

        with ThreadPoolExecutor(args.clients) as pool:
            started = time.perf_counter()
            times = sorted(pool.map(inbox, range(args.inbox)))
            inbox_s = time.perf_counter() - started
        return {
            "submissions/s": args.submissions / submit_s,
            "inbox p50 ms": statistics.median(times),
            "inbox p95 ms": times[int(len(times) * 0.95) - 1],
            "inbox loads/s": args.inbox / inbox_s,
        }
    finally:
        instance.stop()
        with admin.begin() as connection:
            connection.execute(text(f"drop schema {schema} cascade"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--inbox", type=int, default=200)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    results = {}
    with tempfile.TemporaryDirectory(prefix="sealbox-scale-") as base:
        for workers in counts:
            results[workers] = run(workers, args, Path(base))
            print(f"  {workers} worker(s) done", flush=True)
    print(
        f"\nsealbox serve --workers N on PostgreSQL ({os.cpu_count()} cores; "
        f"{args.submissions} submissions and {args.inbox} inbox loads, {args.clients} at once)"
    )
    metrics = list(next(iter(results.values())))
    print(f"{'':16}" + "".join(f"{f'N = {n}':>12}" for n in counts))
    for metric in metrics:
        print(f"{metric:16}" + "".join(f"{results[n][metric]:12.1f}" for n in counts))


if __name__ == "__main__":
    main()
