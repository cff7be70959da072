"""Errors of the crypto layer, with messages a person can act on."""


class CryptoError(Exception):
    """Base class for everything the crypto layer refuses."""


class InvalidKey(CryptoError):
    """A key in text form could not be parsed."""


class CannotOpen(CryptoError):
    """Sealed data did not open: the wrong key, or the data is damaged."""
