"""Every response carries the protective headers; pages are never cached."""

from __future__ import annotations

import re

from tests import support


def test_headers_on_pages_errors_and_static(client, services):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    for path, status in [("/", 200), ("/submit/fraud", 200), ("/nope", 404), ("/staff/login", 200)]:
        response = client.get(path)
        assert response.status_code == status, path
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "http" not in csp
        # Nothing is sent to other sites; our own forms keep their Origin for the CSRF check.
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
    css = client.get("/static/sealbox.css")
    assert css.status_code == 200
    assert css.headers["x-frame-options"] == "DENY"


def test_pages_load_nothing_from_elsewhere_and_run_no_script(client, services):
    support.add_user(services, "alice")
    support.add_channel(services, "fraud", ["alice"])
    for path in ["/", "/submit/fraud", "/login", "/staff/login"]:
        html = client.get(path).text
        assert "<script" not in html
        assert not re.search(r'(src|href)="(https?:)?//', html), path
        assert "style=" not in html, "inline styles would need 'unsafe-inline'"


def test_server_does_not_announce_itself(client):
    assert "server" not in client.get("/").headers
