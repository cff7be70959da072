"""Mail settings on the admin pages: they replace the settings file's, mail goes out through
them, the SMTP password is sealed and never shown back; and the admin home links every admin
page."""

from __future__ import annotations

import re

from sqlalchemy import text

from sealbox.notify.models import MailSettingsRow
from tests import staff_kit, support
from tests.notify.mailbox import free_port, smtp_server
from tests.web.test_authorization_matrix import app_routes

PASSWORD = "SMTPSECRETCANARY"


def _save(client, **fields):
    values = {
        "mail_from": "alerts@example.org",
        "smtp_host": "127.0.0.1",
        "smtp_port": "25",
        "smtp_starttls": "",
        "smtp_username": "",
        "smtp_password": "",
        **fields,
    }
    return staff_kit.post(client, "/staff/admin/mail/settings", **values)


def test_admin_sets_mail_on_the_web_and_mail_goes_through_it(services, client):
    ada = staff_kit.account(services, "ada", "admin")
    support.staff_login(client, services, ada)
    page = client.get("/staff/admin/mail/settings").text
    assert 'value="sealbox@example.org"' in page, "the settings file's values, to start from"
    port = free_port()
    saved = _save(client, smtp_port=str(port), smtp_username="relay", smtp_password=PASSWORD)
    assert saved.status_code == 200 and "Mail settings saved." in saved.text
    shown = client.get("/staff/admin/mail/settings").text
    assert PASSWORD not in shown and "A password is stored" in shown
    assert re.search(r'name="smtp_password" type="password"[^>]*>', shown)
    with services.db.transaction() as session:
        row = session.get(MailSettingsRow, 1)
        assert PASSWORD.encode() not in row.smtp_password.ciphertext
    with services.db.engine.connect() as c:
        details = " ".join(r[0] for r in c.execute(text("select details from audit_log")))
    assert "smtp_password" in details and PASSWORD not in details and "relay" not in details

    # A blank password keeps the stored one; "forget" clears it.
    _save(client, smtp_port=str(port), smtp_username="relay")
    assert "A password is stored" in client.get("/staff/admin/mail/settings").text
    _save(client, smtp_port=str(port), forget_password="1")
    assert "No password is stored." in client.get("/staff/admin/mail/settings").text

    with smtp_server(port) as mailbox:
        staff_kit.post(client, "/staff/admin/mail/test", address="ada@example.org")
        staff_kit.post(client, "/staff/admin/mail/send")
        [message] = mailbox.to("ada@example.org")
    assert message["From"] == "alerts@example.org"


def test_wrong_mail_settings_are_refused_with_what_was_typed(services, client):
    ada = staff_kit.account(services, "ada", "admin")
    support.staff_login(client, services, ada)
    bad = _save(client, smtp_port="99999", smtp_host="mail.example.org", smtp_password=PASSWORD)
    assert bad.status_code == 400 and "65535" in bad.text
    assert 'value="mail.example.org"' in bad.text and PASSWORD not in bad.text
    assert _save(client, mail_from="nobody").status_code == 400
    with services.db.transaction() as session:
        assert session.get(MailSettingsRow, 1) is None


def test_admin_home_links_every_admin_page(services, client):
    ada = staff_kit.account(services, "ada", "admin")
    support.staff_login(client, services, ada)
    home = client.get("/staff/home").text
    pages = {
        path
        for method, path in app_routes(client.app)
        if method == "GET" and path.startswith("/staff/admin") and "{" not in path
    }
    assert pages, "admin pages exist"
    for path in pages:
        assert f'href="{path}"' in home, path
