"""Ingest benchmark: upload 100 MiB and 1 GiB files over loopback HTTP to `sealbox serve`.

Prints MB/s next to the `age` CLI encrypting the same file in the same run, and the server's
peak RSS growth during each upload: once as a new report (which runs Argon2id with its fixed
64 MiB working memory to derive the passphrase keys) and once as a follow-up message (the same
streaming path without the KDF). Target: >= 0.5x age's throughput and < 64 MiB RSS growth
for both sizes (memory must not scale with the file).

    python3 bench/ingest/run.py [--sizes 100,1024] [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.live_server import Instance  # noqa: E402
from tests.support import token  # noqa: E402

MIB = 1024 * 1024


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


class PeakRss:
    """Samples a process's resident memory every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.baseline = rss_kib(pid)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def make_file(path: Path, size: int) -> None:
    with open(path, "wb") as out:
        block = os.urandom(MIB)
        for _ in range(size // MIB):
            out.write(block)


def age_throughput(path: Path, recipient: str) -> float:
    started = time.perf_counter()
    subprocess.run(["age", "-r", recipient, "-o", os.devnull, str(path)], check=True)
    return path.stat().st_size / MIB / (time.perf_counter() - started)


def _curl(url: str, fields: list[str], path: Path, cookie: str | None) -> float:
    command = ["curl", "-s", "-o", os.devnull, "-w", "%{http_code}", "-H", "Expect:"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    for field in fields:
        command += ["-F", field]
    command += ["-F", f"files=@{path};type=application/octet-stream", url]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    if result.stdout not in ("200", "303"):
        raise SystemExit(f"upload failed with HTTP {result.stdout}")
    return elapsed


def upload(instance: Instance, path: Path) -> dict[str, float]:
    """Submit `path` as a new report, then again as a follow-up, each by curl (a native client
    like a browser, so the client does not cap the figure). The follow-up path streams the same
    way but runs no Argon2id, so its RSS growth is the streaming cost alone."""
    size = path.stat().st_size / MIB
    with httpx.Client(base_url=instance.url, timeout=600) as client:
        form_token = token(client.get("/submit/bench").text)
    with PeakRss(instance.process.pid) as rss:
        elapsed = _curl(
            f"{instance.url}/submit/bench",
            [f"form_token={form_token}", "text=benchmark"],
            path,
            None,
        )
    figures = {"submit_mbs": size / elapsed, "submit_rss": (rss.peak - rss.baseline) / 1024}
    # The passphrase is not needed for the follow-up figure: a logged-in source would have it;
    # here the bench opens the report by its own passphrase printed in the page.
    with httpx.Client(base_url=instance.url, timeout=600, follow_redirects=True) as client:
        page = client.get("/submit/bench")
        sent = client.post(
            "/submit/bench",
            data={"form_token": token(page.text), "text": "opener"},
            files=[("files", ("", b"", "application/octet-stream"))],
        )
        words = " ".join(re.findall(r"<li[^>]*>([a-z-]+)</li>", sent.text))
        login = client.get("/login")
        mine = client.post("/login", data={"form_token": token(login.text), "passphrase": words})
        follow_token = token(mine.text, "/report/messages")
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    with PeakRss(instance.process.pid) as rss:
        elapsed = _curl(
            f"{instance.url}/report/messages",
            [f"form_token={follow_token}", "text=more"],
            path,
            cookie,
        )
    figures.update(follow_mbs=size / elapsed, follow_rss=(rss.peak - rss.baseline) / 1024)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1024", help="file sizes in MiB")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if shutil.which("age") is None:
        raise SystemExit("the age CLI is needed as the reference (apt-get install age)")
    root = Path(tempfile.mkdtemp(prefix="sealbox-bench-"))
    os.environ["SEALBOX_MAX_SUBMISSION_BYTES"] = str(4096 * MIB)
    instance = Instance(root=root, database_url="", fast_kdf=False)
    try:
        instance.cli("init")
        instance.add_handler("bench-handler")
        instance.cli("channel", "add", "bench", "--name", "Bench", "--handler", "bench-handler")
        recipient = (
            subprocess.run(["age-keygen"], capture_output=True, text=True, check=True)
            .stdout.split("public key: ")[1]
            .split()[0]
        )
        instance.start()
        print(
            f"{'size':>8} {'age MB/s':>9} {'submit MB/s':>12} {'ratio':>6} {'RSS+ MiB':>9}"
            f" {'follow-up MB/s':>15} {'ratio':>6} {'RSS+ MiB':>9}"
        )
        for size in (int(s) for s in args.sizes.split(",")):
            sample = root / f"sample-{size}.bin"
            make_file(sample, size * MIB)
            reference = age_throughput(sample, recipient)
            f = upload(instance, sample)
            print(
                f"{size:>6}Mi {reference:>9.1f} {f['submit_mbs']:>12.1f}"
                f" {f['submit_mbs'] / reference:>6.2f} {f['submit_rss']:>9.1f}"
                f" {f['follow_mbs']:>15.1f} {f['follow_mbs'] / reference:>6.2f}"
                f" {f['follow_rss']:>9.1f}"
            )
            sample.unlink()
    finally:
        instance.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
