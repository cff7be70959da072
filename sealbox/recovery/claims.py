"""What a reset account held, kept as report ids while its old wraps go, and given back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sealbox.accounts.models import User
from sealbox.recovery import bundles
from sealbox.recovery.bundles import BadBundle
from sealbox.recovery.models import RecoveryClaim, RecoveryKey, RecoveryWrap
from sealbox.recovery.wraps import KINDS
from sealbox.reports.models import Report
from sealbox.store import erase


def hold(session: Session, user_id: str) -> int:
    """Note every key `user_id` holds as a claim, then erase their wraps (useless without the
    old key, which the reset forgets); returns how many."""
    count = 0
    for kind, model in KINDS.items():
        for report_id in session.scalars(select(model.report_id).where(model.user_id == user_id)):
            session.merge(RecoveryClaim(user_id=user_id, report_id=report_id, kind=kind))
            count += 1
        erase.delete_overwritten(session, model, model.user_id == user_id)
    return count


def held(session: Session, user_id: str) -> set[tuple[str, str]]:
    """(kind, report id) of every key the account holds now or held before a reset."""
    pairs = set(
        session.execute(
            select(RecoveryClaim.kind, RecoveryClaim.report_id).where(
                RecoveryClaim.user_id == user_id
            )
        )
    )
    for kind, model in KINDS.items():
        pairs |= {
            (kind, report_id)
            for report_id in session.scalars(
                select(model.report_id).where(model.user_id == user_id)
            )
        }
    return pairs


def export(session: Session, user: User) -> tuple[dict[str, Any], int]:
    """The recovery wraps of every key `user` holds or held; and how many keys have none."""
    pairs = held(session, user.id)
    rows = session.execute(
        select(
            RecoveryWrap.kind, RecoveryWrap.report_id, RecoveryKey.public_key, RecoveryWrap.wrapped
        )
        .join(RecoveryKey, RecoveryKey.id == RecoveryWrap.key_id)
        .where(RecoveryWrap.report_id.in_({report_id for _, report_id in pairs}))
        .order_by(RecoveryWrap.report_id, RecoveryWrap.kind)
    )
    items, covered = [], set()
    for kind, report_id, public_key, wrapped in rows:
        if (kind, report_id) in pairs:
            items.append(
                {
                    "kind": kind,
                    "report": report_id,
                    "recovery_key": public_key,
                    "wrapped": bundles.encode(wrapped),
                }
            )
            covered.add((kind, report_id))
    bundle = {"format": bundles.FORMAT, "stage": "export", "user": user.username, "items": items}
    return bundle, len(pairs - covered)


def accept(session: Session, user: User, reopened: object) -> int:
    """Store the wraps of a reopened bundle as `user`'s own; returns how many."""
    bundle = bundles.check(reopened, "reopened")
    if bundle.get("user") != user.username:
        raise BadBundle(f"this bundle was made for {bundle.get('user')!r}, not {user.username!r}")
    if bundle.get("to") != user.public_key:
        raise BadBundle(
            f"this bundle was wrapped to another key than {user.username}'s current one: "
            "reopen it with --to the key the account has now (sealbox user show, or the "
            "account page's fingerprint)"
        )
    stored = 0
    for item in bundle["items"]:
        model = KINDS.get(item.get("kind"))
        if model is None:
            raise BadBundle(f"unknown kind of key {item.get('kind')!r}")
        if session.get(Report, item["report"]) is None:
            continue  # shredded since: nothing to give back
        session.merge(
            model(
                report_id=item["report"], user_id=user.id, wrapped=bundles.decode(item["wrapped"])
            )
        )
        session.execute(
            delete(RecoveryClaim).where(
                RecoveryClaim.user_id == user.id,
                RecoveryClaim.report_id == item["report"],
                RecoveryClaim.kind == item["kind"],
            )
        )
        stored += 1
    return stored
