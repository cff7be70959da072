"""Sealbox: a whistleblowing platform that cannot leak what it cannot read."""

__version__ = "0.1.0"
