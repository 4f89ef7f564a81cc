"""Renderers of printed mailings, one module per kind: labels, postcards, letters, fax.

They know nothing of the database: each takes ``Addressee`` values and options and writes a
file, so they are tested and benchmarked alone. mailing.printing.services feeds them.
"""

from reportlab import rl_config

# Compressed page streams stay binary rather than ASCII85 text: a quarter smaller, and
# encoding them was a third of the time of a 30,000-label sheet. Every PDF reader reads them.
rl_config.useA85 = 0
