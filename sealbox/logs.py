"""Logging that never names a source: no access log, no client address, no request bodies.

Every record of every logger, third-party ones included, reaches one handler on the root logger
whose filter redacts it. Sealbox's own messages and the server's are written with data kept
out; a library's are not ours to vet (python-multipart once quoted a request-body byte in a
warning), so only their fixed %-style template is kept and any text they formatted themselves
is withheld. Exception messages are withheld everywhere: they quote data too.
"""

from __future__ import annotations

import logging
import logging.config
import traceback

# Loggers whose messages are written to carry no data: Sealbox's own and the ASGI server's.
VETTED = ("sealbox", "uvicorn")


def _vetted(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in VETTED)


class Redact(logging.Filter):
    """Keeps what a record is (logger, level, place, exception type and stack frames) and drops
    what it might quote."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            kind, _, tb = record.exc_info
            record.exc_text = f"{kind.__name__} (message withheld)\n" + "".join(
                traceback.format_tb(tb)
            )
            record.exc_info = None
        elif record.exc_text and not _vetted(record.name):
            record.exc_text = "(exception text withheld)"
        if not _vetted(record.name):
            if record.args and isinstance(record.msg, str):
                # A fixed template with its values left out: "Did not find %r at index %d".
                record.msg = f"{record.msg} [values withheld]"
            else:
                # Text the library formatted itself, or an object: it may quote anything.
                record.msg = "[message withheld]"
            record.args = None
        return True


def config(level: str = "info") -> dict:
    """A uvicorn/stdlib logging config: everything through the redacting handler on the root.

    Uvicorn's access logger is silenced entirely (it would name client addresses).
    """
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "filters": {"redact": {"()": Redact}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["redact"],
            }
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "sealbox": {"handlers": [], "level": level, "propagate": True},
        },
    }


def setup(level: str = "info") -> None:
    """Route every logger and every Python warning of this process through the redacting handler.

    Call it once at the start of each process: the server, the command line, the cleaning worker.
    """
    logging.config.dictConfig(config(level))
    logging.captureWarnings(True)  # warnings.warn() text goes through the filter as well
    adopt_existing()


def adopt_existing() -> None:
    """Send loggers that a library gave handlers of its own through the root instead."""
    for logger in list(logging.root.manager.loggerDict.values()):
        if not isinstance(logger, logging.Logger) or logger.name == "uvicorn.access":
            continue
        for handler in list(logger.handlers):
            if not isinstance(handler, logging.NullHandler):
                logger.removeHandler(handler)
        logger.propagate = True
