"""Plausible Chinese names for generated compounds, communities, firms, roads and people.

All names are built from syllable lists, so they read like Quanzhou names without naming real
compounds, companies or persons.
"""
import random

# Two-character words typical of Quanzhou place and estate names.
PLACE_WORDS = (
    "泉秀 刺桐 温陵 清源 紫云 东湖 江滨 宝洲 桐城 海丝 云谷 金山 锦绣 华侨 新华 丰盛 鲤江 晋兴 "
    "凤凰 龙津 笋江 浔美 洛阳 后渚 蟠龙 桃源 梅峰 霞浦 聚宝 涂门 开元 承天 崇福 天后 文兴 "
    "南俊 田安 津头 坪山 北峰 城东 滨江 西街 中山 温泉 仙景 福源 嘉禾 德泰 瑞丰 逸景 翠屏"
).split()
SYLLABLES = "泉 桐 云 湖 江 海 山 峰 源 华 金 锦 龙 凤 鲤 丰 泰 嘉 瑞 逸 翠 雅 明 兴 盛 祥 和 安 福 德 宝 星 阳 光 新 园 林 溪 湾 滨".split()
COMMODITY_SUFFIXES = (
    "花园 苑 小区 家园 雅居 华庭 名苑 山庄 公寓 佳园 新城 府 湾 里 雅苑 御景 嘉园 大厦 广场 水岸"
).split()
PHASES = ("一期", "二期", "三期", "四期", "五期")
WORK_UNITS = (
    "粮食局 供电公司 纺织厂 电信局 邮电局 建设银行 工商银行 农业银行 自来水公司 化纤厂 糖厂 "
    "机械厂 百货公司 交通局 卫生局 教育局 税务局 财政局 水利局 医院 师范学校 供销社 陶瓷厂 茶厂"
).split()
ROAD_SUFFIXES = ("路", "街", "大道", "巷", "南路", "北路", "东路", "西路")

# Common surnames in southern Fujian, most frequent first.
SURNAMES = "陈 林 黄 王 李 吴 张 蔡 郑 许 洪 庄 苏 施 杨 刘 何 傅 曾 郭 谢 康 潘 叶 周 卢 柯 赖 颜 戴".split()
GIVEN = "志 伟 建 国 明 华 丽 芳 秀 英 玉 珍 文 斌 强 军 辉 平 红 燕 梅 霞 清 海 福 荣 鸿 亮 涛 婷 静 敏 艺 东 晓 凯".split()
MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 158 159 176 177 180 181 185 186 187 188 189 199"
).split()

FIRM_SUFFIXES = ("物业服务有限公司", "物业管理有限公司", "物业发展有限公司", "城市服务有限公司", "物业服务集团有限公司")


def place_word(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(PLACE_WORDS)
    first, second = rng.sample(SYLLABLES, 2)
    return first + second


def compound_name(rng: random.Random, housing_type: str, place: str) -> str:
    """A compound name matching its housing type; `place` is a local word (village, road...)."""
    if housing_type == "resettlement":
        return f"{place}{rng.choice(('安置房', '安置小区', '新村'))}"
    if housing_type == "reformed":
        return f"{rng.choice(WORK_UNITS)}{rng.choice(('宿舍', '房改楼', '职工住宅'))}"
    if housing_type == "work_unit":
        return f"{rng.choice(WORK_UNITS)}{rng.choice(('职工宿舍', '集资房', '宿舍楼'))}"
    if housing_type == "affordable":
        return f"{place}{rng.choice(('保障房小区', '公租房', '经济适用房'))}"
    return f"{place_word(rng)}{rng.choice(COMMODITY_SUFFIXES)}"


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or the same name with a phase (二期...) or a number when it is already taken."""
    candidate = name
    for phase in PHASES[1:]:
        if candidate not in taken:
            break
        candidate = name + phase
    n = 2
    while candidate in taken:
        candidate = f"{name}{n}号区"
        n += 1
    taken.add(candidate)
    return candidate


def road_address(rng: random.Random) -> str:
    return f"{place_word(rng)}{rng.choice(ROAD_SUFFIXES)}{rng.randint(1, 888)}号"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.75 else "")
    return rng.choice(SURNAMES) + given


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def firm_name(rng: random.Random, district_short: str) -> str:
    brand = place_word(rng) + (rng.choice(SYLLABLES) if rng.random() < 0.3 else "")
    prefix = rng.choice(("泉州", "泉州市", district_short, "福建"))
    return f"{prefix}{brand}{rng.choice(FIRM_SUFFIXES)}"
