"""Logging that never names a source: no access log, no client address, no request bodies."""

from __future__ import annotations

import logging
import logging.config
import traceback


class RedactExceptions(logging.Filter):
    """Keeps an exception's type and stack frames but drops its message, which may quote data
    (a decode error shows the bytes it choked on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            kind, _, tb = record.exc_info
            record.exc_text = f"{kind.__name__} (message withheld)\n" + "".join(
                traceback.format_tb(tb)
            )
            record.exc_info = None
        return True


def config(level: str = "info") -> dict:
    """A uvicorn/stdlib logging config. Uvicorn's access logger is silenced entirely."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "filters": {"redact": {"()": RedactExceptions}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["redact"],
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "sealbox": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
        },
    }


def setup(level: str = "info") -> None:
    logging.config.dictConfig(config(level))
