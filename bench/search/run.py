"""Search benchmark: a handler searches 1,300 and 20,000 reports over HTTP (in-process app).

    python3 bench/search/run.py [--counts 1300,20000] [--requests 5]

Each report is sealed as intake seals it (a first message, every third one a follow-up, a
preview; one report key shared by all, whose wrap the search opens again for every report, as
it must for reports with keys of their own). Prints, for each size, the p50/p95 of the search
page beside two references measured in the same run on the same reports:
- "plaintext": the same matching over the same texts already in memory (what an index-free
  search costs without encryption);
- "unsealing": opening every report's key and parts, without matching (the floor of a search
  that keeps nothing between requests).
Target: under 1 s at 1,300 reports on this machine.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyotp
from sqlalchemy import select
from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sealbox import crypto, services, settings  # noqa: E402
from sealbox.accounts import staff_admin  # noqa: E402
from sealbox.channels import channel_admin  # noqa: E402
from sealbox.channels.models import Channel  # noqa: E402
from sealbox.reports import search  # noqa: E402
from sealbox.reports.models import Message, ReportKey  # noqa: E402
from sealbox.web.app import create_app  # noqa: E402
from tests import enrolment, inbox_seed  # noqa: E402

WORDS = [
    *[
        "invoice",
        "warehouse",
        "manager",
        "payment",
        "contract",
        "supplier",
        "overtime",
        "safety",
        "permit",
        "tender",
    ],
    *["合同", "供应商", "加班", "安全", "ئامبار", "باشقۇرغۇچى", "پۇل", "توختام"],
]


def texts(count: int) -> list[str]:
    """Varied report texts of a few hundred characters; one in 400 names "Quillfeather", one
    in 300 a "仓库经理" (warehouse manager)."""
    out = []
    for n in range(count):
        words = [WORDS[(n * 7 + k * 13) % len(WORDS)] for k in range(40)]
        if n % 400 == 0:
            words.insert(n % 40, "Quillfeather")
        if n % 300 == 7:
            words.insert(n % 40, "仓库经理")
        out.append(" ".join(words))
    return out


def build(count: int, workdir: Path):
    svc = services.build(settings.load(environ={}, data_dir=workdir / "data"))
    with svc.db.transaction() as session:
        added = staff_admin.add(
            session, svc.clock, svc.kdf, staff_admin.INSTALLER, "bench", "handler"
        )
        channel_admin.create(
            session, svc.clock, staff_admin.INSTALLER, "tips", "Tips", handlers=["bench"]
        )
    client = TestClient(create_app(svc), base_url="http://bench.test")
    done = enrolment.enrol(client, "bench", added.password)
    with svc.db.transaction() as session:
        channel_id = session.scalar(select(Channel.id))
    seeded = inbox_seed.seed(
        svc, "bench", channel_id, count, svc.clock.today(), days=60, texts=texts(count)
    )
    page = client.get("/staff/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    client.post(
        "/staff/login",
        data={
            "csrf": csrf,
            "username": "bench",
            "password": done.password,
            "totp": pyotp.TOTP(done.totp_secret).at(svc.clock.timestamp()),
        },
    )
    return svc, client, seeded


def time_search(client: TestClient, words: str, requests: int) -> tuple[float, float, int]:
    page = client.get("/staff/search")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    timings = []
    found = 0
    for _ in range(requests):
        start = time.perf_counter()
        answer = client.post("/staff/search", data={"csrf": csrf, "q": words})
        timings.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.text[:500]
        found = len(set(re.findall(r'href="/staff/reports/([0-9a-f]{32})"', answer.text)))
    return statistics.median(timings), _p95(timings), found


def _p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]


def references(svc, seeded, words: str, requests: int) -> tuple[float, float]:
    """(plaintext matching, unsealing alone), median seconds, over the same reports."""
    with svc.db.transaction() as session:
        wraps = [w for (w,) in session.execute(select(ReportKey.wrapped))]
        bodies = [b for (b,) in session.execute(select(Message.body))]
    handler_key = seeded.report_key  # stands in for the handler's key: same cost to unwrap with
    own = crypto.Identity.generate()
    rewrapped = crypto.wrap_identity(handler_key, own.recipient)
    plain = [json.loads(crypto.unseal(b, handler_key))["text"] for b in bodies]
    terms = search.parse_terms(words)
    plain_times, unseal_times = [], []
    for _ in range(requests):
        start = time.perf_counter()
        [t for t in plain if all(term in search.normalise(t) for term in terms)]
        plain_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in wraps:
            crypto.unwrap_identity(rewrapped, own)
        for body in bodies:
            crypto.unseal(body, handler_key)
        unseal_times.append(time.perf_counter() - start)
    return statistics.median(plain_times), statistics.median(unseal_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1300,20000")
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()
    queries = {"one word": "quillfeather", "CJK substring": "仓库", "no match": "zanderquist"}
    print("reports  query            search p50   p95     found | plaintext  unsealing alone")
    for count in (int(c) for c in args.counts.split(",")):
        with tempfile.TemporaryDirectory(prefix="sealbox-bench-search-") as workdir:
            svc, client, seeded = build(count, Path(workdir))
            with client:
                for name, words in queries.items():
                    p50, p95, found = time_search(client, words, args.requests)
                    plain, unsealing = references(svc, seeded, words, max(1, args.requests // 2))
                    verdict = "" if count > 1300 or p95 < 1 else "  OVER TARGET"
                    print(
                        f"{count:>7,}  {name:<15} {p50 * 1000:8.0f} ms {p95 * 1000:6.0f} ms"
                        f" {found:6d} | {plain * 1000:6.1f} ms  {unsealing * 1000:7.0f} ms"
                        f"{verdict}",
                        flush=True,
                    )
            svc.db.dispose()


if __name__ == "__main__":
    main()
