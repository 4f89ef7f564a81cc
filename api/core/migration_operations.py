"""Migration operations Django does not have."""

from __future__ import annotations

from typing import Any

from django.db import migrations


class DropLikeIndex(migrations.operations.base.Operation):
    """Drop the ``varchar_pattern_ops`` index PostgreSQL's schema editor adds beside the unique
    index of a ``unique=True`` text column, for ``LIKE 'prefix%'``.

    Codes such as 外部コード are only ever looked up whole, so that index is never read, and
    every import writes it again: one btree entry more per person or sale (66 MB never
    scanned on 10,000,000 sales). The field stays ``unique=True`` — the importers and the
    serializers read that — so Django's state does not change; altering the field later
    would create the index again, and this operation would have to follow it.
    """

    reversible = True

    def __init__(self, model_name: str, name: str) -> None:
        self.model_name = model_name
        self.name = name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__name__, [], {"model_name": self.model_name, "name": self.name}

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _model_field(self, app_label: str, state: Any) -> tuple[Any, Any]:
        model = state.apps.get_model(app_label, self.model_name)
        return model, model._meta.get_field(self.name)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model, field = self._model_field(app_label, to_state)
        name = schema_editor._create_index_name(model._meta.db_table, [field.column], "_like")
        schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model, field = self._model_field(app_label, to_state)
        sql = schema_editor._create_like_index_sql(model, field)
        if sql is not None:
            schema_editor.execute(sql)

    def describe(self) -> str:
        return f"Drop the LIKE index of {self.model_name}.{self.name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"drop_like_{self.model_name.lower()}_{self.name.lower()}"
