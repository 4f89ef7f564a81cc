"""Writes of contact records and what hangs off them; one module per concern."""
