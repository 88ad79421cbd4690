"""The 5 core and 13 secondary indicators of the campaign, and the city's published targets.

Texts are the definitions staff read on the definitions page; the engine's formulas live in
metrics/formulas.py and must say the same thing.
"""
import datetime
from decimal import Decimal

from django.db import migrations

INDICATORS = [
    # code, name, is_core, direction, unit, numerator, denominator, formula
    ("party_org_coverage", "小区党组织覆盖率", True, "up", "percent",
     "月末被有效党组织覆盖的在管小区数",
     "月末在管小区数",
     "小区党组织覆盖率 = 月末被有效党组织覆盖的在管小区数 ÷ 月末在管小区数 × 100%。党组织须在月末处于成立且未撤销状态，"
     "覆盖关系在月末有效；已合并或撤销的小区自合并之日起不再计入。"),
    ("committee_formation_rate", "业委会组建率", True, "up", "percent",
     "月末有在任业委会的应组建小区数",
     "月末应组建业委会的在管小区数",
     "业委会组建率 = 月末有在任业委会的应组建小区数 ÷ 月末应组建小区数 × 100%。应组建小区默认为商品房小区"
     "（房屋类型范围可在系统设置中调整）；在任指月末处于任期内且未解散。"),
    ("consultation_coverage", "议事协商覆盖率", True, "up", "percent",
     "当期至少召开一次三方或四方议事协商会议的在管小区数",
     "月末在管小区数",
     "议事协商覆盖率 = 当期开展议事协商（三方议事会议或四方联席会议至少一次）的小区数 ÷ 在管小区数 × 100%。"
     "月报数据默认只采用已审核的月报。"),
    ("service_quality", "服务品质", True, "up", "score",
     "各小区本季度最新精细化考评得分 × 该小区户数之和",
     "本季度已考评小区的户数之和",
     "服务品质 = Σ(小区本季度最新考评得分 × 户数) ÷ Σ(已考评小区户数)，即按户数加权的平均得分（0–100分）。"
     "只计本季度（截至当月）已考评的在管小区。"),
    ("complaint_rate", "信访矛盾", True, "down", "per_thousand_households",
     "当期信访件数与12345物业诉求受理件数之和",
     "在管小区户数 ÷ 1000",
     "信访矛盾 = (信访件数 + 12345物业诉求受理件数) ÷ (在管小区户数 ÷ 1000)，即每千户件数，越低越好。"),
    ("red_committee_share", "红色业委会占比", False, "up", "percent",
     "党员人数超过成员半数的在任业委会数",
     "在任业委会数",
     "红色业委会占比 = 党员人数过半的在任业委会数 ÷ 在任业委会数 × 100%。"),
    ("renewed_committee_party_ratio", "新成立或换届业委会党员比例", False, "up", "percent",
     "本年度（1月1日至当月末）选举产生的业委会中的党员人数",
     "上述业委会的成员总数",
     "新成立或换届业委会党员比例 = 本年度截至当月末新选举业委会的党员成员数 ÷ 这些业委会的成员总数 × 100%。"),
    ("dual_role_share", "一肩挑占比", False, "up", "percent",
     "主任由小区党支部书记兼任的在任业委会数",
     "在任业委会数",
     "一肩挑占比 = 主任与小区党支部书记“一肩挑”的在任业委会数 ÷ 在任业委会数 × 100%。"),
    ("firm_party_org_coverage", "“三有”物业企业党组织覆盖率", False, "up", "percent",
     "注册在本区域、月末被有效党组织覆盖的“三有”物业企业数",
     "注册在本区域的“三有”物业企业数",
     "“三有”物业企业党组织覆盖率 = 被党组织覆盖的“三有”企业数 ÷ “三有”企业数 × 100%。“三有”指有固定办公场所、"
     "员工10人及以上、正常经营。按企业注册区县统计并汇总到全市；街道、社区不统计此项。"),
    ("property_service_coverage", "物业服务覆盖率", False, "up", "percent",
     "月末有物业服务的在管小区数",
     "月末在管小区数",
     "物业服务覆盖率 = 有物业服务的小区数 ÷ 在管小区数 × 100%。月末管理模式为“失管”的小区不计入分子；"
     "管理模式为“专业物业服务”的小区须在月末有有效的物业服务合同（合同到期或企业被清退即不计入）。"),
    ("safety_standardisation_rate", "小区安全生产标准化创建率", False, "up", "percent",
     "月末已完成安全生产标准化创建的在管小区数",
     "月末在管小区数",
     "小区安全生产标准化创建率 = 已创建小区数 ÷ 在管小区数 × 100%。"),
    ("fee_collection_rate", "物业费收缴率", False, "up", "percent",
     "实收物业费（元）",
     "应收物业费（元）",
     "物业费收缴率 = 实收物业费 ÷ 应收物业费 × 100%。"),
    ("hotline_resolution_rate", "12345诉求办结率", False, "up", "percent",
     "12345物业诉求办结件数",
     "12345物业诉求受理件数",
     "12345诉求办结率 = 办结件数 ÷ 受理件数 × 100%。"),
    ("hotline_satisfaction_rate", "12345满意率", False, "up", "percent",
     "12345物业诉求满意件数",
     "12345物业诉求办结件数",
     "12345满意率 = 满意件数 ÷ 办结件数 × 100%。"),
    ("micro_matters_completion", "微实事办结率", False, "up", "percent",
     "微实事完成数",
     "微实事计划数",
     "微实事办结率 = 完成数 ÷ 计划数 × 100%。"),
    ("hazard_rectification_rate", "隐患整改率", False, "up", "percent",
     "安全隐患整改数",
     "安全隐患排查数",
     "隐患整改率 = 整改数 ÷ 排查发现数 × 100%。"),
    ("guard_certification_rate", "保安持证率", False, "up", "percent",
     "持证保安人数",
     "保安人数",
     "保安持证率 = 持证保安人数 ÷ 保安人数 × 100%。季度、年度取期末月份的人数。"),
    ("report_timeliness", "月报按时上报率", False, "up", "percent",
     "所在街道月报在截止日（含）前上报的在管小区数",
     "应上报月报的在管小区数",
     "月报按时上报率 = 按时上报的小区月报数 ÷ 应上报的小区月报数 × 100%。以月报的上报时间（北京时间日期）"
     "不晚于截止上报日期为按时；已退回为草稿的月报不计为已上报。"),
]

