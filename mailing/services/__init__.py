"""Writes to mailings: executing a selection set (``execute``) and recording what came back
(``responses``)."""
