"""Channels: their questions, their handlers and who may join them."""
