"""Flood bench: the fake-report drills against running instances of this tree and of a reference
tree (old main by default), in the same run, on SQLite and PostgreSQL.

    python3 bench/floods/run.py [--reference eed2eb5] [--reports 300] [--clients 4]
                                [--backend sqlite|postgresql|both] [--real-kdf]

Each tree runs two `sealbox serve` processes on loopback sharing one database, with the
product's default ceilings, two channels ("fraud": alice; "safety": alice and bob) and:
- flood: --reports bot reports (alternating channels and processes) from --clients concurrent
  clients -> accepted, refused, in the inbox, in quarantine, submission p50/p95;
- digest: the next morning's new-report mails (the day moved back by SQL, then the mail job
  through the CLI) -> mails queued;
- replay: one form token, ten 5 MiB submissions -> reports stored, MiB written, seconds;
- triage (where the tree has it): the handler shreds the quarantine as spam, 100 reports per
  POST (one form) -> seconds per POST; the reference has no tool (each report one by one).
Fast KDF by default (one Argon2id pass, as in the tests); --real-kdf for the production cost.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, inspect, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.live_server import Instance  # noqa: E402
from tests.support import token  # noqa: E402

MIB = 1024 * 1024
PG_URL = os.environ.get("SEALBOX_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
HELD = "Unusually many reports are arriving right now"
WORDS = re.compile(r"<li>([a-z-]+)</li>")
BOX = re.compile(r'name="report" value="([0-9a-f]{32})"')


def reference_tree(ref: str, into: Path) -> Path:
    """The reference commit's files (git archive), without touching any worktree."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def flood(servers: list[str], reports: int, clients: int) -> dict:
    def one(n: int) -> tuple[int, bool, float, bool]:
        slug = ("fraud", "safety")[n % 2]
        with httpx.Client(
            base_url=servers[n % len(servers)], timeout=120, follow_redirects=True
        ) as client:
            form = client.get(f"/submit/{slug}")
            started = time.perf_counter()
            sent = client.post(
                f"/submit/{slug}",
                data={"form_token": token(form.text), "text": f"bot report {n} " * 20},
                files=[("files", ("", b"", "application/octet-stream"))],
            )
            elapsed = time.perf_counter() - started
        accepted = sent.status_code == 200 and len(WORDS.findall(sent.text)) == 7
        return sent.status_code, accepted and HELD in sent.text, elapsed, accepted

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(one, range(reports)))
    return {
        "seconds": time.perf_counter() - started,
        "accepted": sum(a[3] for a in answers),
        "refused": sum(not a[3] for a in answers),
        "told held": sum(a[1] for a in answers),
        "p50": statistics.median(a[2] for a in answers),
        "p95": percentile([a[2] for a in answers], 0.95),
    }


def replay(server: str) -> dict:
    """The attack the issue measured: one token, ten 5 MiB submissions."""
    with httpx.Client(base_url=server, timeout=120, follow_redirects=True) as client:
        form_token = token(client.get("/submit/replay").text)
        started = time.perf_counter()
        accepted = 0
        for n in range(10):
            sent = client.post(
                "/submit/replay",
                data={"form_token": form_token, "text": f"replayed {n}"},
                files=[("files", (f"r{n}.bin", os.urandom(5 * MIB), "application/octet-stream"))],
            )
            accepted += sent.status_code == 200 and len(WORDS.findall(sent.text)) == 7
    return {"accepted": accepted, "seconds": time.perf_counter() - started}


def quarantine(instance: Instance) -> bool:
    """Whether the instance's schema has a quarantine (the reference may not)."""
    url = instance.database_url or f"sqlite:///{instance.data_dir / 'sealbox.db'}"
    engine = create_engine(url)
    try:
        return "quarantined" in {c["name"] for c in inspect(engine).get_columns("reports")}
    finally:
        engine.dispose()


def blob_mib(instance: Instance) -> float:
    files = (instance.data_dir / "blobs").rglob("*")
    return sum(p.stat().st_size for p in files if p.is_file()) / MIB


