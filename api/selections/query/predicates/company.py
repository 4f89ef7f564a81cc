"""company: the person's current company has these attributes."""

from typing import Any

from api.masters.models import CompanyClassification
from api.people.models import Company
from api.selections.query.base import COMPANY, Context, QueryError, Sql, obj, resolve, texts

NAME = "company"
SUMMARY = (
    "the person's company: `stage` (prospect, proposing, negotiating, active, dormant, lost, "
    "or their Japanese names), `rank` (S, A, B, C), `industry`, `classification` (顧客分類 "
    "codes or names) — each a value or a list — and `name` (contains); all given must hold."
)
EXAMPLE = {"stage": "active", "rank": ["S", "A"]}

_CLASSIFICATIONS = Company.classifications.through._meta.db_table


def _choices(value: Any, path: str, choices: type[Company.Stage] | type[Company.Rank]) -> list[str]:
    by_label = {label: code for code, label in choices.choices}
    result = []
    for item in texts(value, path):
        code = item if item in choices.values else by_label.get(item)
        if code is None:
            raise QueryError(
                path, f"unknown value '{item}'; expected one of: {', '.join(choices.values)}"
            )
        result.append(code)
    return result


def compile(value: Any, ctx: Context, path: str) -> Sql:
    spec = obj(value, path, allowed=("stage", "rank", "industry", "classification", "name"))
    conditions: list[str] = []
    params: list[Any] = []
    if "stage" in spec:
        conditions.append("c.stage = ANY(%s::text[])")
        params.append(_choices(spec["stage"], f"{path}.stage", Company.Stage))
    if "rank" in spec:
        conditions.append("c.rank = ANY(%s::text[])")
        params.append(_choices(spec["rank"], f"{path}.rank", Company.Rank))
    if "industry" in spec:
        conditions.append("c.industry = ANY(%s::text[])")
        params.append(texts(spec["industry"], f"{path}.industry"))
    if "classification" in spec:
        at = f"{path}.classification"
        ids = resolve(
            CompanyClassification, texts(spec["classification"], at), at, "classification"
        )
        conditions.append(
            f"EXISTS (SELECT 1 FROM {_CLASSIFICATIONS} cc WHERE cc.company_id = c.id "
            "AND cc.companyclassification_id = ANY(%s::bigint[]))"
        )
        params.append(ids)
    if "name" in spec:
        conditions.append("strpos(c.name, %s) > 0")
        params.append(texts(spec["name"], f"{path}.name")[0])
    return Sql(
        f"EXISTS (SELECT 1 FROM {COMPANY} c WHERE c.id = p.company_id AND "
        + " AND ".join(conditions)
        + ")",
        tuple(params),
    )
