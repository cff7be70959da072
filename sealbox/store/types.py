"""Column types. `SealedColumn` refuses anything but `crypto.Sealed` at bind time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Dialect, LargeBinary
from sqlalchemy.types import TypeDecorator

from sealbox.crypto import Sealed


class SealedColumn(TypeDecorator[Sealed]):
    """Stores age ciphertext; a plaintext value raises before it reaches the database."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, Sealed):
            raise TypeError(f"only Sealed values may be stored here, not {type(value).__name__}")
        return value.ciphertext

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        return None if value is None else Sealed(bytes(value))
