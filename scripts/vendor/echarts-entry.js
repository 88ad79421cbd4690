// The ECharts bundle the dashboards load: only the chart types and components they use.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import {
  GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, AriaComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent,
  TooltipComponent, AriaComponent, CanvasRenderer]);

window.echarts = echarts;
