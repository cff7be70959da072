"""Sources: passphrase logins, their sessions, their files and their form tokens."""
