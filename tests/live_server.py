"""A real `sealbox serve` process and the real CLI, for tests that need a process boundary: the
drills of tests/e2e, the browser suite and the benchmarks in bench/.

An `Instance` is a data directory (and a database: SQLite in it, or a PostgreSQL URL) that the
command line and the server processes share. It sets itself up as an operator would, with the
CLI (`init`, `user add`, `channel add`), and each staff member enrols over HTTP as a person does
at first login (`tests/enrolment.py`). The server starts on a free loopback port, answers before
`start` returns, and logs to a file of its own per start (`logs`); `stop` ends it, `kill` is a
SIGKILL, and `start` again is a restart (on a new port, the data kept).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp

from tests import enrolment

TOKEN = re.compile(r'name="(?:form_token|csrf)" value="([^"]+)"')
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def token(html: str, action: str | None = None) -> str:
    """The form token of a page (of the form posting to `action`, if given)."""
    if action is not None:
        html = html[html.index(f'action="{action}') :]
    return TOKEN.search(html).group(1)


@dataclass
class StaffAccount:
    """An enrolled staff member, as their holder knows it."""

    username: str
    password: str
    totp_secret: str
    last_step: int = field(default=-1)

    def code(self) -> str:
        """A TOTP code this account has not used yet (each code opens one login only)."""
        totp = pyotp.TOTP(self.totp_secret)
        step = int(time.time()) // totp.interval
        if step <= self.last_step:
            step = self.last_step + 1
        # The server allows one step of drift: wait until a step further ahead is that close.
        wait = (step - 1) * totp.interval - time.time()
        if wait > 0:
            time.sleep(wait + 0.1)
        self.last_step = step
        return totp.at(step * totp.interval)


@dataclass
class Instance:
    """A data directory (and database) that the CLI and a server process share."""

    root: Path
    database_url: str  # "" for SQLite in the data directory
    process: subprocess.Popen | None = None
    port: int = 0
    # One file per start of the server, holding its standard output and error.
    logs: list[Path] = field(default_factory=list)
    # Tests use one Argon2id pass (memory stays at 64 MiB); the browser suite and benchmarks
    # use the real defaults.
    fast_kdf: bool = True
    # More settings, as SEALBOX_* variables: {"max_uploads": "4"}.
    settings: dict[str, str] = field(default_factory=dict)
    # The host name the server is configured with (SEALBOX_PUBLIC_URL, with the port it runs
    # on): browsers refuse security keys for an IP address. "" leaves the setting alone.
    public_host: str = ""
    # Another checkout of Sealbox to run (a benchmark's reference: the old main); default: this one.
    # Its processes start in it, so that `python -m sealbox` cannot find this one first.
    code: Path | None = None
    # Serving processes behind the port (`sealbox serve --workers N`).
    workers: int = 1

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def public_url(self) -> str:
        """The server under the name it is configured with (`public_host`)."""
        return f"http://{self.public_host}:{self.port}"

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
            wanted = "[kdf]\niterations = 1\n"
            # Written once: commands run from several threads must never read it half-written.
            if not config.exists() or config.read_text() != wanted:
                config.write_text(wanted)
            env["SEALBOX_CONFIG"] = str(config)
        return env

    def cli(
        self, *args: str, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess:
        """Run `sealbox ARGS` against this instance, as the operator does on the server."""
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

    def init(self) -> None:
        self.cli("init")

    # Setting the scene: accounts, channels, membership.

    def invite(self, username: str, role: str = "handler") -> str:
        """Add an account with the CLI; returns the one-time password it prints."""
        out = self.cli("user", "add", username, "--role", role).stdout
        return re.search(r"one-time password:\s+(\S+)", out).group(1)

    def add_user(self, username: str, role: str = "handler", offline_key: str = "") -> StaffAccount:
        """An account made with the CLI, then enrolled by its holder over HTTP, as a person does
        at first login (the server starts if it is not up): their own password, the
        authenticator secret the page showed."""
        one_time = self.invite(username, role)
        self.start()
        with httpx.Client(base_url=self.url, timeout=60) as client:
            done = enrolment.enrol(client, username, one_time, offline_key=offline_key)
        return StaffAccount(username, done.password, done.totp_secret, done.last_step)

    def add_users(self, roles: dict[str, str]) -> dict[str, StaffAccount]:
        """Several accounts at once (each enrolment spends seconds on key derivation)."""
        self.start()
        with ThreadPoolExecutor(max_workers=3) as pool:
            made = pool.map(lambda item: self.add_user(*item), roles.items())
            return {account.username: account for account in made}

    def add_staff(
        self, username: str, role: str = "handler", offline_key: str = ""
    ) -> tuple[str, str]:
        """(own password, TOTP secret) of a new enrolled account (see `add_user`)."""
        account = self.add_user(username, role, offline_key)
        return account.password, account.totp_secret

    def add_handler(self, username: str) -> tuple[str, str]:
        return self.add_staff(username, "handler")

    def add_channel(
        self, slug: str, name: str, description: str = "", handlers: Sequence[str] = ()
    ) -> None:
        args = ["channel", "add", slug, "--name", name]
        if description:
            args += ["--description", description]
        for handler in handlers:
            args += ["--handler", handler]
        self.cli(*args)

    def ask_to_join(self, admin: StaffAccount, slug: str, username: str) -> None:
        """As `admin`, add `username` to a channel that has handlers: it waits for approval."""
        client = self.staff_client(admin)
        listing = client.get("/staff/admin/channels").text
        channel_id = re.search(
            rf'channels/([0-9a-f]{{32}})">[^<]*</a></td><td>/submit/{slug}<', listing
        ).group(1)
        page = client.get(f"/staff/admin/channels/{channel_id}").text
        boxes = re.findall(r'name="(handler_[0-9a-f]{32})" value="1"( checked)?> (\w+)', page)
        chosen = {field: "1" for field, checked, name in boxes if checked or name == username}
        answer = client.post(
            f"/staff/admin/channels/{channel_id}/handlers", data={"csrf": token(page), **chosen}
        )
        assert answer.status_code == 200 and "Waiting for approval" in answer.text, answer.text
        client.close()

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

    # Logging in over plain HTTP.

    def staff_login(
        self, username: str, password: str, totp_secret: str
    ) -> tuple[httpx.Client, str]:
        """A logged-in staff browser and the page it landed on (the inbox)."""
        client = httpx.Client(base_url=self.url, follow_redirects=True)
        login = client.get("/staff/login")
        landed = client.post(
            "/staff/login",
            data={
                "csrf": token(login.text),
                "username": username,
                "password": password,
                "totp": pyotp.TOTP(totp_secret).now(),
            },
        )
        assert landed.status_code == 200, landed.text
        return client, landed.text

    def staff_client(self, account: StaffAccount) -> httpx.Client:
        """A logged-in staff session with a code not used before (for setting the scene)."""
        client = httpx.Client(base_url=self.url, timeout=30)
        page = client.get("/staff/login")
        answer = client.post(
            "/staff/login",
            data={
                "csrf": token(page.text),
                "username": account.username,
                "password": account.password,
                "totp": account.code(),
            },
        )
        assert answer.status_code == 303, answer.text
        return client

    # The server process.

    def _next_log(self) -> Path:
        """A log file no server of this root has written (another instance may share the root)."""
        taken = {path.name for path in self.logs}
        n = len(self.logs)
        while f"server-{n}.log" in taken or (self.root / f"server-{n}.log").exists():
            n += 1
        return self.root / f"server-{n}.log"

    def start(self) -> None:
        """Start `sealbox serve` and wait until it answers (nothing to do while it runs)."""
        if self.process is not None and self.process.poll() is None:
            return
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        env = self.env()
        if self.public_host:
            env["SEALBOX_PUBLIC_URL"] = self.public_url
        log = self._next_log()
        self.logs.append(log)
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sealbox", "serve", "--port", str(self.port)]
                + (["--workers", str(self.workers)] if self.workers > 1 else []),
                env=env,
                cwd=self.code,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited:\n{log.read_text(errors='replace')}")
            try:
                httpx.get(self.url + "/", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError(f"server did not answer within {START_SECONDS} s")

    def memory_kib(self) -> tuple[int, int]:
        """The server's resident memory now and at its peak (KiB)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        now = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
        return now, peak

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to clean up (`start` again to restart)."""
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
