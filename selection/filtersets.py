import django_filters

from common.forms import IntegerFilter

from .models import SelectionRound


class SelectionRoundFilterSet(django_filters.FilterSet):
    year = IntegerFilter(field_name="year", min_value=1900, max_value=2999, help_text="年度。 / The round's year.")

    class Meta:
        model = SelectionRound
        fields = ["year"]
