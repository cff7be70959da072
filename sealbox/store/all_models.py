"""Imports every domain's models so that Base.metadata (and Alembic) sees the whole schema."""

from sealbox.audit import models as audit_models  # noqa: F401
from sealbox.jobs import models as job_models  # noqa: F401
from sealbox.notify import models as notify_models  # noqa: F401
from sealbox.store import models  # noqa: F401
from sealbox.store.models import Base

metadata = Base.metadata
