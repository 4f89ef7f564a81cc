"""The register: companies, their departments, and people with or without a company."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When

from api.core.models import TimeStamped
from api.masters.models import CompanyClassification, Employee, PersonType, SelectionType

USER_CODE_SLOTS = range(1, 11)
USER_NAME_SLOTS = range(1, 6)
GRAMS = ArrayField(models.TextField())

# The arguments of the SQL function meibo_person_search_text, in its order (core migration 0001).
SEARCH_SOURCE_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "email",
    "mobile_email",
    "postal_code",
    "prefecture",
    "address1",
    "address2",
    "phone",
    "mobile_phone",
    "fax",
    "home_phone",
)


# The arguments of the SQL function meibo_company_search_text, in its order (migration 0002).
COMPANY_SEARCH_SOURCE_FIELDS = ("name", "name_kana", "corporate_number", "phone", "fax")


class Address(models.Model):
    postal_code = models.CharField("郵便番号", max_length=8, null=True, blank=True)
    prefecture = models.CharField("都道府県", max_length=10, null=True, blank=True)
    address1 = models.CharField("住所1", max_length=200, null=True, blank=True)
    address2 = models.CharField("住所2", max_length=200, null=True, blank=True)

    class Meta:
        abstract = True


class Company(Address, TimeStamped):
    class Stage(models.TextChoices):
        PROSPECT = "prospect", "見込み"
        PROPOSING = "proposing", "提案中"
        NEGOTIATING = "negotiating", "商談中"
        ACTIVE = "active", "取引中"
        DORMANT = "dormant", "休眠"
        LOST = "lost", "失注"

    class Rank(models.TextChoices):
        S = "S", "S"
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"

    name = models.CharField("会社名", max_length=200)
    name_kana = models.CharField("会社名フリガナ", max_length=200, null=True, blank=True)
    corporate_number = models.CharField(
        "法人番号", max_length=13, null=True, blank=True, unique=True
    )
    external_code = models.CharField(
        "外部コード", max_length=60, null=True, blank=True, unique=True
    )
    representative = models.CharField("代表者", max_length=100, null=True, blank=True)
    industry = models.CharField("業種", max_length=100, null=True, blank=True)
    capital = models.BigIntegerField("資本金", null=True, blank=True)
    employee_count = models.IntegerField("従業員数", null=True, blank=True)
    classifications = models.ManyToManyField(
        CompanyClassification, verbose_name="顧客分類", blank=True, related_name="companies"
    )
    services = models.TextField("取扱サービス", null=True, blank=True)
    business_summary = models.TextField("事業概要", null=True, blank=True)
    phone = models.CharField("電話", max_length=20, null=True, blank=True)
    fax = models.CharField("FAX", max_length=20, null=True, blank=True)
    url = models.URLField("URL", max_length=300, null=True, blank=True)
    stage = models.CharField(
        "ステージ", max_length=20, choices=Stage.choices, default=Stage.PROSPECT
    )
    rank = models.CharField("ランク", max_length=1, choices=Rank.choices, null=True, blank=True)
    expected_revenue = models.BigIntegerField("見込み売上", null=True, blank=True)
    probability = models.PositiveSmallIntegerField("確度(%)", null=True, blank=True)
    expected_close_date = models.DateField("受注予定日", null=True, blank=True)
    last_contact_at = models.DateTimeField("最終接触日時", null=True, blank=True)
    next_follow_up_at = models.DateTimeField("次回フォロー日時", null=True, blank=True)
    owner = models.ForeignKey(
        Employee,
        verbose_name="自社担当",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="companies",
    )
    custom = models.JSONField("カスタム項目", default=dict, blank=True)
    memo = models.TextField("メモ", null=True, blank=True)
    # What companies/?q= searches: name, reading, 法人番号 and phone/FAX digits, computed by
    # PostgreSQL so that every write path (API, COPY imports, admin) keeps it current.
    search_text = models.GeneratedField(
        expression=Func(*COMPANY_SEARCH_SOURCE_FIELDS, function="meibo_company_search_text"),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = verbose_name_plural = "企業"
        ordering = ["name_kana", "id"]
        indexes = [
            GinIndex(name="company_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
            GinIndex(
                name="company_search_trgm", fields=["search_text"], opclasses=["gin_trgm_ops"]
            ),
            GinIndex(
                Func(F("search_text"), function="meibo_grams", output_field=GRAMS),
                name="company_search_grams",
            ),
            # ?custom__<key>= filters are JSONB containment (@>), which this index answers.
            GinIndex(name="company_custom", fields=["custom"], opclasses=["jsonb_path_ops"]),
            models.Index(fields=["stage", "rank"], name="company_stage_rank"),
            # Companies in reading order (lists, a selection set's members by company).
            models.Index(fields=["name_kana", "name", "id"], name="company_kana"),
            # Imports resolve 会社名 by equality over a few thousand names; the trigram index
            # answers '=' too, but ~100 times slower (27 s for 2,000 names on 200,000 people).
            models.Index(fields=["name"], name="company_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="company_probability_pct"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Department(Address, TimeStamped):
    company = models.ForeignKey(
        Company, verbose_name="企業", on_delete=models.CASCADE, related_name="departments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上位部署",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField("部署名", max_length=200)
    name_kana = models.CharField("部署名フリガナ", max_length=200, null=True, blank=True)
    external_code = models.CharField(
        "外部コード", max_length=60, null=True, blank=True, unique=True
    )
    phone = models.CharField("電話", max_length=20, null=True, blank=True)
    fax = models.CharField("FAX", max_length=20, null=True, blank=True)
    custom = models.JSONField("カスタム項目", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "部署"
        ordering = ["company_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "parent", "name"],
                name="department_unique_name",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} {self.name}"


class Person(Address, TimeStamped):
    family_name = models.CharField("姓", max_length=60)
    given_name = models.CharField("名", max_length=60, null=True, blank=True)
    family_name_kana = models.CharField("セイ", max_length=60, null=True, blank=True)
    given_name_kana = models.CharField("メイ", max_length=60, null=True, blank=True)
    external_code = models.CharField(
        "外部コード", max_length=60, null=True, blank=True, unique=True
    )
    company = models.ForeignKey(
        Company,
        verbose_name="企業",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        db_index=False,  # person_company_kana leads with it
    )
    department = models.ForeignKey(
        Department,
        verbose_name="部署",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    title = models.CharField("役職", max_length=100, null=True, blank=True)
    phone = models.CharField("電話", max_length=20, null=True, blank=True)
    mobile_phone = models.CharField("携帯電話", max_length=20, null=True, blank=True)
    fax = models.CharField("FAX", max_length=20, null=True, blank=True)
    email = models.CharField("PCメール", max_length=254, null=True, blank=True)
    mobile_email = models.CharField("携帯メール", max_length=254, null=True, blank=True)
    home_postal_code = models.CharField("自宅郵便番号", max_length=8, null=True, blank=True)
    home_prefecture = models.CharField("自宅都道府県", max_length=10, null=True, blank=True)
    home_address1 = models.CharField("自宅住所1", max_length=200, null=True, blank=True)
    home_address2 = models.CharField("自宅住所2", max_length=200, null=True, blank=True)
    home_phone = models.CharField("自宅電話", max_length=20, null=True, blank=True)
    birthday = models.DateField("生年月日", null=True, blank=True)
    owner = models.ForeignKey(
        Employee,
        verbose_name="自社担当",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    person_types = models.ManyToManyField(
        PersonType, verbose_name="個人タイプ", blank=True, related_name="people"
    )
    selection_types = models.ManyToManyField(
        SelectionType, verbose_name="選択タイプ", blank=True, related_name="people"
    )
    user_code_1 = models.CharField("ユーザ定義コード1", max_length=40, null=True, blank=True)
    user_code_2 = models.CharField("ユーザ定義コード2", max_length=40, null=True, blank=True)
    user_code_3 = models.CharField("ユーザ定義コード3", max_length=40, null=True, blank=True)
    user_code_4 = models.CharField("ユーザ定義コード4", max_length=40, null=True, blank=True)
    user_code_5 = models.CharField("ユーザ定義コード5", max_length=40, null=True, blank=True)
    user_code_6 = models.CharField("ユーザ定義コード6", max_length=40, null=True, blank=True)
    user_code_7 = models.CharField("ユーザ定義コード7", max_length=40, null=True, blank=True)
    user_code_8 = models.CharField("ユーザ定義コード8", max_length=40, null=True, blank=True)
    user_code_9 = models.CharField("ユーザ定義コード9", max_length=40, null=True, blank=True)
    user_code_10 = models.CharField("ユーザ定義コード10", max_length=40, null=True, blank=True)
    user_name_1 = models.CharField("ユーザ定義名称1", max_length=200, null=True, blank=True)
    user_name_2 = models.CharField("ユーザ定義名称2", max_length=200, null=True, blank=True)
    user_name_3 = models.CharField("ユーザ定義名称3", max_length=200, null=True, blank=True)
    user_name_4 = models.CharField("ユーザ定義名称4", max_length=200, null=True, blank=True)
    user_name_5 = models.CharField("ユーザ定義名称5", max_length=200, null=True, blank=True)
    custom = models.JSONField("カスタム項目", default=dict, blank=True)
    memo = models.TextField("メモ", null=True, blank=True)
    opt_out_mail = models.BooleanField("郵送不可", default=False)
    opt_out_email = models.BooleanField("メール配信停止", default=False)
    opt_out_fax = models.BooleanField("FAX不可", default=False)
    email_invalid = models.BooleanField("メール不達", default=False)
    # Set by a bulk import on the rows it writes, cleared by the search-index job
    # (``person_search_index``): the search text of such a row is not computed and the search
    # indexes do not hold it, which would cost an import of a million rows minutes; searches
    # read the few pending rows through ``person_search_pending`` and compute it there.
    search_pending = models.BooleanField(
        "検索索引待ち", default=False, db_default=False, editable=False
    )
    # Computed by PostgreSQL on every write path (API, COPY imports, admin): the text that ?q=
    # searches through a trigram index. Its 1- and 2-character grams, for the queries that
    # have no trigram (佐藤), exist only in the expression index person_search_grams: stored
    # as a column they would triple the row and slow every scan of the table. NULL while
    # search_pending (the function costs ~10 µs a row).
    search_text = models.GeneratedField(
        expression=Case(
            When(search_pending=True, then=Value(None)),
            default=Func(*SEARCH_SOURCE_FIELDS, function="meibo_person_search_text"),
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = verbose_name_plural = "個人"
        ordering = ["family_name_kana", "given_name_kana", "id"]
        indexes = [
            models.Index(fields=["family_name_kana", "given_name_kana", "id"], name="person_kana"),
            # A company's people in reading order; also the index of the company foreign key.
            models.Index(
                fields=["company", "family_name_kana", "given_name_kana", "id"],
                name="person_company_kana",
            ),
            models.Index(fields=["postal_code"], name="person_postal"),
            models.Index(fields=["email"], name="person_email"),
            GinIndex(
                name="person_search_trgm",
                fields=["search_text"],
                opclasses=["gin_trgm_ops"],
                condition=Q(search_pending=False),
            ),
            GinIndex(
                Func(F("search_text"), function="meibo_grams", output_field=GRAMS),
                name="person_search_grams",
                condition=Q(search_pending=False),
            ),
            # The rows waiting for the search-index job: searches scan them, the job finds them.
            models.Index(
                fields=["id"], name="person_search_pending", condition=Q(search_pending=True)
            ),
            GinIndex(name="person_custom", fields=["custom"], opclasses=["jsonb_path_ops"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_name) if p)

    @property
    def full_name_kana(self) -> str:
        return " ".join(p for p in (self.family_name_kana, self.given_name_kana) if p)


class FamilyMember(TimeStamped):
    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="family"
    )
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("フリガナ", max_length=100, null=True, blank=True)
    relation = models.CharField("続柄", max_length=40)
    birthday = models.DateField("生年月日", null=True, blank=True)
    memo = models.TextField("メモ", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "家族"
        ordering = ["person_id", "id"]


class CareerEntry(models.Model):
    """A past affiliation (職歴), written whenever a person's company, department or title
    changes: the previous values, the period they held, and who made the change."""

    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="career"
    )
    company = models.ForeignKey(
        Company,
        verbose_name="企業",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    company_name = models.CharField("会社名", max_length=200, null=True, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="部署",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department_name = models.CharField("部署名", max_length=200, null=True, blank=True)
    title = models.CharField("役職", max_length=100, null=True, blank=True)
    started_on = models.DateField("開始日", null=True, blank=True)
    ended_on = models.DateField("終了日", null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="変更者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "職歴"
        ordering = ["person_id", "-ended_on", "-id"]

    def __str__(self) -> str:
        held = " ".join(p for p in (self.company_name, self.department_name, self.title) if p)
        return f"{held or '(なし)'} 〜{self.ended_on or ''}"


class CardExchange(TimeStamped):
    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="card_exchanges"
    )
    employee = models.ForeignKey(
        Employee, verbose_name="社員", on_delete=models.PROTECT, related_name="card_exchanges"
    )
    exchanged_on = models.DateField("交換日")
    place = models.CharField("場所", max_length=200, null=True, blank=True)
    note = models.TextField("メモ", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "名刺交換"
        ordering = ["-exchanged_on", "-id"]


class SecretNote(TimeStamped):
    """シークレット情報: readable by its author only; never exported, never searched."""

    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="secret_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作成者",
        on_delete=models.CASCADE,
        related_name="secret_notes",
    )
    text = models.TextField("内容")

    class Meta:
        verbose_name = verbose_name_plural = "シークレット情報"
        ordering = ["-created_at", "-id"]


class PersonAccessLog(models.Model):
    """Who read whose record, when and how: personal data access is auditable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="閲覧者",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(
        Person, verbose_name="個人", on_delete=models.CASCADE, related_name="access_log"
    )
    accessed_at = models.DateTimeField("閲覧日時", auto_now_add=True)
    via = models.CharField("経路", max_length=20)

    class Meta:
        verbose_name = verbose_name_plural = "閲覧履歴"
        ordering = ["-accessed_at"]
        indexes = [models.Index(fields=["person", "-accessed_at"], name="accesslog_person")]

    def __str__(self) -> str:
        return f"{self.user} → {self.person_id} ({self.via})"
