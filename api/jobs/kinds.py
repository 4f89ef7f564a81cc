"""The kinds of background job: which Celery task runs each, on which queue.

Adding a kind is one line here plus its task module under workers/tasks/.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobKind:
    task: str
    queue: str
    label: str


KINDS: dict[str, JobKind] = {
    "seed": JobKind("meibo.seed.run", "default", "デモデータ作成"),
    "import_preview": JobKind("meibo.imports.preview", "imports", "取込プレビュー"),
    "import_commit": JobKind("meibo.imports.commit", "imports", "取込"),
    "export": JobKind("meibo.imports.export", "imports", "エクスポート"),
    "search_index": JobKind("meibo.imports.search_index", "imports", "取込後の検索索引"),
    "selection_extract": JobKind("meibo.selections.extract", "extract", "選択セット抽出"),
    "selection_refresh": JobKind("meibo.selections.refresh", "extract", "選択セット再抽出"),
    "selection_combine": JobKind("meibo.selections.combine", "extract", "選択セット合成・コピー"),
    "mailing_execute": JobKind("meibo.mailing.execute", "extract", "選択セット実行(発送準備)"),
    "print_render": JobKind("meibo.printing.render", "render", "宛名・送付状の印刷"),
    "email_dispatch": JobKind("meibo.email.dispatch", "mail", "メール配信"),
    "email_bounces": JobKind("meibo.email.bounces", "mail", "バウンスメール処理"),
}


def kind_get(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown job kind {name!r}; known: {', '.join(sorted(KINDS))}") from None
