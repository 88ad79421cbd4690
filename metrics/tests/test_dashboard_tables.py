"""Dashboard tables rendered to HTML rows: escaped text, attainment beside the number, provisional mark."""
from decimal import Decimal

from metrics.dashboard.tables import Cell, Column, Table, change


def one_row(*cells, numeric=False):
    table = Table("t", "t", [Column("c", numeric=numeric) for _cell in cells], rows=[list(cells)])
    return table.html_rows[0]


def test_cell_text_and_links_are_escaped():
    row = one_row(Cell('<b>"林" & 王</b>', url="/dashboard/?a=1&b=2"))
    assert row == ('<tr><td class=""><a href="/dashboard/?a=1&amp;b=2">&lt;b&gt;&quot;林&quot; &amp; 王&lt;/b&gt;</a>'
                   '</td></tr>')


def test_a_value_cell_carries_its_attainment_in_class_title_and_symbol():
    row = one_row(Cell("50.0%", Decimal("50"), attainment="missed"), numeric=True)
    assert row == ('<tr><td class="num attain attain-missed" title="未达标">50.0%'
                   ' <span class="symbol" aria-label="未达标">✘</span></td></tr>')


def test_an_attainment_cell_that_starts_with_its_symbol_gets_no_second_one():
    row = one_row(Cell("≈ 接近", attainment="near"))
    assert row == '<tr><td class=" attain attain-near" title="接近">≈ 接近</td></tr>'


def test_a_heading_cell_is_a_row_header_and_provisional_values_are_marked():
    row = one_row(Cell("鲤中街道", url="/dashboard/street/350502003/", heading=True), Cell("80.0%", provisional=True))
    assert row == ('<tr><th scope="row"><a href="/dashboard/street/350502003/">鲤中街道</a></th>'
                   '<td class="">80.0%<abbr class="provisional" title="暂定：含未审核数据">*</abbr></td></tr>')


def test_a_change_says_up_or_down_by_its_sign_and_better_or_worse_by_the_indicators_direction():
    fewer_complaints = change(Decimal("-1.0712"), "per_thousand_households", "down")
    assert (fewer_complaints.arrow, fewer_complaints.text, fewer_complaints.verdict) == ("▼", "下降 1.07", "向好")
    assert str(change(Decimal("-1.07"), "percent", "up")) == "▼ 下降 1.1 变差"
    assert str(change(Decimal("2.5"), "per_thousand_households", "down")) == "▲ 上升 2.50 变差"
    assert str(change(Decimal("0.5"), "percent", "up")) == "▲ 上升 0.5 向好"
    assert str(change(Decimal("0.04"), "percent", "up")) == "持平"
    assert str(change(None, "percent", "up")) == "—"
