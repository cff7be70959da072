"""Disclosure request states are an enum stored as the words older rows already hold."""

from __future__ import annotations

import json

from sealbox.disclosure.models import DisclosureRequest
from sealbox.disclosure.vocabulary import DisclosureState


def test_the_states_are_the_stored_words():
    assert tuple(DisclosureState) == ("pending", "approved", "denied")
    assert json.dumps(list(DisclosureState)) == '["pending", "approved", "denied"]'
    length = DisclosureRequest.__table__.c.state.type.length
    assert all(len(state) <= length for state in DisclosureState)
