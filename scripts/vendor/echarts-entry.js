// The ECharts bundle the dashboards load: only the chart types and components they use
// (the map and its colour scale for the city's choropleth).
import * as echarts from "echarts/core";
import { BarChart, LineChart, MapChart } from "echarts/charts";
import {
  GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, AriaComponent,
  GeoComponent, VisualMapContinuousComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, MapChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent,
  TooltipComponent, AriaComponent, GeoComponent, VisualMapContinuousComponent, CanvasRenderer]);

window.echarts = echarts;
