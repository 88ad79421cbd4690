import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from committees.models import CommitteeMember
from tests.factories import CommitteeMemberFactory, CompoundFactory, OwnersCommitteeFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_database_refuses_two_committees_in_office_at_the_same_time():
    compound = CompoundFactory()
    OwnersCommitteeFactory(compound=compound, term_start=D(2021, 1, 1), term_end=D(2025, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnersCommitteeFactory(compound=compound, term_start=D(2025, 6, 1), term_end=D(2030, 5, 31))


def test_a_new_term_may_start_the_day_after_the_old_one_ends():
    compound = CompoundFactory()
    OwnersCommitteeFactory(compound=compound, term_start=D(2021, 1, 1), term_end=D(2025, 12, 31))
    OwnersCommitteeFactory(compound=compound, term_start=D(2026, 1, 1), term_end=D(2030, 12, 31))
    assert compound.committees.count() == 2


def test_a_new_committee_may_start_after_the_old_one_was_dissolved():
    compound = CompoundFactory()
    OwnersCommitteeFactory(compound=compound, term_start=D(2021, 1, 1), term_end=D(2025, 12, 31), dissolved_on=D(2023, 5, 1))
    OwnersCommitteeFactory(compound=compound, term_start=D(2023, 5, 1), term_end=D(2028, 4, 30))


def test_moving_a_term_onto_another_is_refused_on_update_too():
    compound = CompoundFactory()
    OwnersCommitteeFactory(compound=compound, term_start=D(2021, 1, 1), term_end=D(2025, 12, 31))
    later = OwnersCommitteeFactory(compound=compound, term_start=D(2026, 1, 1), term_end=D(2030, 12, 31))
    later.term_start = D(2025, 12, 31)
    with pytest.raises(IntegrityError), transaction.atomic():
        later.save()


def test_committees_of_different_compounds_may_overlap():
    OwnersCommitteeFactory(term_start=D(2021, 1, 1), term_end=D(2025, 12, 31))
    OwnersCommitteeFactory(term_start=D(2021, 1, 1), term_end=D(2025, 12, 31))


def test_clean_explains_the_overlap_in_chinese():
    compound = CompoundFactory()
    OwnersCommitteeFactory(compound=compound, term_start=D(2021, 1, 1), term_end=D(2025, 12, 31))
    second = OwnersCommitteeFactory.build(compound=compound, elected_on=D(2024, 1, 1), term_start=D(2024, 1, 1),
                                          term_end=D(2028, 12, 31))
    with pytest.raises(ValidationError) as exc:
        second.full_clean()
    assert "只能有一个在任业委会" in " ".join(exc.value.messages)


def test_term_end_must_follow_term_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnersCommitteeFactory(term_start=D(2024, 1, 1), term_end=D(2023, 12, 31))


def test_a_committee_has_at_most_one_chair():
    committee = OwnersCommitteeFactory()
    CommitteeMemberFactory(committee=committee, role=CommitteeMember.Role.CHAIR)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMemberFactory(committee=committee, role=CommitteeMember.Role.CHAIR)


def test_phone_numbers_are_masked_and_kept_out_of_history():
    member = CommitteeMemberFactory(phone="13812345678")
    assert member.masked_phone == "138****5678"
    historical_fields = {f.name for f in member.history.model._meta.get_fields()}
    assert "phone" not in historical_fields
