"""Fixtures of the web tests."""

from __future__ import annotations

import threading
import time

import pytest
import uvicorn

from sealbox.web.app import create_app
from tests.live_server import free_port


@pytest.fixture
def server(services):
    """The app served by uvicorn in this process, on loopback; yields its port."""
    port = free_port()
    config = uvicorn.Config(
        create_app(services), host="127.0.0.1", port=port, log_config=None, access_log=False
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield port
    running.should_exit = True
    thread.join(10)
