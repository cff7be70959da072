"""Only `sealbox.crypto` imports a cipher, KDF or signature library: one door to audit."""

from __future__ import annotations

import ast
from pathlib import Path

import sealbox

GUARDED = ("pyrage", "argon2", "cryptography", "nacl", "Crypto", "webauthn")
PACKAGE = Path(sealbox.__file__).parent


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_outside_crypto_imports_a_cipher_or_signature_library():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if (PACKAGE / "crypto") in path.parents:
            continue
        offenders += [f"{path.relative_to(PACKAGE)}: {n}" for n in _imports(path) & set(GUARDED)]
    assert offenders == []


def test_the_crypto_package_does_use_them():
    used = set().union(*(_imports(p) for p in (PACKAGE / "crypto").rglob("*.py")))
    assert {"pyrage", "argon2", "cryptography"} <= used
