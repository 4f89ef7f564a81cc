"""Products in a category tree, and each person's sales history."""

from django.db import models

from api.core.models import TimeStamped
from api.masters.models import Employee
from api.people.models import Company, Person


class ProductCategory(TimeStamped):
    code = models.CharField("コード", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name="上位分類",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids ("/1/4/9/"), kept by the service, so that "this category and
    # all its sub-categories" is one indexed prefix match instead of a recursive query.
    path = models.CharField("パス", max_length=400, editable=False, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "商品分類"
        ordering = ["path"]
        indexes = [
            models.Index(
                fields=["path"], name="category_path_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name


class Product(TimeStamped):
    code = models.CharField("商品コード", max_length=40, unique=True)
    name = models.CharField("商品名", max_length=200)
    category = models.ForeignKey(
        ProductCategory, verbose_name="商品分類", on_delete=models.PROTECT, related_name="products"
    )
    price = models.BigIntegerField("単価", null=True, blank=True)
    user_code_1 = models.CharField("ユーザ定義コード1", max_length=40, null=True, blank=True)
    user_code_2 = models.CharField("ユーザ定義コード2", max_length=40, null=True, blank=True)
    user_code_3 = models.CharField("ユーザ定義コード3", max_length=40, null=True, blank=True)
    user_code_4 = models.CharField("ユーザ定義コード4", max_length=40, null=True, blank=True)
    user_code_5 = models.CharField("ユーザ定義コード5", max_length=40, null=True, blank=True)
    custom = models.JSONField("カスタム項目", default=dict, blank=True)
    is_active = models.BooleanField("販売中", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "商品"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Sale(models.Model):
    # person, product and sold_by have no index of their own: sale_person_date,
    # sale_product_date and sale_seller_date lead with them, and ten million sales would
    # otherwise keep three more indexes up to date on every load.
    person = models.ForeignKey(
        Person,
        verbose_name="個人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales",
        db_index=False,
    )
    company = models.ForeignKey(
        Company,
        verbose_name="企業",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales",
    )
    product = models.ForeignKey(
        Product, verbose_name="商品", on_delete=models.PROTECT, related_name="sales", db_index=False
    )
    sold_on = models.DateField("販売日")
    quantity = models.IntegerField("数量", default=1)
    amount = models.BigIntegerField("金額")
    sold_by = models.ForeignKey(
        Employee,
        verbose_name="販売担当",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales",
        db_index=False,
    )
    external_code = models.CharField(
        "外部コード", max_length=60, null=True, blank=True, unique=True
    )
    note = models.TextField("備考", null=True, blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "販売履歴"
        ordering = ["-sold_on", "-id"]
        indexes = [
            models.Index(fields=["person", "sold_on"], name="sale_person_date"),
            models.Index(fields=["product", "sold_on"], name="sale_product_date"),
            models.Index(fields=["sold_on"], name="sale_date"),
            models.Index(fields=["sold_by", "sold_on"], name="sale_seller_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(company__isnull=False),
                name="sale_has_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sold_on} {self.product} × {self.quantity}"
