"""The hash-chained audit log of staff actions."""

from sealbox.audit.log import record

__all__ = ["record"]
