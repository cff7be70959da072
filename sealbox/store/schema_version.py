"""Which schema revision a database is at, against the one this release's code reads.

A server started on a schema behind its code fails on the first column a migration would have
added, in the middle of someone's request (a source's upload, say); on a schema ahead of it,
written by a newer release, it may misread or overwrite what that release stored. So the
server, the jobs and the staff commands refuse to start unless the database is at this
release's head, and only `sealbox upgrade` (or `sealbox init`, on a new database) migrates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

Verdict = Literal["new", "current", "behind", "ahead"]


class SchemaMismatch(Exception):
    """The database is not at this release's schema; the message names the command to run."""

    def __init__(self, message: str, state: SchemaState) -> None:
        super().__init__(message)
        self.state = state


@dataclass(frozen=True)
class SchemaState:
    """The database's revision (None: no Sealbox tables yet) and this release's head."""

    current: str | None
    head: str
    # The revisions `sealbox upgrade` would apply, oldest first (empty when ahead).
    pending: tuple[str, ...]
    known: bool

    @property
    def verdict(self) -> Verdict:
        if self.current is None:
            return "new"
        if not self.known:
            return "ahead"
        return "behind" if self.pending else "current"

    def refusal(self) -> SchemaMismatch | None:
        """Why a server of this release must not run on this database; None when it may."""
        if self.verdict == "new":
            return SchemaMismatch(
                "the database has no Sealbox tables yet: run `sealbox init`", self
            )
        if self.verdict == "behind":
            return SchemaMismatch(
                f"the database schema is at revision {self.current}, behind this release's "
                f"{self.head}: run `sealbox upgrade`",
                self,
            )
        if self.verdict == "ahead":
            return SchemaMismatch(
                f"the database schema is at revision {self.current}, which this release does "
                f"not know (its newest is {self.head}): this database was upgraded by a newer "
                "Sealbox; install that release",
                self,
            )
        return None


def scripts() -> ScriptDirectory:
    """This release's migrations."""
    from sealbox.store.db import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def state(engine: Engine) -> SchemaState:
    """Where `engine`'s database stands against this release (reads alembic_version only)."""
    directory = scripts()
    head = directory.get_current_head()
    assert head is not None, "a release has migrations"
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    known = current is None or _known(directory, current)
    pending: tuple[str, ...] = ()
    if known:
        steps = directory.iterate_revisions(head, current or "base")
        pending = tuple(reversed([script.revision for script in steps]))
    return SchemaState(current, head, pending, known)


def require_head(engine: Engine) -> None:
    """Raise SchemaMismatch unless the database is at this release's head."""
    refusal = state(engine).refusal()
    if refusal is not None:
        raise refusal


def describe(revision: str) -> str:
    """A revision's first docstring line ("0007: floods: single-use submission tokens...")."""
    script = scripts().get_revision(revision)
    doc = (script.doc if script is not None else "") or ""
    return f"{revision}: {doc.strip().splitlines()[0] if doc.strip() else ''}".rstrip(": ")


def _known(directory: ScriptDirectory, revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return directory.get_revision(revision) is not None
    except CommandError:  # alembic's "no such revision"
        return False
