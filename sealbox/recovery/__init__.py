"""Recovery without a back door: every report, notes and identity key is also wrapped to the
organisation's offline recovery keys (public halves only on the server), so a handler who
forgets their password, or leaves, takes no report with them; reopening happens offline."""