TARGETS = [
    ("committee_formation_rate", "gte", Decimal("80"), datetime.date(2025, 5, 31)),
    ("renewed_committee_party_ratio", "gte", Decimal("50"), datetime.date(2025, 5, 31)),
    ("party_org_coverage", "eq", Decimal("100"), datetime.date(2025, 5, 31)),
    ("committee_formation_rate", "gte", Decimal("95"), datetime.date(2027, 12, 31)),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("metrics", "Indicator")
    Target = apps.get_model("metrics", "Target")
    for order, (code, name, is_core, direction, unit, numerator, denominator, formula) in enumerate(INDICATORS, 1):
        Indicator.objects.update_or_create(code=code, defaults={
            "name": name, "is_core": is_core, "direction": direction, "unit": unit,
            "numerator_description": numerator, "denominator_description": denominator,
            "formula": formula, "display_order": order * 10,
        })
    for code, comparison, threshold, deadline in TARGETS:
        Target.objects.get_or_create(indicator_id=code, area_level="", area_code="", deadline=deadline,
                                     defaults={"comparison": comparison, "threshold": threshold,
                                               "note": "市住建局“四升一降”工作目标"})


def unload(apps, schema_editor):
    apps.get_model("metrics", "Indicator").objects.filter(code__in=[row[0] for row in INDICATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
