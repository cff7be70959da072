"""The hash-chained audit log of staff actions, its verification and the bulk-access rule."""

from sealbox.audit.access import note_report_access
from sealbox.audit.log import record

__all__ = ["note_report_access", "record"]
