"""Import services: ``imports`` (create, options, delete), ``preview`` and ``commit`` (the two
jobs), ``failures`` (errors.csv), ``formats`` (saved formats); ``plan``, ``merge`` and ``refs``
are their SQL; one module per target (``people``, ``companies``, ``departments``, ``products``,
``sales``) registered in ``targets``."""
