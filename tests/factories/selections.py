import factory

from api.selections.models import SelectionMember, SelectionSet
from tests.factories.masters import UserFactory


class SelectionSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelectionSet
        skip_postgeneration_save = True  # ``people`` saves what it changes

    name = factory.Sequence(lambda n: f"選択セット{n}")
    owner = factory.SubFactory(UserFactory)
    origin = SelectionSet.Origin.MANUAL

    @factory.post_generation
    def people(self, create, extracted, **kwargs):
        """``SelectionSetFactory(people=[...])`` makes them members (and counts them)."""
        if not create or not extracted:
            return
        SelectionMember.objects.bulk_create(
            [SelectionMember(selection_set=self, person=person) for person in extracted]
        )
        self.member_count = len(extracted)
        self.save(update_fields=["member_count"])
