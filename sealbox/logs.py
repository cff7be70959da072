"""Logging that never names a source: no access log, no client address, no request bodies."""

from __future__ import annotations

import logging.config


def config(level: str = "info") -> dict:
    """A uvicorn/stdlib logging config. Uvicorn's access logger is silenced entirely."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "sealbox": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
        },
    }


def setup(level: str = "info") -> None:
    logging.config.dictConfig(config(level))
