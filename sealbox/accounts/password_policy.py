"""How strong a staff password must be: long enough and hard to guess (zxcvbn)."""

from __future__ import annotations

from zxcvbn import zxcvbn

from sealbox.errors import BadInput

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses or more
MAX_LENGTH = 256


def check(password: str, username: str = "") -> None:
    """Raise BadInput with advice when `password` is too weak for a staff account."""
    if len(password) < MIN_LENGTH:
        raise BadInput(f"A password needs at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise BadInput(f"A password may have at most {MAX_LENGTH} characters.")
    # zxcvbn's cost grows with length; the first 100 characters decide the score well enough.
    result = zxcvbn(password[:100], user_inputs=[username, "sealbox"] if username else ["sealbox"])
    if result["score"] < MIN_SCORE:
        feedback = result.get("feedback") or {}
        advice = feedback.get("warning") or ""
        suggestions = " ".join(feedback.get("suggestions") or [])
        detail = " ".join(part for part in (advice, suggestions) if part)
        raise BadInput(
            "This password is too easy to guess. "
            + (detail + " " if detail else "")
            + "Try four or five unrelated words, or a password manager's suggestion."
        )
