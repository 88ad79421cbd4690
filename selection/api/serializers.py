from rest_framework import serializers

from common.api.serializers import ModelSerializer

from ..models import CandidateResult, SelectionRound


class CandidateResultSerializer(ModelSerializer):
    street_code = serializers.CharField(source="nomination.street.code")
    street_name = serializers.CharField(source="nomination.street.name")
    district_code = serializers.CharField(source="nomination.district.code")
    district_name = serializers.CharField(source="nomination.district.name")
    criterion_scores = serializers.SerializerMethodField(help_text="评分项代码 → 得分；得分未公开时为空")

    class Meta:
        model = CandidateResult
        fields = ["street_code", "street_name", "district_code", "district_name", "criterion_scores",
                  "vote_count", "normalised_votes", "attainment", "total", "rank", "selected"]

    def get_criterion_scores(self, result) -> dict[str, float]:
        return {code: float(value) for code, value in result.criterion_scores.items()}


class SelectionRoundSerializer(ModelSerializer):
    candidates = CandidateResultSerializer(source="results", many=True)
    weights = serializers.SerializerMethodField(help_text="评分项代码 → 权重")

    class Meta:
        model = SelectionRound
        fields = ["id", "year", "title", "quota", "scores_known", "note", "published_at", "weights", "candidates"]

    def get_weights(self, selection_round) -> dict[str, int]:
        return {criterion.code: criterion.weight for criterion in selection_round.criteria.all()}
