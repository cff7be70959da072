"""The source pages, the staff login, account, security-key, approval and admin pages, the
report, case, inbox and quarantine pages, the custodian, auditor and mail pages and `sealbox
audit` go through their domain services: none of them writes an audit entry, opens a key or a
transaction itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sealbox

ROOT = Path(sealbox.__file__).parent
THIN = [
    "web/source/routes.py",
    "web/staff/disclosure_routes.py",
    "web/staff/audit_routes.py",
    "web/staff/admin_mail_routes.py",
    "web/staff/report_routes.py",
    "web/staff/case_routes.py",
    "web/staff/inbox_routes.py",
    "web/staff/quarantine_routes.py",
    "web/staff/downloads.py",
    "audit/cli.py",
    "web/staff/routes.py",
    "web/staff/guards.py",
    "web/staff/pages.py",
    "web/staff/devices.py",
    "web/staff/account_routes.py",
    "web/staff/security_key_routes.py",
    "web/staff/factor_admin_routes.py",
    "web/staff/admin_routes.py",
    "web/staff/approval_routes.py",
]
# The log's writers (`sealbox.audit` itself exports `record`) and the cipher.
FORBIDDEN = ("sealbox.audit.log", "sealbox.audit.access", "sealbox.audit.record", "sealbox.crypto")
FORBIDDEN_CALLS = {"transaction", "read", "run"}  # on `svc.db`


def _imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def _db_calls(tree: ast.AST) -> list[str]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if (
                node.func.attr in FORBIDDEN_CALLS
                and isinstance(owner, ast.Attribute)
                and owner.attr == "db"
            ):
                calls.append(f"line {node.lineno}: db.{node.func.attr}")
    return calls


@pytest.mark.parametrize("path", THIN)
def test_the_view_leaves_records_keys_and_transactions_to_its_service(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    imported = _imports(tree)
    wrong = [
        name
        for name in imported
        if name == "sealbox.audit" or name.startswith(FORBIDDEN) or ".models" in name
    ]
    assert wrong == [], f"{path} imports {wrong}"
    assert _db_calls(tree) == [], f"{path} opens its own transactions"
