"""Domain logic: reports, messages, channels, staff accounts and sessions."""
