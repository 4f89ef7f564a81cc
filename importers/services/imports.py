"""Imports (取込): options, upload, a second preview, delete — and what the preview and
the commit share.

The flow: ``import_create`` keeps the file and queues the preview job
(``importers.services.preview``), which stages and plans the rows without touching the
register; ``import_commit_start`` queues the commit job (``importers.services.commit``),
which writes them; ``importers.services.failures`` gives back the rows that failed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from api.core.errors import Conflict, FieldErrors
from api.jobs.models import Job
from api.jobs.services import job_create
from api.masters.models import CustomField
from importers.mapping import Mapping, mapping_check
from importers.models import ImportFormat, ImportJob, Mode
from importers.readers import encoding_canonical
from importers.services.base import Key, Target
from importers.services.plan import PlanSpec, key_applies
from importers.services.targets import TARGETS
from importers.staging import stage_drop


class Timings:
    """Seconds spent in each stage, reported in the job's result (dashboard, benchmark)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def measure(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def as_dict(self) -> dict[str, float]:
        return {name: round(seconds, 2) for name, seconds in self.seconds.items()}


def import_options_clean(
    *,
    target: str,
    mode: str,
    match_key: str,
    duplicate_keys: list[str] | None,
    encoding: str,
    mapping: dict[str, str] | None,
    policy: str,
) -> dict[str, Any]:
    """Check the options of an import before anything is stored; all problems at once."""
    errors: dict[str, list[str]] = {}
    spec = TARGETS.get(target)
    if spec is None:
        errors["target"] = [f"unknown target '{target}'; choose one of {', '.join(TARGETS)}"]
    if mode not in Mode.values:
        errors["mode"] = [f"choose insert or upsert, not '{mode}'"]
    if policy not in ImportJob.Policy.values:
        errors["policy"] = [f"choose {' or '.join(ImportJob.Policy.values)}, not '{policy}'"]
    canonical = ""
    if encoding:
        try:
            canonical = encoding_canonical(encoding)
        except ValueError as exc:
            errors["encoding"] = [str(exc)]
    if spec is not None:
        keys = [k.name for k in spec.match_keys]
        if match_key and match_key not in keys:
            errors["match_key"] = [
                f"'{match_key}' is not a match key of {target}; choose one of {', '.join(keys)}"
            ]
        dup_names = [k.name for k in spec.duplicate_keys]
        unknown = [k for k in duplicate_keys or [] if k not in dup_names]
        if unknown:
            errors["duplicate_keys"] = [
                f"unknown key(s) {', '.join(unknown)}; choose from {', '.join(dup_names)}"
            ]
        if mapping:
            try:
                mapping_check(target=spec, mapping=mapping)
            except FieldErrors as exc:
                errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    assert spec is not None
    return {
        "target": target,
        "mode": mode,
        # Empty: the first of the target's match keys whose columns the file has.
        "match_key": match_key if mode == Mode.UPSERT else "",
        "duplicate_keys": list(
            duplicate_keys if duplicate_keys is not None else spec.default_duplicate_keys
        ),
        "requested_encoding": canonical,
        "requested_mapping": mapping or {},
        "policy": policy,
    }


def import_create(
    *,
    user: Any,
    upload: UploadedFile | File,
    target: str,
    mode: str = Mode.INSERT,
    match_key: str = "",
    duplicate_keys: list[str] | None = None,
    encoding: str = "",
    mapping: dict[str, str] | None = None,
    format_name: str = "",
    create_missing: bool = False,
    policy: str = ImportJob.Policy.VALID_ONLY,
    here: bool = False,
) -> ImportJob:
    """Keep the upload and queue its preview. A saved format (by name) fills what the
    request leaves out; the request's own mapping and options win. ``here``: the caller
    runs the preview job itself (``meibo import``), so no worker is sent it."""
    saved = None
    if format_name:
        saved = ImportFormat.objects.filter(name=format_name).first()
        if saved is None:
            raise FieldErrors({"format": [f"no saved format named '{format_name}'"]})
        if saved.target != target:
            raise FieldErrors(
                {"format": [f"format '{format_name}' is for {saved.target}, not {target}"]}
            )
        mode = mode or saved.mode or Mode.INSERT
        match_key = match_key or saved.match_key
        encoding = encoding or saved.encoding
    options = import_options_clean(
        target=target,
        mode=mode or Mode.INSERT,
        match_key=match_key,
        duplicate_keys=duplicate_keys,
        encoding=encoding,
        mapping=mapping,
        policy=policy,
    )
    with transaction.atomic(durable=True):
        record = ImportJob(
            **options,
            format=saved,
            create_missing=create_missing,
            created_by=user,
            filename=os.path.basename(upload.name or "upload.csv")[:255],
            size=upload.size or 0,
        )
        record.file.save(record.filename, upload, save=False)
        record.save()
        preview_queue(record=record, user=user, here=here)
    return record


def job_for(*, kind: str, record: ImportJob, user: Any, here: bool) -> Job:
    if here:
        # Stamped as dispatched: this process runs it, so it is never published.
        return Job.objects.create(
            kind=kind,
            params={"import_id": record.pk},
            dispatched_at=timezone.now(),
            created_by=user if getattr(user, "pk", None) else None,
        )
    return job_create(kind=kind, params={"import_id": record.pk}, created_by=user)


