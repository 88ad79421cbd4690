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
    applied_weights = serializers.SerializerMethodField(
        help_text="评分项代码 → 计分实际采用的权重；公众点赞未达最低票数时其权重按比例分配给其他评分项；得分未公开时为空")
    public_votes_counted = serializers.SerializerMethodField(
        help_text="公众点赞是否计入综合得分；得分未公开时为 null")

    class Meta:
        model = SelectionRound
        fields = ["id", "year", "title", "quota", "scores_known", "note", "published_at", "published_precision",
                  "weights", "min_public_votes", "applied_weights", "public_votes_counted", "candidates"]

    def get_weights(self, selection_round) -> dict[str, int]:
        return {criterion.code: criterion.weight for criterion in selection_round.criteria.all()}

    def get_applied_weights(self, selection_round) -> dict[str, float]:
        return {code: float(weight) for code, weight in selection_round.scored_weights.items()}

    def get_public_votes_counted(self, selection_round) -> bool | None:
        if not selection_round.scored_weights:
            return None
        return not selection_round.public_votes_spread
