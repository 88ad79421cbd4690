"""factory_boy factories for every registry model, shared by all apps' tests."""
import datetime
import itertools

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from communities.models import (
    Community,
    Compound,
    CompoundManagementPeriod,
    HousingType,
    ManagementMode,
    PropertyFirm,
    ServiceContract,
)
from communities.validators import credit_code_check_character
from committees.models import CommitteeMember, OwnersCommittee, PartyOrganisation
from districts.models import City, District, Street

_codes = itertools.count(1)


def valid_credit_code(n: int) -> str:
    body = f"91350500{n:09d}"
    return body + credit_code_check_character(body)


class CityFactory(DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("code",)

    code = "350500"
    name = "泉州市"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    city = factory.SubFactory(CityFactory)
    code = factory.LazyFunction(lambda: f"T{next(_codes):05d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    kind = District.Kind.DISTRICT


class StreetFactory(DjangoModelFactory):
    class Meta:
        model = Street

    district = factory.SubFactory(DistrictFactory)
    code = factory.LazyFunction(lambda: f"T{next(_codes):08d}")
    name = factory.Sequence(lambda n: f"测试街道{n}")
    kind = Street.Kind.STREET


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    code = factory.LazyFunction(lambda: f"T{next(_codes):011d}")
    name = factory.Sequence(lambda n: f"测试社区{n}")


class CompoundFactory(DjangoModelFactory):
    class Meta:
        model = Compound
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    code = factory.LazyFunction(lambda: f"C{next(_codes):08d}")
    name = factory.Sequence(lambda n: f"测试小区{n}")
    households = 300
    buildings = 6
    housing_type = HousingType.COMMODITY
    management_mode = ManagementMode.PROFESSIONAL
    active_from = datetime.date(2020, 1, 1)

    @factory.post_generation
    def management_period(obj, create, extracted, **kwargs):
        if create:
            CompoundManagementPeriod.objects.create(compound=obj, mode=obj.management_mode, valid_from=obj.active_from)


class PropertyFirmFactory(DjangoModelFactory):
    class Meta:
        model = PropertyFirm

    credit_code = factory.LazyFunction(lambda: valid_credit_code(next(_codes)))
    name = factory.Sequence(lambda n: f"测试物业服务有限公司{n}")
    registered_district = factory.SubFactory(DistrictFactory)
    staff_count = 20
    has_fixed_premises = True
    in_business = True


class ServiceContractFactory(DjangoModelFactory):
    class Meta:
        model = ServiceContract

    firm = factory.SubFactory(PropertyFirmFactory)
    compound = factory.SubFactory(CompoundFactory)
    starts_on = datetime.date(2022, 1, 1)


class OwnersCommitteeFactory(DjangoModelFactory):
    class Meta:
        model = OwnersCommittee

    compound = factory.SubFactory(CompoundFactory)
    elected_on = datetime.date(2023, 3, 10)
    term_start = datetime.date(2023, 3, 10)
    term_end = datetime.date(2028, 3, 9)


class CommitteeMemberFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    committee = factory.SubFactory(OwnersCommitteeFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    role = CommitteeMember.Role.MEMBER
    phone = "13800138000"


class PartyOrganisationFactory(DjangoModelFactory):
    class Meta:
        model = PartyOrganisation

    code = factory.LazyFunction(lambda: f"P{next(_codes):08d}")
    name = factory.Sequence(lambda n: f"测试小区党支部{n}")
    kind = PartyOrganisation.Kind.COMPOUND_BRANCH
    form = PartyOrganisation.Form.FORMAL
    street = factory.SubFactory(StreetFactory)
    district = factory.SelfAttribute("street.district")
    established_on = datetime.date(2023, 1, 1)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CITY_STAFF
    password = factory.PostGenerationMethodCall("set_password", "测试密码-Quanzhou-2024")

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def city_staff(**kwargs) -> User:
    return UserFactory(role=Role.CITY_STAFF, **kwargs)


def district_staff(district: District, **kwargs) -> User:
    return UserFactory(role=Role.DISTRICT_STAFF, district=district, **kwargs)


def street_officer(street: Street, **kwargs) -> User:
    return UserFactory(role=Role.STREET_OFFICER, street=street, district=street.district, **kwargs)
