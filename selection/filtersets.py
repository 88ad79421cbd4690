import django_filters

from .models import SelectionRound


class SelectionRoundFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")

    class Meta:
        model = SelectionRound
        fields = ["year"]
