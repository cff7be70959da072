"""Loads every package's models, so that Base.metadata (and Alembic) sees the whole schema.

`services.build` imports it: a process that built its services knows every table."""

from sealbox.accounts import models as accounts_models  # noqa: F401
from sealbox.audit import models as audit_models  # noqa: F401
from sealbox.channels import models as channels_models  # noqa: F401
from sealbox.disclosure import models as disclosure_models  # noqa: F401
from sealbox.jobs import models as job_models  # noqa: F401
from sealbox.notify import models as notify_models  # noqa: F401
from sealbox.recovery import models as recovery_models  # noqa: F401
from sealbox.reports import models as reports_models  # noqa: F401
from sealbox.sources import models as sources_models  # noqa: F401
from sealbox.store.base import Base

metadata = Base.metadata
