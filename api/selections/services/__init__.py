"""Writes to selection sets: creating and editing them (``sets``), the set-based SQL that
materialises members (``materialise``), and 名寄せ (``duplicates``)."""
