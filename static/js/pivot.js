/* Draws the pivot table's chart from the page's embedded JSON (#pivot-data), built by the server from
   the same cells as the table: categories on the x axis, one line (or bar group) per series, each
   point's label as the table writes it. No figure is computed here. Tooltips are DOM nodes with
   classes (dashboard.css), not HTML strings with style attributes, which the site's
   Content-Security-Policy (style-src 'self') refuses. */
(function () {
  "use strict";

  var COLOURS = ["#9b1c1c", "#1d4ed8", "#0f766e", "#7c3aed", "#b45309", "#be185d", "#4d7c0f", "#0369a1",
                 "#a16207", "#6d28d9"];

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function tooltip(title, rows) {
    var box = element("div", "chart-tip");
    box.appendChild(element("div", "chart-tip-title", title));
    rows.forEach(function (row) {
      var line = element("div", "chart-tip-row");
      var marker = element("span", "chart-tip-marker");
      marker.style.backgroundColor = row.colour;  // CSSOM, which the policy allows
      line.appendChild(marker);
      line.appendChild(element("span", "chart-tip-name", row.name));
      line.appendChild(element("span", "chart-tip-value", row.label));
      box.appendChild(line);
    });
    return box;
  }

  function option(data) {
    var line = data.kind !== "bar";
    return {
      aria: { enabled: true },
      color: COLOURS,
      tooltip: {
        trigger: "axis",
        formatter: function (points) {
          return tooltip(points.length ? points[0].axisValue : "", points.map(function (point) {
            return { colour: point.color, name: point.seriesName,
                     label: data.series[point.seriesIndex].labels[point.dataIndex] };
          }));
        }
      },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 56, right: 24, top: 24, bottom: 72, containLabel: true },
      xAxis: { type: "category", data: data.categories, boundaryGap: !line,
               axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", scale: line },
      series: data.series.map(function (series, index) {
        return line
          ? { type: "line", name: series.name, data: series.data, connectNulls: false, symbolSize: 6,
              symbol: ["circle", "rect", "triangle", "diamond"][index % 4] }
          : { type: "bar", name: series.name, data: series.data, barMaxWidth: 18 };
      })
    };
  }

  function draw() {
    var source = document.getElementById("pivot-data");
    var box = document.getElementById("pivot-chart");
    if (!source || !box || !window.echarts) { return; }
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option(JSON.parse(source.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
