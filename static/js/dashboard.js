/* Draws the dashboard charts from the page's embedded JSON (#dashboard-data), built by the server:
   no figure is computed here. A click on a bar opens the drill-down URL given with it.
   Tooltips are DOM nodes with classes (dashboard.css), not ECharts' HTML strings: those carry style
   attributes, which the site's Content-Security-Policy (style-src 'self') refuses. */
(function () {
  "use strict";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // One tooltip: a title, then a row per item with its series marker, name and label.
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

  var COLOURS = { met: "#1e7b34", near: "#c27c0e", missed: "#b42318", "": "#5b7083" };
  var LINE_COLOURS = ["#9b1c1c", "#1d4ed8", "#0f766e", "#7c3aed", "#b45309"];

  function trendOption(trend) {
    return {
      aria: { enabled: true },
      color: LINE_COLOURS,
      tooltip: {
        trigger: "axis",
        formatter: function (points) {
          return tooltip(points.length ? points[0].axisValue : "", points.map(function (point) {
            return { colour: point.color, name: point.seriesName,
                     label: trend.series[point.seriesIndex].labels[point.dataIndex] };
          }));
        }
      },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 48, right: 56, top: 36, bottom: 64 },
      xAxis: { type: "category", data: trend.periods, boundaryGap: false },
      yAxis: [
        { type: "value", name: trend.axes[0], min: 0, max: 100, nameTextStyle: { align: "left" } },
        { type: "value", name: trend.axes[1], min: 0, splitLine: { show: false }, nameTextStyle: { align: "right" } }
      ],
      series: trend.series.map(function (series, index) {
        return {
          type: "line", name: series.name, yAxisIndex: series.axis, data: series.data, connectNulls: false,
          symbol: ["circle", "rect", "triangle", "diamond", "pin"][index % 5], symbolSize: 7,
          lineStyle: { type: series.axis ? "dashed" : "solid", width: 2 }
        };
      })
    };
  }

  function barOption(bars) {
    var series = {
      type: "bar",
      name: bars.indicator,
      barMaxWidth: 22,
      cursor: "pointer",
      data: bars.items.map(function (item) {
        return { value: item.value, itemStyle: { color: COLOURS[item.attainment] || COLOURS[""] } };
      }),
      label: {
        show: true, position: "right", fontSize: 11,
        formatter: function (params) { return bars.items[params.dataIndex].label; }
      }
    };
    if (bars.target !== null) {
      series.markLine = {
        symbol: "none", silent: true, lineStyle: { color: "#1f2933", type: "dashed" },
        // The category axis runs top-down (inverse), so "start" puts the label above the first bar.
        label: { formatter: bars.target_label, position: "start", fontSize: 11 },
        data: [{ xAxis: bars.target }]
      };
    }
    return {
      aria: { enabled: true },
      tooltip: {
        trigger: "item",
        formatter: function (params) {
          var item = bars.items[params.dataIndex];
          return tooltip(item.name, [{ colour: params.color, name: bars.indicator, label: item.label }]);
        }
      },
      grid: { left: 8, right: 96, top: 28, bottom: 24, containLabel: true },
      xAxis: { type: "value", min: 0 },
      yAxis: { type: "category", inverse: true, data: bars.items.map(function (item) { return item.name; }),
               axisLabel: { interval: 0, fontSize: 12 } },
      series: [series]
    };
  }

  // The city's choropleth: colours run from worst to best on the server's fixed scale; regions without a
  // value (金门县) keep the neutral colour; a click opens the unit's page.
  function mapOption(map) {
    var colours = ["#b42318", "#f0b429", "#1e7b34"];
    return {
      aria: { enabled: true },
      tooltip: {
        trigger: "item",
        formatter: function (params) {
          var item = map.regions[params.dataIndex];
          return item ? tooltip(item.name, [{ colour: params.color || "#d9dde3", name: map.indicator, label: item.label }]) : "";
        }
      },
      visualMap: {
        type: "continuous", min: map.min, max: map.max, calculable: false, orient: "horizontal", left: "center",
        bottom: 0, itemHeight: 160, text: map.higher_is_better ? [map.scale_labels[1], map.scale_labels[0]] : [map.scale_labels[0], map.scale_labels[1]],
        inRange: { color: map.higher_is_better ? colours : colours.slice().reverse() }
      },
      series: [{
        type: "map", map: map.map, roam: false, cursor: "pointer", top: 8, bottom: 48,
        label: { show: true, fontSize: 10, color: "#1f2933" },
        itemStyle: { areaColor: "#d9dde3", borderColor: "#ffffff", borderWidth: 1 },
        emphasis: { label: { color: "#000000" }, itemStyle: { borderColor: "#1f2933", borderWidth: 1.5 } },
        select: { disabled: true },
        data: map.regions.map(function (item) { return { name: item.name, value: item.value === null ? NaN : item.value }; })
      }]
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    // Draw `option` in the box; a click on an item with a URL (items[dataIndex].url) opens it.
    function chart(box, option, items) {
      var drawn = window.echarts.init(box, null, { renderer: "canvas" });
      drawn.setOption(option);
      if (items) {
        drawn.on("click", function (params) {
          var item = items[params.dataIndex];
          if (item && item.url) { window.location.href = item.url; }
        });
      }
      charts.push(drawn);
    }
    var trendBox = document.getElementById("trend-chart");
    if (trendBox && data.trend) { chart(trendBox, trendOption(data.trend)); }
    var barBox = document.getElementById("bar-chart");
    if (barBox && data.bars) {
      // Room for every name: long lists (a street's communities) grow the chart instead of squeezing it.
      barBox.style.height = Math.max(340, data.bars.items.length * 24 + 60) + "px";
      chart(barBox, barOption(data.bars), data.bars.items);
    }
    var mapBox = document.getElementById("map-chart");
    if (mapBox && data.map && window.echarts.getMap(data.map.map)) {
      chart(mapBox, mapOption(data.map), data.map.regions);
    }
    function resize() { charts.forEach(function (chart) { chart.resize(); }); }
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
