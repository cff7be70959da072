"""Rules every table and column must keep, so that a copy of the server dates nothing: a table
tied to a report has no SQLite rowid (it numbers rows in the order they were written), and
PostgreSQL keeps no statistics of a sealed column (pg_statistic would hold samples of it)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sealbox.schema import metadata
from sealbox.store.tables import tied_to_reports
from sealbox.store.types import SealedColumn


def test_tables_tied_to_a_report_have_no_rowid(services, backend):
    tied = {table.name for table in tied_to_reports()}
    assert {"reports", "messages", "source_access", "attachments"} <= tied
    for table in tied_to_reports():
        assert table.dialect_options["sqlite"]["with_rowid"] is False, table.name
    if backend == "sqlite":
        with services.db.engine.connect() as connection:
            for name in tied:
                sql = connection.execute(
                    text("select sql from sqlite_master where name = :t"), {"t": name}
                ).scalar()
                assert sql.rstrip().endswith("WITHOUT ROWID"), name


def test_postgresql_keeps_no_statistics_of_sealed_columns(services, backend):
    if backend != "postgresql":
        pytest.skip("pg_statistic is PostgreSQL's")
    sealed = [
        (table.name, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, SealedColumn)
    ]
    with services.db.engine.connect() as connection:
        for table, column in sealed:
            target = connection.execute(
                text(
                    "select attstattarget from pg_attribute "
                    "where attrelid = cast(:t as regclass) and attname = :c"
                ),
                {"t": table, "c": column},
            ).scalar()
            assert target == 0, f"{table}.{column}: ALTER COLUMN ... SET STATISTICS 0"


def test_rewriting_the_report_tables_keeps_every_index_and_constraint(services, backend):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    query = (
        "select name, sql from sqlite_master order by name"
        if backend == "sqlite"
        else "select indexname, indexdef from pg_indexes where schemaname = current_schema() "
        "order by indexname"
    )
    with services.db.engine.connect() as connection:
        before = connection.execute(text(query)).all()
    assert services.db.relayout(tied_to_reports())
    with services.db.engine.connect() as connection:
        assert connection.execute(text(query)).all() == before
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
