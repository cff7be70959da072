"""What ending a session costs: a source's logout (delete + `Database.forget`) against a page load.

    python3 bench/sessions/run.py [--backend sqlite|postgresql|both] [--live N] [--rounds N]

With N other sessions alive (their rows are what PostgreSQL's table rewrite copies), each round
logs a source in, loads the report page (the reference), and logs out. Prints p50/p95 in
milliseconds for the page, the logout, and the login (one Argon2id run: the other reference).
Real KDF cost (64 MiB, 3 passes). The PostgreSQL run uses its own schema and drops it.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from sealbox import services, settings
from sealbox.accounts import staff_admin
from sealbox.channels import channel_admin
from sealbox.sources import source_access, source_sessions, throttle
from sealbox.web.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests import enrolment  # noqa: E402

PG_URL = os.environ.get("SEALBOX_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
WORDS = re.compile(r"<li>([a-z-]+)</li>")


def _token(html: str, action: str) -> str:
    return TOKEN.search(html[html.index(f'action="{action}"') :]).group(1)


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def run(backend: str, live: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, schema = "", None
        if backend == "postgresql":
            schema = "bench_sessions_" + secrets.token_hex(4)
            with create_engine(PG_URL).begin() as connection:
                connection.execute(text(f"create schema {schema}"))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        try:
            svc = services.build(settings.load(environ={}, data_dir=Path(tmp), database_url=url))
            with svc.db.transaction() as session:
                added = staff_admin.add(
                    session, svc.clock, svc.kdf, staff_admin.INSTALLER, "alice", "handler"
                )
                channel_admin.create(
                    session, svc.clock, staff_admin.INSTALLER, "bench", "Bench", handlers=["alice"]
                )
            client = TestClient(create_app(svc), base_url="http://sealbox.test")
            # The handler enrols as a person does at first login (their key, their password).
            enrolment.enrol(client, "alice", added.password, password="bench-password-long")
            client.cookies.clear()
            page = client.get("/submit/bench")
            sent = client.post(
                "/submit/bench",
                data={"form_token": TOKEN.search(page.text).group(1), "text": "bench"},
                files=[("files", ("", b"", "application/octet-stream"))],
            )
            words = " ".join(WORDS.findall(sent.text))
            source = source_access.log_in(svc, words, throttle.LoginBudget(10, 1.0, svc.clock))
            for _ in range(live):
                source_sessions.start(svc, source)
            logins, pages, logouts = [], [], []
            for _ in range(rounds):
                client.cookies.clear()
                form = client.get("/login")
                started = time.perf_counter()
                client.post(
                    "/login",
                    data={"form_token": TOKEN.search(form.text).group(1), "passphrase": words},
                    follow_redirects=False,
                )
                logins.append(time.perf_counter() - started)
                started = time.perf_counter()
                report = client.get("/report")
                pages.append(time.perf_counter() - started)
                started = time.perf_counter()
                out = client.post("/logout", data={"form_token": _token(report.text, "/logout")})
                logouts.append(time.perf_counter() - started)
                assert out.status_code == 200
            client.close()
            svc.db.dispose()
        finally:
            if schema:
                with create_engine(PG_URL).begin() as connection:
                    connection.execute(text(f"drop schema {schema} cascade"))
    print(f"{backend}, {live} other live sessions, {rounds} rounds")
    print(f"  report page (reference)        {_ms(pages)}")
    print(f"  passphrase login (reference)   {_ms(logins)}")
    print(f"  logout incl. forget            {_ms(logouts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--live", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    for backend in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
        run(backend, args.live, args.rounds)


if __name__ == "__main__":
    main()
