"""Database constraint names never reach an officer: every constraint of a registry model says what is
wrong in Chinese, and a form or file that breaks one hears that sentence (not `约束 “…” 是无效的`)."""
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from communities.models import PropertyFirm
from tests.factories import PropertyFirmFactory

REGISTRY_APPS = ("districts", "communities", "committees")
CONSTRAINTS = sorted(((model, constraint) for app in REGISTRY_APPS for model in apps.get_app_config(app).get_models()
                      for constraint in model._meta.constraints), key=lambda pair: pair[1].name)


@pytest.mark.parametrize(("model", "constraint"), CONSTRAINTS, ids=[constraint.name for _m, constraint in CONSTRAINTS])
def test_every_registry_constraint_has_its_own_chinese_message(model, constraint):
    message = str(constraint.violation_error_message)
    assert message != str(constraint.default_violation_error_message)
    assert constraint.name not in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)


@pytest.mark.django_db
def test_a_star_rating_above_five_is_refused_in_words_not_by_the_constraints_name():
    firm = PropertyFirmFactory.build(star_rating=6)
    with pytest.raises(ValidationError) as error:
        firm.full_clean()
    text = " ".join(error.value.messages)
    assert "星级须为 0 至 5" in text and "firm_star_rating_0_to_5" not in text
    assert not PropertyFirm.objects.exists()
