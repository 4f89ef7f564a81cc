from __future__ import annotations

from rest_framework import serializers

from api.masters.models import Employee
from api.people.models import Company, Person
from api.sales.models import Product, ProductCategory, Sale


class ProductCategorySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        queryset=ProductCategory.objects.all(), required=False, allow_null=True
    )
    parent_name = serializers.CharField(source="parent.name", default=None, read_only=True)
    depth = serializers.SerializerMethodField()
    child_count = serializers.IntegerField(read_only=True, default=0)
    product_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = ProductCategory
        fields = [
            "id",
            "code",
            "name",
            "parent",
            "parent_name",
            "path",
            "depth",
            "child_count",
            "product_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "path", "created_at", "updated_at"]

    def get_depth(self, category: ProductCategory) -> int:
        # "/1/4/9/" is depth 3: a root category is depth 1.
        return category.path.count("/") - 1


class ProductSerializer(serializers.ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(queryset=ProductCategory.objects.all())
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    category_path = serializers.CharField(source="category.path", read_only=True)
    custom = serializers.JSONField(required=False)

    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "name",
            "category",
            "category_code",
            "category_name",
            "category_path",
            "price",
            "user_code_1",
            "user_code_2",
            "user_code_3",
            "user_code_4",
            "user_code_5",
            "custom",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class SaleSerializer(serializers.ModelSerializer):
    """Customer, product and seller are written as ids and read with their names too."""

    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    person_name = serializers.CharField(source="person.full_name", default=None, read_only=True)
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )
    company_name = serializers.CharField(source="company.name", default=None, read_only=True)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    sold_by = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(), required=False, allow_null=True
    )
    sold_by_name = serializers.CharField(source="sold_by.name", default=None, read_only=True)
    amount = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = Sale
        fields = [
            "id",
            "person",
            "person_name",
            "company",
            "company_name",
            "product",
            "product_code",
            "product_name",
            "sold_on",
            "quantity",
            "amount",
            "sold_by",
            "sold_by_name",
            "note",
            "external_code",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
