"""The deployment files in deploy/ are checked by the tools that will read them: tor parses
the onion service's torrc, systemd the units, and the units keep their hardening."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = ("sealbox.service", "sealbox-jobs.service", "sealbox-jobs.timer")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:  # visible in the report, never a silent pass
        pytest.skip(f"{name} is not installed here (scripts/install-test-deps installs it)")
    return found


def _sealbox() -> str:
    """The installed `sealbox` command, for ExecStart= (systemd checks that it runs)."""
    found = shutil.which(
        "sealbox", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    )
    if found is None:
        pytest.skip("no installed `sealbox` command (pip install -e . makes one)")
    return os.path.realpath(found)


def test_tor_accepts_the_onion_service_configuration(tmp_path):
    tor = _tool("tor")
    service, data = tmp_path / "onion", tmp_path / "tor-data"
    for directory in (service, data):
        directory.mkdir(mode=0o700)
    text = (DEPLOY / "torrc").read_text()
    assert "\nHiddenServicePoWDefensesEnabled 1\n" in text
    assert "\nHiddenServiceExportCircuitID" not in text  # never: an identifier per circuit
    lines = [
        f"HiddenServiceDir {service}/" if line.startswith("HiddenServiceDir ") else line
        for line in text.splitlines()
    ]
    torrc = tmp_path / "torrc"
    torrc.write_text("\n".join([*lines, f"DataDirectory {data}", ""]))
    run = subprocess.run(
        [tor, "--verify-config", "--defaults-torrc", os.devnull, "-f", str(torrc)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "Configuration was valid" in run.stdout, run.stdout
    broken = tmp_path / "broken"
    broken.write_text(torrc.read_text().replace("PoWDefensesEnabled 1", "PoWDefencesEnabled 1"))
    refused = subprocess.run(
        [tor, "--verify-config", "--defaults-torrc", os.devnull, "-f", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0  # the check is real: a misspelt option fails it


def _units(tmp_path: Path, edit=lambda text: text) -> list[str]:
    sealbox = _sealbox()
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text().replace("/usr/local/bin/sealbox", sealbox)
        (tmp_path / name).write_text(edit(text))
    return [f"./{name}" for name in UNITS]


def _verify(tmp_path: Path, units: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_tool("systemd-analyze"), "verify", "--man=no", *units],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_systemd_accepts_the_units_without_a_warning(tmp_path):
    run = _verify(tmp_path, _units(tmp_path))
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "", run.stderr  # an unknown key is only a warning: none
    # The check is real: a misspelt hardening option is reported.
    misspelt = _verify(tmp_path, _units(tmp_path, lambda t: t.replace("NoNewPriv", "NoNewPrv")))
    assert "Unknown key" in misspelt.stderr


@pytest.mark.parametrize("name", ["sealbox.service", "sealbox-jobs.service"])
def test_the_services_are_hardened(name):
    settings = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings.setdefault(key, value)
    wanted = {
        "User": "sealbox",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "UMask": "0077",
        "StateDirectory": "sealbox",
        "StateDirectoryMode": "0700",
        "ReadWritePaths": "/var/lib/sealbox",
        "Environment": "SEALBOX_DATA_DIR=/var/lib/sealbox",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
        "SystemCallFilter": "@system-service",
        "CapabilityBoundingSet": "",
        "LimitCORE": "0",
    }
    assert {key: settings.get(key) for key in wanted} == wanted
