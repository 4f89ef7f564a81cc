import datetime

import factory

from api.sales.models import Product, ProductCategory, Sale
from api.sales.services import product_category_create
from tests.factories.people import PersonFactory


class ProductCategoryFactory(factory.django.DjangoModelFactory):
    """Created through the service, so that ``path`` is right as in production."""

    class Meta:
        model = ProductCategory

    code = factory.Sequence(lambda n: f"CAT{n:03d}")
    name = factory.Sequence(lambda n: f"分類{n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return product_category_create(**kwargs)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"商品{n}")
    category = factory.SubFactory(ProductCategoryFactory)
    price = 1000


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    person = factory.SubFactory(PersonFactory)
    product = factory.SubFactory(ProductFactory)
    sold_on = datetime.date(2025, 4, 1)
    quantity = 1
    amount = factory.LazyAttribute(lambda o: (o.product.price or 0) * o.quantity)
