"""deploy/nginx/sealbox.conf, run by the real nginx in front of a real `sealbox serve` over TLS
(a certificate made here), on loopback: a source sends a report with a file, gets the
passphrase, logs in and reads; a handler logs in and downloads the file. Meanwhile and
afterwards, nothing nginx wrote (its logs, its temporary files, the files it held open while a
body went through) holds a source's path, an address, a byte of the file or the passphrase."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.live_server import Instance, free_port, token

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CANARY = b"NGINXCANARY"
# Larger than what socket buffers and nginx's memory buffers hold together, so that a proxy
# that buffers would have to spool it to a file while the client reads slowly.
FILE = b"id,note\n" + b"".join(b"%d,%s %s\n" % (i, CANARY, b"x" * 64) for i in range(200_000))


def _nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if found is None:
        pytest.skip("nginx is not installed here (scripts/install-test-deps installs it)")
    return found


def _certificate(where: Path) -> tuple[Path, Path]:
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


class Proxy:
    """nginx with deploy/nginx/sealbox.conf, its paths moved into `root`, on loopback."""

    def __init__(self, root: Path, upstream: int) -> None:
        self.root = root
        self.logs = root / "logs"
        self.temp = [root / name for name in ("client_body_temp", "proxy_temp", "other_temp")]
        for directory in (self.logs, *self.temp):
            directory.mkdir(parents=True)
        self.cert, key = _certificate(root)
        self.port = free_port()
        site = (DEPLOY / "nginx" / "sealbox.conf").read_text()
        for old, new in (
            ("listen 443 ssl;", f"listen 127.0.0.1:{self.port} ssl;"),
            ("listen 80;", f"listen 127.0.0.1:{free_port()};"),
            ("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream};"),
            ("/etc/letsencrypt/live/tips.example.org/fullchain.pem", str(self.cert)),
            ("/etc/letsencrypt/live/tips.example.org/privkey.pem", str(key)),
            ("/var/log/nginx/", f"{self.logs}/"),
        ):
            assert old in site, old
            site = site.replace(old, new)
        site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)  # loopback only
        (root / "sealbox.conf").write_text(site)
        other = self.temp[2]
        (root / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\nuser root;\npid {root}/nginx.pid;\n"
            f"error_log {self.logs}/main-error.log crit;\n"
            "events { worker_connections 64; }\n"
            "http {\n"
            f"  client_body_temp_path {self.temp[0]};\n  proxy_temp_path {self.temp[1]};\n"
            f"  fastcgi_temp_path {other}/f;\n  uwsgi_temp_path {other}/u;\n"
            f"  scgi_temp_path {other}/s;\n"
            f"  include {root}/sealbox.conf;\n"
            "}\n"
        )
        self.process = subprocess.Popen(
            [_nginx(), "-p", str(root), "-c", str(root / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=open(self.logs / "stderr.log", "wb"),  # noqa: SIM115 (closed with nginx)
        )
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, (self.logs / "stderr.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)

    def client(self) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.cert))
        return httpx.Client(base_url=f"https://localhost:{self.port}", verify=context, timeout=120)

    def held_files(self) -> list[str]:
        """Files nginx's processes hold open in its temporary directories right now (nginx
        unlinks a temporary file at once: only its open descriptor shows it)."""
        held = []
        pids = [self.process.pid] + [
            int(pid)
            for pid in os.listdir("/proc")
            if pid.isdigit() and _parent(int(pid)) == self.process.pid
        ]
        for pid in pids:
            with_fds = Path(f"/proc/{pid}/fd")
            for fd in with_fds.iterdir() if with_fds.exists() else ():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if any(target.startswith(str(temp)) for temp in self.temp):
                    held.append(target)
        return held

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: logs are complete
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


@pytest.fixture
def served(tmp_path, database_url):
    instance = Instance(
        tmp_path / "instance", database_url, settings={"trusted_proxies": "127.0.0.1"}
    )
    instance.init()
    handler = instance.add_user("hana")
    instance.add_channel("depot", "Depot", handlers=["hana"])
    proxy = Proxy(tmp_path / "nginx", upstream=instance.port)
    yield instance, proxy, handler
    proxy.stop()
    instance.stop()


def _multipart(fields: dict[str, str], file: tuple[str, bytes]) -> tuple[str, bytes]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    name, content = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def test_the_source_flow_through_nginx_leaves_nothing_in_nginx(served):
    instance, proxy, hana = served
    held: list[str] = []
    with proxy.client() as source:
        form = source.get("/submit/depot")
        assert form.status_code == 200
        kind, body = _multipart(
            {"form_token": token(form.text), "text": "NGINXCANARY fuel sold off the books"},
            ("ledger.csv", FILE),
        )

        def slowly():
            half = len(body) // 2
            for start in range(0, len(body), 256 * 1024):
                if start >= half and not held:
                    time.sleep(1.0)  # nginx now holds half the body: where?
                    held.append("checked")
                    held.extend(proxy.held_files())
                yield body[start : start + 256 * 1024]

        sent = source.post(
            "/submit/depot",
            content=slowly(),
            headers={"content-type": kind, "content-length": str(len(body))},
            follow_redirects=True,  # to the one-time receipt with the passphrase
        )
        assert sent.status_code == 200, sent.text[:2000]
        assert held == ["checked"], f"nginx spooled the upload: {held[1:]}"
        words = re.findall(r"<li>([a-z-]+)</li>", sent.text)
        assert len(words) >= 7
        passphrase = " ".join(words)

        page = source.get("/login")
        mine = source.post(
            "/login",
            data={"form_token": token(page.text), "passphrase": passphrase},
            follow_redirects=True,
        )
        assert mine.status_code == 200 and "ledger.csv" in mine.text
        assert all(cookie.secure for cookie in source.cookies.jar), "cookies must be Secure"

    with proxy.client() as staff:
        login = staff.get("/staff/login")
        landed = staff.post(
            "/staff/login",
            data={
                "csrf": token(login.text),
                "username": hana.username,
                "password": hana.password,
                "totp": hana.code(),
            },
        )
        assert landed.status_code == 303, landed.text
        [report] = re.findall(r'href="/staff/reports/([0-9a-f]{32})"', staff.get("/staff/").text)
        page = staff.get(f"/staff/reports/{report}").text
        [link] = re.findall(r'href="(/staff/reports/[0-9a-f]{32}/files/[0-9a-f]{32})"', page)
        with staff.stream("GET", link) as download:
            chunks = download.iter_bytes()
            first = next(chunks)
            time.sleep(1.0)  # a reader that is slow: a buffering proxy writes the rest down
            spooled = proxy.held_files()
            got = first + b"".join(chunks)
        assert spooled == [], f"nginx spooled the download: {spooled}"
        assert hashlib.sha256(got).digest() == hashlib.sha256(FILE).digest()

        # Sealbox's header limit holds at the proxy too.
        big = staff.get("/", headers={"x-filler": "a" * 40 * 1024})
        assert big.status_code in (400, 431)

    proxy.stop()
    staff_log = (proxy.logs / "sealbox-staff.log").read_text()
    assert '"POST /staff/login" 303' in staff_log, staff_log  # staff pages are logged
    for line in staff_log.splitlines():
        assert re.fullmatch(r'\S+ "[A-Z]+ /staff/\S*" \d{3}', line), line
    written = [path for place in (proxy.logs, *proxy.temp) for path in place.rglob("*")]
    for path in (p for p in written if p.is_file()):
        data = path.read_bytes()
        for secret in (CANARY, passphrase.encode(), b"127.0.0.1", b"/submit", b"ledger.csv"):
            assert secret not in data, f"{path.name} holds {secret!r}"
    assert not [p for temp in proxy.temp for p in temp.rglob("*") if p.is_file()]
