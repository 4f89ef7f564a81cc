"""Selection sets (選択セット): numbered, named sets of people, built from a query and edited
by hand."""

from django.conf import settings
from django.db import models
from django.db.models import Func, Value
from django.db.models.functions import Now

from api.core.models import TimeStamped
from api.jobs.models import Job
from api.people.models import Person

# Created by migration 0001; numbers are never reused, also after a set is deleted.
NUMBER_SEQUENCE = "selections_selectionset_number_seq"


class SelectionSet(TimeStamped):
    class Origin(models.TextChoices):
        QUERY = "query", "条件抽出"
        MANUAL = "manual", "手入力"
        COPY = "copy", "コピー"
        MERGE = "merge", "合成"

    number = models.BigIntegerField(
        "番号",
        unique=True,
        editable=False,
        db_default=Func(
            Value(NUMBER_SEQUENCE), function="nextval", output_field=models.BigIntegerField()
        ),
    )
    name = models.CharField("名称", max_length=200)
    description = models.TextField("説明", blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作成者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="selection_sets",
    )
    # The query the set was extracted from, as the client sent it; a refresh re-runs it.
    query = models.JSONField("抽出条件", null=True, blank=True)
    origin = models.CharField(
        "作成方法", max_length=10, choices=Origin.choices, default=Origin.QUERY
    )
    # For a copy or a merge: {"operation": "union", "sets": [numbers]}.
    origin_detail = models.JSONField("作成元", default=dict, blank=True)
    # Kept by every service that changes the members, so that a page of a 500,000-member set
    # needs no count(*).
    member_count = models.IntegerField("件数", default=0)
    # The last job that changed the members: while it runs the set is being built.
    job = models.ForeignKey(
        Job,
        verbose_name="処理",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    extracted_at = models.DateTimeField("抽出日時", null=True, blank=True)
    # What the last job did to the members ({"job", "op", "joined", "left", "joined_ids",
    # "left_ids", "at"}), written in the job's own transaction: a refresh reports who joined
    # and who left from here, and a redelivered job that finds its own id here is done.
    last_change = models.JSONField("最終変更", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "選択セット"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def code(self) -> str:
        return f"{self.number:04d}"


class SelectionMember(models.Model):
    """One person in one set.

    The table holds sets of hundreds of thousands and is written by INSERT … SELECT, so it is
    kept narrow and without foreign-key constraints: a constraint trigger checks every inserted
    row one by one and made materialising 500,000 members six times slower (3.4 s instead of
    0.55 s). For the same reason there is no index on ``person`` alone (it doubled the cost
    again): deleting a person scans this table, which is rare next to materialising sets.
    Deleting a person or a set through Django still cascades; every read joins Person. The
    table's columns are in the order that pads a row least (migration 0002), not this one.
    """

    pk = models.CompositePrimaryKey("selection_set", "person")
    selection_set = models.ForeignKey(
        SelectionSet,
        on_delete=models.CASCADE,
        related_name="members",
        db_constraint=False,
        db_index=False,
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="selection_memberships",
        db_constraint=False,
        db_index=False,
    )
    # Added by hand: a refresh of the query keeps such a member.
    manual = models.BooleanField("手動追加", db_default=False)
    added_at = models.DateTimeField("追加日時", db_default=Now())
    # 名寄せ: set when this record is the same human as ``duplicate_of`` in the set (same
    # normalised name and the same address, phone or e-mail); execution mails only the other.
    duplicate_of = models.BigIntegerField("重複先", null=True, blank=True)
    duplicate_matched_on = models.CharField(
        "重複一致項目", max_length=10, blank=True, db_default=""
    )

    class Meta:
        verbose_name = verbose_name_plural = "選択セット明細"

    def __str__(self) -> str:
        return f"{self.selection_set_id}: {self.person_id}"


class SelectionRemoval(models.Model):
    """A person removed by hand from a set built by a query: a refresh leaves them out."""

    pk = models.CompositePrimaryKey("selection_set", "person")
    selection_set = models.ForeignKey(
        SelectionSet, on_delete=models.CASCADE, related_name="removals", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    removed_at = models.DateTimeField("削除日時", db_default=Now())

    class Meta:
        verbose_name = verbose_name_plural = "選択セット手動除外"

    def __str__(self) -> str:
        return f"{self.selection_set_id}: -{self.person_id}"
