import django_filters

from common.forms import IntegerFilter

from .models import SelectionRound


class SelectionRoundFilterSet(django_filters.FilterSet):
    year = IntegerFilter(field_name="year")

    class Meta:
        model = SelectionRound
        fields = ["year"]
