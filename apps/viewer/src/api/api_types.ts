// The view API's types live in @routelab/core (run/view_api.ts), shared with the server in the cli.
export type { KeyMetricValue, RunSummary, RunList, CheckpointInfo, RunDetail, MetricsPage } from '@routelab/core';
