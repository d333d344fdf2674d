// Chart order and titles of the dashboard; ids match the canvases the webview's DashboardCharts draws on.
export const chartTitles = [
  { id: 'allocation', title: 'Rank allocation per module', hint: 'Task-specific ranks r_t from HASI, stacked with the cooperative block; hover for the spectral entropy H_t.' },
  { id: 'loss', title: 'Loss and L_SPR', hint: 'Total loss, task loss and the raw subspace-preserving regularizer over steps.' },
  { id: 'taskLoss', title: 'Loss per task', hint: 'Mean loss of each task on the batches that contained it.' },
  { id: 'anglesSteps', title: 'Subspace angles over steps', hint: 'Mean principal angle between task subspaces (A side), averaged over layers.' },
  { id: 'anglesLayers', title: 'Subspace angles per layer', hint: 'Latest mean principal angles per layer, A and B sides.' },
  { id: 'eval', title: 'Eval accuracy per task', hint: 'Accuracy on each task\'s eval split.' },
  { id: 'throughput', title: 'Throughput', hint: 'Tokens per second over steps.' },
] as const;
