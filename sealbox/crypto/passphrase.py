"""Source passphrases: words drawn uniformly from the EFF long word list."""

from __future__ import annotations

import math
import secrets
import unicodedata
from functools import lru_cache
from importlib import resources

WORD_COUNT = 7


@lru_cache(maxsize=1)
def wordlist() -> tuple[str, ...]:
    text = resources.files("sealbox.crypto").joinpath("data/eff_large_wordlist.txt").read_text()
    words = tuple(w.strip() for w in text.splitlines() if w.strip())
    if len(set(words)) != 7776:
        raise RuntimeError("the bundled word list is damaged")
    return words


def generate(words: int = WORD_COUNT) -> str:
    """A fresh passphrase of `words` words chosen by the operating system's CSPRNG."""
    if words < WORD_COUNT:
        raise ValueError(f"a passphrase has at least {WORD_COUNT} words")
    pool = wordlist()
    return " ".join(secrets.choice(pool) for _ in range(words))


def entropy_bits(words: int = WORD_COUNT) -> float:
    return words * math.log2(len(wordlist()))


def normalise(entered: str) -> str:
    """Forgive case, extra spaces, hyphens and full-width forms in what a source types."""
    text = unicodedata.normalize("NFKC", entered).lower().replace("-", " ")
    return " ".join(text.split())
