"""How strong a staff password must be: long enough and hard to guess (zxcvbn)."""

from __future__ import annotations

from zxcvbn import zxcvbn

from sealbox.errors import BadInput
from sealbox.locale import N_, Message

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses or more
MAX_LENGTH = 256

# zxcvbn's advice, word for word, so that it is shown in the reader's language. A sentence a
# later zxcvbn adds is left out rather than shown in English.
ADVICE = frozenset(
    (
        N_("Use a few words, avoid common phrases."),
        N_("No need for symbols, digits, or uppercase letters."),
        N_("Add another word or two. Uncommon words are better."),
        N_("Straight rows of keys are easy to guess."),
        N_("Short keyboard patterns are easy to guess."),
        N_("Use a longer keyboard pattern with more turns."),
        N_('Repeats like "aaa" are easy to guess.'),
        N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
        N_("Avoid repeated words and characters."),
        N_('Sequences like "abc" or "6543" are easy to guess.'),
        N_("Avoid sequences."),
        N_("Recent years are easy to guess."),
        N_("Avoid recent years."),
        N_("Avoid years that are associated with you."),
        N_("Dates are often easy to guess."),
        N_("Avoid dates and years that are associated with you."),
        N_("This is a top-10 common password."),
        N_("This is a top-100 common password."),
        N_("This is a very common password."),
        N_("This is similar to a commonly used password."),
        N_("A word by itself is easy to guess."),
        N_("Names and surnames by themselves are easy to guess."),
        N_("Common names and surnames are easy to guess."),
        N_("Capitalization doesn't help very much."),
        N_("All-uppercase is almost as easy to guess as all-lowercase."),
        N_("Reversed words aren't much harder to guess."),
        N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    )
)


def check(password: str, username: str = "") -> None:
    """Raise BadInput with advice when `password` is too weak for a staff account."""
    if len(password) < MIN_LENGTH:
        raise BadInput("A password needs at least %(min)s characters.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise BadInput("A password may have at most %(max)s characters.", max=MAX_LENGTH)
    # zxcvbn's cost grows with length; the first 100 characters decide the score well enough.
    result = zxcvbn(password[:100], user_inputs=[username, "sealbox"] if username else ["sealbox"])
    if result["score"] < MIN_SCORE:
        feedback = result.get("feedback") or {}
        said = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
        advice = tuple(Message(sentence) for sentence in said if sentence in ADVICE)
        if not advice:
            raise BadInput(
                "This password is too easy to guess. Try four or five unrelated words, or a "
                "password manager's suggestion."
            )
        raise BadInput(
            "This password is too easy to guess. %(advice)s Try four or five unrelated words, "
            "or a password manager's suggestion.",
            advice=advice,
        )
