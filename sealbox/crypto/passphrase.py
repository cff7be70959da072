"""Source passphrases: words drawn uniformly from the EFF long word list.

The same passphrase can be written as digits: each word becomes its place in the list as four
digits (0000-7775), for people who cannot easily write English words. Both forms name the same
words, so both carry the same entropy (7 x log2(7776) = 90.5 bits) and open the same report."""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
from functools import lru_cache
from importlib import resources

WORD_COUNT = 7
DIGITS_PER_WORD = 4  # 7776 words fit in 0000-9999
_SEPARATORS = re.compile(r"[\s\-.,/·、，。]+")


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


@lru_cache(maxsize=1)
def _positions() -> dict[str, int]:
    return {word: position for position, word in enumerate(wordlist())}


def to_digits(phrase: str) -> list[str]:
    """The passphrase as groups of four digits, one group per word (its place in the list)."""
    positions = _positions()
    return [f"{positions[word]:0{DIGITS_PER_WORD}d}" for word in phrase.lower().split()]


def _from_digits(text: str) -> str | None:
    """The words that digit groups stand for, or None if `text` is not (valid) digit groups.

    Forgives any kind of separator, any script's digits, and groups typed without leading
    zeros when they are separated."""
    groups = [g for g in _SEPARATORS.split(text.strip()) if g]
    if not groups or not all(g.isdecimal() for g in groups):
        return None
    groups = ["".join(str(unicodedata.decimal(ch)) for ch in g) for g in groups]
    if any(len(g) > DIGITS_PER_WORD for g in groups):
        joined = "".join(groups)
        if len(joined) % DIGITS_PER_WORD:
            return None
        groups = [joined[i : i + DIGITS_PER_WORD] for i in range(0, len(joined), DIGITS_PER_WORD)]
    pool = wordlist()
    positions = [int(g) for g in groups]
    if any(p >= len(pool) for p in positions):
        return None
    return " ".join(pool[p] for p in positions)


def normalise(entered: str) -> str:
    """Forgive case, extra spaces, hyphens and full-width forms in what a source types;
    the digit form becomes the words it stands for, so both forms derive the same keys."""
    text = unicodedata.normalize("NFKC", entered)
    text = _from_digits(text) or text
    text = text.lower().replace("-", " ")
    return " ".join(text.split())
