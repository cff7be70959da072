from tests.notify.mailbox import mail_settings, settings, smtp_port  # noqa: F401
