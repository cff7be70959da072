"""A real `sealbox serve` on loopback, set up through the CLI as an operator would."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp

from tests import enrolment

# The `sealbox` command, run by the interpreter running the tests.
SEALBOX = [sys.executable, "-c", "from sealbox.cli import main; main()"]
TOKEN = re.compile(r'name="(?:form_token|csrf)" value="([^"]+)"')


@dataclass
class StaffAccount:
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


def _cli(data_dir: Path, *args: str) -> str:
    result = subprocess.run(
        [*SEALBOX, *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunningSealbox:
    """Owns the data directory and the server process for one test module."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Security keys need a host name (browsers refuse them for an IP address): the same
        # server under the name the instance is configured with.
        self.public_url = f"http://localhost:{self.port}"
        self.process: subprocess.Popen | None = None

    def init(self) -> None:
        _cli(self.data_dir, "init")

    def add_users(self, roles: dict[str, str]) -> dict[str, StaffAccount]:
        """Several accounts at once (each enrolment spends seconds on key derivation)."""
        with ThreadPoolExecutor(max_workers=3) as pool:
            made = pool.map(lambda item: self.add_user(*item), roles.items())
            return {account.username: account for account in made}

    def invite(self, username: str, role: str = "handler") -> str:
        """Add an account with the CLI; returns the one-time password it prints."""
        out = _cli(self.data_dir, "user", "add", username, "--role", role)
        return re.search(r"one-time password:\s+(\S+)", out).group(1)

    def add_user(self, username: str, role: str = "handler") -> StaffAccount:
        """An account made with the CLI and enrolled by its holder at first login (the server
        must be running): their own password, the authenticator secret the page showed."""
        one_time = self.invite(username, role)
        with httpx.Client(base_url=self.url, timeout=60) as client:
            done = enrolment.enrol(client, username, one_time)
        return StaffAccount(username, done.password, done.totp_secret, done.last_step)

    def add_channel(self, slug: str, name: str, description: str, handlers: list[str]) -> None:
        args = ["channel", "add", slug, "--name", name, "--description", description]
        for handler in handlers:
            args += ["--handler", handler]
        _cli(self.data_dir, *args)

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

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*SEALBOX, "serve", "--data-dir", str(self.data_dir), "--port", str(self.port)],
            env={**os.environ, "SEALBOX_PUBLIC_URL": self.public_url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode())
            try:
                if httpx.get(self.url + "/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("sealbox serve did not answer within 30 seconds")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def staff_client(self, account: StaffAccount) -> httpx.Client:
        """A logged-in staff session over plain HTTP (for setting the scene, not for testing)."""
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


def token(html: str, action: str | None = None) -> str:
    if action is not None:
        html = html[html.index(f'action="{action}') :]
    return TOKEN.search(html).group(1)
