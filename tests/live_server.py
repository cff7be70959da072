"""A real `sealbox serve` process and the real CLI, for tests that need a process boundary."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp

from tests import enrolment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Instance:
    """A data directory (and database) that the CLI and a server process share."""

    root: Path
    database_url: str
    process: subprocess.Popen | None = None
    port: int = 0
    logs: list[Path] = field(default_factory=list)
    # Tests use one Argon2id pass (memory stays at 64 MiB); benchmarks use the real defaults.
    fast_kdf: bool = True
    # More settings, as SEALBOX_* variables: {"max_uploads": "4"}.
    settings: dict[str, str] = field(default_factory=dict)
    # Another checkout of Sealbox to run (a benchmark's reference: the old main); default: this one.
    # Its processes start in it, so that `python -m sealbox` cannot find this one first.
    code: Path | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            SEALBOX_DATA_DIR=str(self.data_dir),
            SEALBOX_DATABASE_URL=self.database_url,
            TMPDIR=str(self.tmp_dir),
        )
        env.update({f"SEALBOX_{name.upper()}": value for name, value in self.settings.items()})
        if self.code is not None:
            env["PYTHONPATH"] = str(self.code)
        if self.fast_kdf:
            config = self.root / "sealbox.toml"
            config.write_text("[kdf]\niterations = 1\n")
            env["SEALBOX_CONFIG"] = str(config)
        return env

    def cli(
        self, *args: str, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess:
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [sys.executable, "-m", "sealbox", *args],
            env=self.env(),
            cwd=self.code,  # `-m` looks in the working directory first: run from the checkout
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"sealbox {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def add_staff(
        self, username: str, role: str = "handler", offline_key: str = ""
    ) -> tuple[str, str]:
        """(own password, TOTP secret) of a new account: made with the CLI, then enrolled by its
        holder over HTTP, as a person does at first login (the server starts if it is not up)."""
        out = self.cli("user", "add", username, "--role", role).stdout
        one_time = re.search(r"one-time password:\s+(\S+)", out).group(1)
        self.start()
        with httpx.Client(base_url=self.url, timeout=60) as client:
            done = enrolment.enrol(client, username, one_time, offline_key=offline_key)
        return done.password, done.totp_secret

    def add_handler(self, username: str) -> tuple[str, str]:
        return self.add_staff(username, "handler")

    def sql(self, statement: str, **params: object) -> list:
        """Run SQL on the instance's database (settings a test needs, ids it looks up)."""
        from sqlalchemy import text

        from sealbox.store.db import make_engine

        url = self.database_url or f"sqlite:///{self.data_dir / 'sealbox.db'}"
        engine = make_engine(url)
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            rows = result.scalars().all() if result.returns_rows else []
        engine.dispose()
        return rows

    def staff_login(
        self, username: str, password: str, totp_secret: str
    ) -> tuple[httpx.Client, str]:
        """A logged-in staff browser and the page it landed on (the inbox)."""
        client = httpx.Client(base_url=self.url, follow_redirects=True)
        login = client.get("/staff/login")
        token = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
        landed = client.post(
            "/staff/login",
            data={
                "csrf": token,
                "username": username,
                "password": password,
                "totp": pyotp.TOTP(totp_secret).now(),
            },
        )
        assert landed.status_code == 200, landed.text
        return client, landed.text

    def start(self) -> None:
        """Start `sealbox serve` (nothing to do while it runs)."""
        if self.process is not None and self.process.poll() is None:
            return
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        log = self.root / f"server-{len(self.logs)}.log"
        self.logs.append(log)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sealbox", "serve", "--port", str(self.port)],
            env=self.env(),
            cwd=self.code,
            stdout=open(log, "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited:\n{log.read_text()}")
            try:
                httpx.get(self.url + "/", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("server did not start")

    def memory_kib(self) -> tuple[int, int]:
        """The server's resident memory now and at its peak (KiB)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        now = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
        return now, peak

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
