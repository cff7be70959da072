"""Disclosure: the two-person rule that may show a reporter's identity."""
