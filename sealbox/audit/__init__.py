"""The hash-chained audit log of staff actions, its anchors and its verification."""

from sealbox.audit.log import record

__all__ = ["record"]
