"""Imports every domain's models so that Base.metadata (and Alembic) sees the whole schema."""

from sqlalchemy import Table

from sealbox.audit import models as audit_models  # noqa: F401
from sealbox.jobs import models as job_models  # noqa: F401
from sealbox.notify import models as notify_models  # noqa: F401
from sealbox.store import models  # noqa: F401
from sealbox.store.models import Base

metadata = Base.metadata


def tied_to_reports() -> list[Table]:
    """`reports` and every table that hangs off it by foreign keys, parents first: where a
    source's actions land, what retention shreds and the maintenance job rewrites."""
    tied = {"reports"}
    for table in metadata.sorted_tables:
        if any(fk.column.table.name in tied for fk in table.foreign_keys):
            tied.add(table.name)
    return [table for table in metadata.sorted_tables if table.name in tied]


# Tables a source's actions write to that name no report on purpose (a session row must not
# say whose it is; a used form token or this hour's intake count names none either); the
# maintenance job rewrites them with the report tables.
SOURCE_TABLES = ("source_sessions", "used_tokens", "intake_counts")


def written_by_sources() -> list[Table]:
    """Every table whose rows or their order could date a source's action."""
    tied = tied_to_reports()
    return tied + [metadata.tables[name] for name in SOURCE_TABLES]
