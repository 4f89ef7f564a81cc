"""Masters: the code lists that people, companies and products refer to, and the staff."""

from django.conf import settings
from django.db import models

from api.core.models import TimeStamped


class CodeMaster(TimeStamped):
    code = models.CharField("コード", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    sort_order = models.IntegerField("表示順", default=0)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PersonType(CodeMaster):
    class Meta(CodeMaster.Meta):
        verbose_name = verbose_name_plural = "個人タイプ"


class SelectionType(CodeMaster):
    class Meta(CodeMaster.Meta):
        verbose_name = verbose_name_plural = "選択タイプ"


class CompanyClassification(CodeMaster):
    class Meta(CodeMaster.Meta):
        verbose_name = verbose_name_plural = "顧客分類"


class Branch(CodeMaster):
    class Meta(CodeMaster.Meta):
        verbose_name = verbose_name_plural = "支店"


class Section(CodeMaster):
    """A department of our own company (自社部署), as opposed to a customer's Department."""

    class Meta(CodeMaster.Meta):
        verbose_name = verbose_name_plural = "自社部署"


class UserCodeValue(TimeStamped):
    """The values allowed in one user-defined code slot (ユーザ定義コード) of an entity."""

    class Entity(models.TextChoices):
        PERSON = "person", "個人"
        PRODUCT = "product", "商品"

    entity = models.CharField("対象", max_length=20, choices=Entity.choices)
    slot = models.PositiveSmallIntegerField("番号")
    code = models.CharField("コード", max_length=40)
    name = models.CharField("名称", max_length=100)
    sort_order = models.IntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "ユーザ定義コード"
        ordering = ["entity", "slot", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "slot", "code"], name="usercode_unique"),
            models.CheckConstraint(
                condition=models.Q(slot__gte=1, slot__lte=10), name="usercode_slot_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_entity_display()} {self.slot}: {self.code} {self.name}"


class CustomField(TimeStamped):
    """A user-defined field (カスタム項目); values live in the entity's JSONB ``custom``."""

    class Entity(models.TextChoices):
        PERSON = "person", "個人"
        COMPANY = "company", "企業"
        DEPARTMENT = "department", "部署"
        PRODUCT = "product", "商品"

    class Kind(models.TextChoices):
        TEXT = "text", "テキスト"
        NUMBER = "number", "数値"
        DATE = "date", "日付"
        CHOICE = "choice", "選択"
        MULTI_CHOICE = "multi_choice", "複数選択"

    entity = models.CharField("対象", max_length=20, choices=Entity.choices)
    key = models.SlugField("キー", max_length=60)
    label = models.CharField("表示名", max_length=100)
    kind = models.CharField("種類", max_length=20, choices=Kind.choices)
    choices = models.JSONField("選択肢", default=list, blank=True)
    required = models.BooleanField("必須", default=False)
    sort_order = models.IntegerField("表示順", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "カスタム項目"
        ordering = ["entity", "sort_order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="customfield_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_entity_display()}: {self.label} ({self.key})"


class Employee(TimeStamped):
    """A member of our own staff (社員): the owner of customers, the seller of sales."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    code = models.CharField("社員コード", max_length=40, unique=True)
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("フリガナ", max_length=100, blank=True, default="")
    email = models.EmailField("メール", blank=True, default="")
    branch = models.ForeignKey(
        Branch, verbose_name="支店", null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        Section, verbose_name="部署", null=True, blank=True, on_delete=models.PROTECT
    )
    signature = models.TextField("署名", blank=True, default="")
    is_active = models.BooleanField("在籍", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "社員"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
