import { BarChart, FunnelChart, LineChart, PieChart, TreemapChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { createEffect, onCleanup, onMount } from "solid-js";

echarts.use([
  BarChart,
  FunnelChart,
  LineChart,
  PieChart,
  TreemapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

/** A chart's height unless given (the cockpit's skeleton draws boxes of it). */
export const CHART_HEIGHT = 260;

/**
 * One Apache ECharts chart in a box of fixed height (no layout jump while loading); follows
 * its option reactively and its box's size. `onClick` receives the clicked item's data.
 */
export function EChart(props: {
  option: ChartOption;
  height?: number;
  label: string;
  onClick?: (data: unknown) => void;
  testId?: string;
}) {
  let el!: HTMLDivElement;
  let chart: echarts.ECharts | undefined;
  onMount(() => {
    chart = echarts.init(el, undefined, { renderer: "canvas" });
    chart.on("click", (p) => props.onClick?.(p.data));
    const resize = new ResizeObserver(() => chart?.resize());
    resize.observe(el);
    onCleanup(() => {
      resize.disconnect();
      chart?.dispose();
    });
  });
  createEffect(() => {
    const option = props.option;
    chart?.setOption(option, { notMerge: true });
  });
  return (
    <div
      ref={el}
      class="chart"
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      style={{ height: `${props.height ?? CHART_HEIGHT}px` }}
    />
  );
}
