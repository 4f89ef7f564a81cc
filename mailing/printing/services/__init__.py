"""Writes of the printing app.

formats.py — label sheet formats; templates.py — letter and fax templates; runs.py — print
runs: create (request), render (job), chunks (render workers); render.py — turning a run's
stored options into renderer options, rendering a chunk and combining the parts.
"""
