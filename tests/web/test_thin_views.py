"""The source pages, the staff login, account, security-key, approval and admin pages, the
report, case, inbox and quarantine pages, the custodian, auditor and mail pages, the `sealbox`
commands and `sealbox audit` go through their domain services: none of them writes an audit
entry, opens a key or a transaction itself, or calls a domain module's function past its
service (the service is where the role is checked and the record written). The sessions and
mail jobs call the services too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sealbox

ROOT = Path(sealbox.__file__).parent
THIN = [
    "web/source/routes.py",
    "web/health.py",
    "web/staff/disclosure_routes.py",
    "web/staff/audit_routes.py",
    "web/staff/admin_mail_routes.py",
    "web/staff/report_routes.py",
    "web/staff/case_routes.py",
    "web/staff/report_view.py",
    "web/staff/flash.py",
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
    "web/staff/home.py",
    "commands.py",
    "jobs/sessions.py",
    "jobs/mail.py",
    "backup/cli.py",
    "recovery/cli.py",
]
DOMAINS = (
    "accounts",
    "channels",
    "reports",
    "sources",
    "disclosure",
    "audit",
    "notify",
    "backup",
    "recovery",
)
# Role checks are pure questions about the actor, asked by the guards before any service call.
PURE = {"sealbox.accounts.roles"}
# `sealbox decrypt` runs on a handler's own computer: no server, no services; opening the
# bundle (key handling included) is this one domain function's whole work.
# Likewise opening a backup or a recovery bundle with an offline key, and a restore, which runs
# before the instance (and so its services) exists.
OFFLINE = {
    "sealbox.reports.offline.decrypt_bundle",
    "sealbox.backup.backups.verify",
    "sealbox.backup.backups.restore",
    "sealbox.recovery.bundles.reopen",
}
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


def _domain_calls(tree: ast.AST) -> list[str]:
    """Calls of a domain module's functions: `module.function(...)` for an imported domain
    module, or `function(...)` imported from one. Classes (types, refusals) and constants may
    be named; what does the work is the service's."""
    modules: dict[str, str] = {}
    functions: dict[str, str] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.module and _in_domain(node.module)):
            continue
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            local = alias.asname or alias.name
            if full in PURE or node.module in PURE or not alias.name[:1].islower():
                continue  # a role check, a class or a constant
            if node.module.count(".") == 1:
                modules[local] = full  # from sealbox.<domain> import <module>
            else:
                functions[local] = full  # from sealbox.<domain>.<module> import <function>
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in functions:
            calls.append(f"line {node.lineno}: {functions[func.id]}()")
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
            and func.attr[:1].islower()
        ):
            calls.append(f"line {node.lineno}: {modules[func.value.id]}.{func.attr}()")
    return [call for call in calls if call.split(": ")[1].removesuffix("()") not in OFFLINE]


def _in_domain(name: str) -> bool:
    parts = name.split(".")
    return len(parts) >= 2 and parts[0] == "sealbox" and parts[1] in DOMAINS


@pytest.mark.parametrize("path", THIN)
def test_the_view_leaves_records_keys_and_transactions_to_its_service(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    imported = _imports(tree)
    wrong = [
        name
        for name in imported
        if name == "sealbox.audit" or name.startswith(FORBIDDEN) or ".models" in name
    ]
    if path.startswith("web/"):  # a page asks a service, never runs a job itself
        wrong += [name for name in imported if name.startswith("sealbox.jobs")]
    assert wrong == [], f"{path} imports {wrong}"
    assert _db_calls(tree) == [], f"{path} opens its own transactions"
    assert _domain_calls(tree) == [], f"{path} calls past the service"
