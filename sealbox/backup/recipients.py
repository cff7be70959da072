"""The offline keys a backup is sealed to: public age keys only, listed in a file of the data
directory. The server can seal a backup to them and never open one."""

from __future__ import annotations

import os
from pathlib import Path

from sealbox.crypto import Identity, InvalidKey, Recipient


class BadKey(Exception):
    """Text that is not the age key it should be: the message says which kind was expected."""


def public_key(text: str) -> Recipient:
    """An `age1...` public key, or BadKey."""
    try:
        return Recipient.parse(text)
    except InvalidKey as exc:
        raise BadKey(f"{text.strip()[:80]!r}: {exc}") from exc


def private_key(text: str) -> Identity:
    """The one identity of an age identity file's text (AGE-SECRET-KEY-1...), or BadKey."""
    try:
        return Identity.parse(text)
    except InvalidKey as exc:
        raise BadKey(str(exc)) from exc


HEADER = "# Offline keys that Sealbox backups are sealed to (age public keys), one per line.\n"


def path_in(data_dir: Path) -> Path:
    return data_dir / "backup-recipients.txt"


def read(path: Path) -> list[Recipient]:
    """The registered keys; a line that is not an age public key stops here (InvalidKey)."""
    if not path.exists():
        return []
    lines = [line.strip() for line in path.read_text(encoding="ascii").splitlines()]
    return [Recipient.parse(line) for line in lines if line and not line.startswith("#")]


def add(path: Path, recipient: Recipient) -> bool:
    """Register `recipient`; False when it was registered already."""
    known = read(path)
    if any(str(r) == str(recipient) for r in known):
        return False
    _write(path, [*known, recipient])
    return True


def remove(path: Path, recipient: Recipient) -> bool:
    known = read(path)
    kept = [r for r in known if str(r) != str(recipient)]
    if len(kept) == len(known):
        return False
    _write(path, kept)
    return True


def _write(path: Path, recipients: list[Recipient]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(HEADER + "".join(f"{r}\n" for r in recipients))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
