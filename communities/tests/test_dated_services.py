"""Dated changes and corrections of a compound's facts, a firm's 三有 facts and members."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from committees.models import CommitteeMember
from committees.selectors import committee_members_on
from committees.services import committee_member_change, committee_member_join, committee_member_leave
from communities.models import CompoundHouseholdsPeriod
from communities.selectors import compounds_as_of, sanyou_firms_on
from communities.services import compound_change_fact, compound_correct_fact, firm_change_facts
from tests.factories import CommitteeMemberFactory, CommunityFactory, CompoundFactory, PropertyFirmFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def households_on(compound, day):
    return compounds_as_of(day).get(pk=compound.pk).households_on


def test_a_compound_without_history_has_its_recorded_value_on_every_day():
    compound = CompoundFactory(households=300)
    assert households_on(compound, D(2021, 1, 1)) == 300


def test_a_change_keeps_the_old_value_before_its_date_and_the_new_one_from_it():
    compound = CompoundFactory(households=300)
    compound_change_fact(compound=compound, field="households", value=320, on=D(2024, 5, 1))
    assert households_on(compound, D(2024, 4, 30)) == 300
    assert households_on(compound, D(2024, 5, 1)) == 320
    compound.refresh_from_db()
    assert compound.households == 320


def test_a_change_from_an_earlier_date_lasts_until_the_next_recorded_change():
    compound = CompoundFactory(households=300)
    compound_change_fact(compound=compound, field="households", value=320, on=D(2024, 5, 1))
    compound_change_fact(compound=compound, field="households", value=310, on=D(2024, 2, 1))
    assert [households_on(compound, day) for day in (D(2024, 1, 31), D(2024, 3, 1), D(2024, 6, 1))] == [300, 310, 320]
    compound.refresh_from_db()
    assert compound.households == 320


def test_a_second_change_on_the_same_day_rewrites_it():
    compound = CompoundFactory(households=300)
    compound_change_fact(compound=compound, field="households", value=320, on=D(2024, 5, 1))
    compound_change_fact(compound=compound, field="households", value=330, on=D(2024, 5, 1))
    assert CompoundHouseholdsPeriod.objects.filter(compound=compound).count() == 2
    assert households_on(compound, D(2024, 5, 1)) == 330


def test_a_change_dated_in_the_future_is_refused_in_chinese():
    compound = CompoundFactory()
    with pytest.raises(ValidationError) as error:
        compound_change_fact(compound=compound, field="households", value=320,
                             on=timezone.localdate() + datetime.timedelta(days=1))
    assert "不能晚于今天" in str(error.value)


def test_a_community_change_moves_the_compound_to_the_new_street_from_its_date():
    compound = CompoundFactory()
    other = CommunityFactory()
    compound_change_fact(compound=compound, field="community_id", value=other.pk, on=D(2024, 5, 1))
    assert compounds_as_of(D(2024, 4, 1)).get(pk=compound.pk).street_id_on != other.street_id
    assert compounds_as_of(D(2024, 5, 1)).get(pk=compound.pk).street_id_on == other.street_id


def test_a_correction_without_history_fixes_the_recorded_value():
    compound = CompoundFactory(households=300)
    compound_correct_fact(compound=compound, field="households", value=330)
    assert households_on(compound, D(2021, 1, 1)) == 330
    assert compound.history.latest().history_change_reason.startswith("更正")


def test_a_firm_is_sanyou_by_its_facts_on_the_day():
    firm = PropertyFirmFactory(staff_count=20)
    firm_change_facts(firm=firm, on=D(2024, 5, 1), staff_count=5, has_fixed_premises=True, in_business=True)
    assert sanyou_firms_on(D(2024, 4, 30)).filter(pk=firm.pk).exists()
    assert not sanyou_firms_on(D(2024, 5, 1)).filter(pk=firm.pk).exists()


def test_a_member_who_leaves_is_not_counted_from_that_day():
    member = CommitteeMemberFactory()
    committee_member_leave(member=member, on=D(2024, 5, 1))
    assert committee_members_on(D(2024, 4, 30)).filter(pk=member.pk).exists()
    assert not committee_members_on(D(2024, 5, 1)).filter(pk=member.pk).exists()
    member.refresh_from_db()
    assert member.left_on == D(2024, 5, 1)


def test_a_member_who_joins_the_party_counts_as_a_party_member_from_that_day():
    member = CommitteeMemberFactory(is_party_member=False)
    committee_member_change(member=member, on=D(2024, 5, 1), is_party_member=True)
    assert not committee_members_on(D(2024, 4, 30)).get(pk=member.pk).is_party_member_on
    assert committee_members_on(D(2024, 5, 1)).get(pk=member.pk).is_party_member_on


def test_a_second_chair_is_refused_naming_the_role():
    chair = CommitteeMemberFactory(role=CommitteeMember.Role.CHAIR)
    with pytest.raises(ValidationError) as error:
        committee_member_join(committee=chair.committee, on=D(2024, 5, 1), name="李四",
                              role=CommitteeMember.Role.CHAIR, is_party_member=False)
    assert "role" in error.value.message_dict


def test_a_new_chair_may_follow_one_who_left():
    chair = CommitteeMemberFactory(role=CommitteeMember.Role.CHAIR)
    committee_member_leave(member=chair, on=D(2024, 5, 1))
    successor = committee_member_join(committee=chair.committee, on=D(2024, 5, 1), name="李四",
                                      role=CommitteeMember.Role.CHAIR, is_party_member=True)
    assert committee_members_on(D(2024, 5, 2)).get(role_on=CommitteeMember.Role.CHAIR).pk == successor.pk
