"""factory_boy factories that keep the graph consistent (regions come from the migration)."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from ryadom.accounts.models import User
from ryadom.geo.models import Region
from ryadom.institutions.models import (
    AccessLevel,
    Agency,
    Department,
    Institution,
    InstitutionKind,
)
from ryadom.organisations.models import Agreement, Organisation, OrganisationKind
from ryadom.veterans.models import Proxy, Stay, Veteran
from ryadom.volunteers.models import Gender, Membership, MembershipStatus, Volunteer

# The gender a relation names, so a relative's name fits it.
RELATIVE_GENDER = {"мать": "f", "жена": "f", "сестра": "f", "дочь": "f"}
RELATIVE_GENDER |= {"отец": "m", "муж": "m", "брат": "m", "сын": "m"}


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def valid_inn(n: int) -> str:
    base = f"77{n:07d}"  # 9 digits: region, tax office, serial
    return base + stdnum_inn.calc_company_check_digit(base)


def valid_ogrn(n: int) -> str:
    base = f"1027700{n % 100000:05d}"  # 12 digits: sign, year, region, serial
    return base + stdnum_ogrn.calc_check_digit(base + "0")  # it reads the first 12 digits


def by_gender(male: str, female: str) -> factory.Maybe:
    """Faker's ru_RU provider of the name in the form of the `gender` parameter."""
    return factory.Maybe(
        factory.LazyAttribute(lambda o: o.gender == Gender.MALE),
        yes_declaration=factory.Faker(male, locale="ru_RU"),
        no_declaration=factory.Faker(female, locale="ru_RU"),
    )


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user whose first name and surname are of one gender (Анна Морозова, not Модест
    Морозова): pass `gender="m"` or `"f"`, else they alternate."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    class Params:
        gender = factory.Sequence(lambda n: Gender.FEMALE if n % 2 else Gender.MALE)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = by_gender("first_name_male", "first_name_female")
    last_name = by_gender("last_name_male", "last_name_female")
    password = factory.django.Password("correct-horse-battery")


class InstitutionFactory(factory.django.DjangoModelFactory[Institution]):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Городская больница №{n}")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.region.code}-{n:04d}")
    kind = InstitutionKind.CIVILIAN_HOSPITAL
    agency = factory.LazyFunction(lambda: Agency.objects.get(code="regional_health"))
    region = factory.LazyFunction(lambda: region("77"))
    address = "ул. Госпитальная, 1"
    access_level = AccessLevel.PASS
    lat = factory.LazyAttribute(lambda o: o.region.lat)
    lon = factory.LazyAttribute(lambda o: o.region.lon)


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Отделение {n}")


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"АНО «Рядом {n}»")
    inn = factory.Sequence(valid_inn)
    ogrn = factory.Sequence(valid_ogrn)
    kind = OrganisationKind.ANO
    home_region = factory.LazyFunction(lambda: region("77"))
    weekly_capacity = 20

    @factory.post_generation
    def regions(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.regions.set(extracted or [self.home_region])


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement

    organisation = factory.SubFactory(OrganisationFactory)
    institution = factory.SubFactory(InstitutionFactory)
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class VolunteerFactory(factory.django.DjangoModelFactory[Volunteer]):
    class Meta:
        model = Volunteer

    user = factory.SubFactory(UserFactory, gender=factory.SelfAttribute("..gender"))
    region = factory.LazyFunction(lambda: region("77"))
    gender = Gender.FEMALE
    lat = factory.LazyAttribute(lambda o: o.region.lat)
    lon = factory.LazyAttribute(lambda o: o.region.lon)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    volunteer = factory.SubFactory(VolunteerFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = MembershipStatus.APPROVED


class VeteranFactory(factory.django.DjangoModelFactory[Veteran]):
    class Meta:
        model = Veteran

    addressed_as = by_gender("first_name_male", "first_name_female")
    gender = Gender.MALE
    home_region = factory.LazyFunction(lambda: region("77"))


class StayFactory(factory.django.DjangoModelFactory[Stay]):
    class Meta:
        model = Stay

    veteran = factory.SubFactory(VeteranFactory)
    institution = factory.SubFactory(InstitutionFactory)
    admitted_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))


class ProxyFactory(factory.django.DjangoModelFactory[Proxy]):
    class Meta:
        model = Proxy

    veteran = factory.SubFactory(VeteranFactory)
    user = factory.SubFactory(
        UserFactory,
        gender=factory.LazyAttribute(lambda o: RELATIVE_GENDER.get(o.factory_parent.relation, "f")),
    )
    relation = "мать"
