"""The contract every format module meets: say what is in a file, and give a clean copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sealbox.scrub.model import CleanOptions, CleanResult, Finding, Notice


@dataclass(frozen=True)
class Cleaned:
    """A clean copy plus what was removed from it and what cleaning cannot fix."""

    data: bytes
    removed: tuple[Finding, ...] = ()
    residual: tuple[Notice, ...] = ()


class Recurse(Protocol):
    def __call__(self, data: bytes, ctx: Context) -> CleanResult: ...


class Budget:
    """Bytes an archive and everything nested in it may expand to, shared across the recursion."""

    def __init__(self, limit: int):
        self.left = limit

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            from sealbox.scrub.errors import CannotClean

            raise CannotClean("bomb")


@dataclass(frozen=True)
class Context:
    """Options plus where we are: archive depth, and how to clean a file found inside another."""

    options: CleanOptions
    depth: int = 0
    recurse: Recurse | None = None
    budget: Budget | None = None

    def nested(self) -> Context:
        budget = self.budget or Budget(self.options.max_expanded_bytes)
        return Context(self.options, self.depth + 1, self.recurse, budget)

    def spend(self, n: int) -> None:
        """Count `n` unpacked bytes against the budget of the outermost archive."""
        if self.budget is not None:
            self.budget.spend(n)

    def clean_member(self, data: bytes) -> CleanResult:
        """Clean a file found inside this one with the same registry."""
        assert self.recurse is not None
        return self.recurse(data, self.nested())


class Cleaner(Protocol):
    """One format family, named in `registry.FORMATS`. Raise `CannotClean` for anything wrong."""

    def inspect(self, data: bytes, ctx: Context) -> tuple[Finding, ...]:
        """What identifying metadata is in the file."""
        ...

    def clean(self, data: bytes, ctx: Context) -> Cleaned:
        """A copy without it."""
        ...
