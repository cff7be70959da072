"""The hash-chained audit log of staff actions, its anchors and its verification."""

from sealbox.audit.actions import AuditAction
from sealbox.audit.log import SYSTEM, record

__all__ = ["SYSTEM", "AuditAction", "record"]
