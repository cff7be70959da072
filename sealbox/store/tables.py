"""Which tables a source's actions reach, read from the schema's foreign keys.

They read `Base.metadata` as loaded: `sealbox.schema` loads every package's models, and
`services.build` imports it, so a process that built its services sees every table.
"""

from sqlalchemy import Table

from sealbox.store.base import Base


def tied_to_reports() -> list[Table]:
    """`reports` and every table that hangs off it by foreign keys, parents first: where a
    source's actions land, what retention shreds and the maintenance job rewrites."""
    tied = {"reports"}
    for table in Base.metadata.sorted_tables:
        if any(fk.column.table.name in tied for fk in table.foreign_keys):
            tied.add(table.name)
    return [table for table in Base.metadata.sorted_tables if table.name in tied]


# Tables a source's actions write to that name no report on purpose (a session row must not
# say whose it is; a used form token or this hour's intake count names none either); the
# maintenance job rewrites them with the report tables.
SOURCE_TABLES = ("source_sessions", "used_tokens", "intake_counts")


def written_by_sources() -> list[Table]:
    """Every table whose rows or their order could date a source's action."""
    tied = tied_to_reports()
    return tied + [Base.metadata.tables[name] for name in SOURCE_TABLES]