def preview_queue(*, record: ImportJob, user: Any, here: bool = False) -> None:
    record.preview_job = job_for(kind="import_preview", record=record, user=user, here=here)
    record.state = ImportJob.State.PREVIEWING
    record.error = ""
    record.save(update_fields=["preview_job", "state", "error", "updated_at"])


def import_repreview(
    *,
    record: ImportJob,
    user: Any,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
    duplicate_keys: list[str] | None = None,
    mode: str | None = None,
    match_key: str | None = None,
    create_missing: bool | None = None,
) -> ImportJob:
    """Preview the kept file again: another encoding (the detected one was wrong), another
    mapping, other keys. Not once the commit has started."""
    options = import_options_clean(
        target=record.target,
        mode=mode or record.mode,
        match_key=match_key if match_key is not None else record.match_key,
        duplicate_keys=duplicate_keys if duplicate_keys is not None else record.duplicate_keys,
        encoding=encoding if encoding is not None else record.requested_encoding,
        mapping=mapping if mapping is not None else record.requested_mapping,
        policy=record.policy,
    )
    with transaction.atomic(durable=True):
        locked = ImportJob.objects.select_for_update().get(pk=record.pk)
        if locked.commit_job_id is not None or locked.state == ImportJob.State.PREVIEWING:
            raise Conflict(
                f"import #{record.pk} is {locked.get_state_display()}; it cannot be previewed "
                "again",
                field="state",
            )
        for name, value in options.items():
            setattr(locked, name, value)
        if create_missing is not None:
            locked.create_missing = create_missing
        locked.save()
        preview_queue(record=locked, user=user)
    return locked


# ---------------------------------------------------------------------------------------------
# Shared by the preview and the commit
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def local_file(record: ImportJob) -> Iterator[Path]:
    """The upload as a local path: the storage's own file, or a temporary copy of it
    (object storages have no local path)."""
    try:
        path = default_storage.path(record.file.name)
    except NotImplementedError:
        path = None
    if path is not None:
        yield Path(path)
        return
    with tempfile.NamedTemporaryFile(suffix=Path(record.filename).suffix) as copy:
        with default_storage.open(record.file.name, "rb") as source:
            shutil.copyfileobj(source, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)


def plan_spec(record: ImportJob, target: Target, mapping: Mapping) -> PlanSpec:
    """What the plan and the commit need to know of an import: the fields its file fills
    (split parts and derived fields included), its keys and options."""
    mapped: set[str] = set()
    custom_keys: list[str] = []
    for name in mapping.fields():
        if name.startswith("custom."):
            custom_keys.append(name.removeprefix("custom."))
            continue
        split = next((s for s in target.splits if s.source == name), None)
        mapped.update(split.into if split else (name,))
    derived = {pref for postal, pref, _ in target.addresses if postal in mapped} - mapped
    mapped |= derived
    required_custom: tuple[tuple[str, str], ...] = ()
    if target.custom_entity:
        required_custom = tuple(
            CustomField.objects.filter(entity=target.custom_entity, required=True).values_list(
                "key", "label"
            )
        )
    return PlanSpec(
        import_id=record.pk,
        target=target,
        mode=record.mode,
        match_key=_match_key(record, target, frozenset(mapped)),
        duplicate_keys=tuple(target.duplicate_key(k) for k in record.duplicate_keys),
        mapped=frozenset(mapped),
        custom_keys=tuple(custom_keys),
        required_custom=required_custom,
        create_missing=record.create_missing,
        derived=frozenset(derived),
    )


def _match_key(record: ImportJob, target: Target, mapped: frozenset[str]) -> Key | None:
    """The upsert's key: the one asked for, else the first the file's columns allow
    (外部コード, ID, メール, フリガナ＋電話 for people)."""
    if record.mode != Mode.UPSERT:
        return None
    if record.match_key:
        return target.match_key(record.match_key)
    probe = PlanSpec(
        import_id=record.pk,
        target=target,
        mode=record.mode,
        match_key=None,
        duplicate_keys=(),
        mapped=mapped,
        custom_keys=(),
        required_custom=(),
        create_missing=False,
    )
    for key in target.match_keys:
        if key_applies(key, probe):
            return key
    return target.match_keys[0]


def mapping_of(record: ImportJob) -> Mapping:
    """The mapping the preview resolved, column by column."""
    return Mapping(tuple(record.mapping.get(h, "") for h in record.header))


def header_of(record: ImportJob, target: Target) -> dict[str, str]:
    """Field → the file column it came from (split parts: the whole-name column)."""
    out: dict[str, str] = {}
    for column, name in record.mapping.items():
        if not name:
            continue
        out[name] = column
        for split in target.splits:
            if split.source == name:
                for part in split.into:
                    out[part] = column
    return out


def transient(exc: Exception) -> bool:
    from workers.progress import TRANSIENT_ERRORS

    return isinstance(exc, TRANSIENT_ERRORS)


def import_delete(*, record: ImportJob) -> None:
    """Drop an import: its staged rows, its kept file, its record. Not while it commits."""
    with transaction.atomic(durable=True):
        locked = ImportJob.objects.select_for_update().get(pk=record.pk)
        if locked.state == ImportJob.State.COMMITTING:
            raise Conflict("the import is being committed; wait for it to finish", field="state")
        stage_drop(import_id=locked.pk)
        name = locked.file.name
        locked.delete()
    if name and default_storage.exists(name):
        default_storage.delete(name)