def triage(instance: Instance, password: str, totp: str) -> list[float]:
    """Shred the whole quarantine as spam, 100 reports (one page, one form) per POST."""
    client, _ = instance.staff_login("alice", password, totp)
    timings = []
    try:
        while True:
            page = client.get("/staff/quarantine")
            chosen = BOX.findall(page.text)
            if not chosen:
                return timings
            data = [("csrf", token(page.text)), ("action", "spam"), ("confirm", "1")]
            data += [("report", report_id) for report_id in chosen]
            started = time.perf_counter()
            done = client.post(
                "/staff/quarantine",
                content=urlencode(data),
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            timings.append(time.perf_counter() - started)
            assert done.status_code == 200, done.text
    finally:
        client.close()


def drill(tree: Path, backend: str, args, scratch: Path) -> dict:
    url, schema = "", None
    if backend == "postgresql":
        schema = "bench_floods_" + secrets.token_hex(4)
        with create_engine(PG_URL).begin() as connection:
            connection.execute(text(f"create schema {schema}"))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    root = Path(tempfile.mkdtemp(dir=scratch))
    code, fast = tree, not args.real_kdf
    first = Instance(root=root, database_url=url, fast_kdf=fast, code=code)
    second = Instance(root=root, database_url=url, fast_kdf=fast, code=code)
    figures: dict = {}
    try:
        first.cli("init")
        password, totp = first.add_handler("alice")
        first.add_handler("bob")
        first.cli("channel", "add", "fraud", "--name", "Fraud", "--handler", "alice")
        first.cli(
            "channel", "add", "safety", "--name", "Safety", "--handler", "alice", "--handler", "bob"
        )
        first.cli("channel", "add", "replay", "--name", "Replay", "--handler", "alice")
        first.sql("update users set email = username || '@example.org'")
        second.start()
        figures["flood"] = flood([first.url, second.url], args.reports, args.clients)
        held = 0
        if quarantine(first):
            held = len(first.sql("select id from reports where quarantined"))
        total = len(first.sql("select id from reports"))
        figures["flood"].update(inbox=total - held, quarantine=held)

        day_back = (
            "update reports set received_on = date(received_on, '-1 day')"
            if backend == "sqlite"
            else "update reports set received_on = received_on - 1"
        )
        first.sql(day_back)
        os.environ["SEALBOX_NEW_REPORT_MAIL_HOUR"] = "0"
        try:
            first.cli("jobs", "run", "--once", "--now", "--job", "mail")
        finally:
            del os.environ["SEALBOX_NEW_REPORT_MAIL_HOUR"]
        mails = first.sql("select recipient from outgoing_mail where kind = 'new_report'")
        figures["digest"] = {"mails": len(mails), "to": sorted(set(mails))}

        before = blob_mib(first)
        figures["replay"] = replay(first.url)
        figures["replay"]["stored"] = len(
            first.sql(
                "select r.id from reports r join channels c on c.id = r.channel_id "
                "where c.slug = 'replay'"
            )
        )
        figures["replay"]["mib"] = blob_mib(first) - before

        if quarantine(first):
            figures["triage"] = triage(first, password, totp)
    finally:
        second.stop()
        first.stop()
        shutil.rmtree(root, ignore_errors=True)
        if schema:
            with create_engine(PG_URL).begin() as connection:
                connection.execute(text(f"drop schema {schema} cascade"))
    return figures


def show(name: str, figures: dict) -> None:
    f, d, r = figures["flood"], figures["digest"], figures["replay"]
    print(f"  {name}")
    print(
        f"    flood   {f['accepted']:4d} accepted, {f['refused']:3d} refused in "
        f"{f['seconds']:6.1f} s; inbox {f['inbox']:4d}, quarantine {f['quarantine']:4d} "
        f"(told {f['told held']}); submit p50 {f['p50'] * 1000:6.0f} ms, "
        f"p95 {f['p95'] * 1000:6.0f} ms"
    )
    print(f"    digest  {d['mails']} new-report mail(s) the next morning, to {', '.join(d['to'])}")
    print(
        f"    replay  one token, ten 5 MiB posts: {r['accepted']} accepted, {r['stored']} "
        f"stored, {r['mib']:5.1f} MiB written, {r['seconds']:5.1f} s"
    )
    if figures.get("triage") == []:
        print("    triage  nothing in quarantine")
    elif "triage" in figures:
        t = figures["triage"]
        print(
            f"    triage  {len(t)} POST(s) of up to 100 shred the quarantine: "
            f"{' '.join(f'{s:.2f}' for s in t)} s"
        )
    else:
        print("    triage  no tool: every report opened and handled one by one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default="eed2eb5", help="the tree to compare with")
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--real-kdf", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sealbox-floods-") as tmp:
        scratch = Path(tmp)
        reference = reference_tree(args.reference, scratch / "reference")
        for backend in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
            print(f"{backend}, {args.reports} bot reports from {args.clients} clients, 2 processes")
            show(f"reference {args.reference}", drill(reference, backend, args, scratch))
            show("this tree", drill(ROOT, backend, args, scratch))


if __name__ == "__main__":
    main()
