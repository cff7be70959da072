"""Persistence: the database (SQLAlchemy) and the blob store. Ciphertext in, ciphertext out."""
