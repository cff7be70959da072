from __future__ import annotations

import pytest

from tests.live_server import Instance


@pytest.fixture
def instance(tmp_path, database_url, backend):
    """A Sealbox instance run as real processes (CLI and `sealbox serve`)."""
    inst = Instance(root=tmp_path, database_url=database_url)
    inst.cli("init")
    yield inst
    inst.stop()
