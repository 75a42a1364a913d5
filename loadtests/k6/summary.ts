import type { LoadProfile } from '../profiles';

/**
 * handleSummary: the full k6 summary as JSON next to the run (for the drill
 * report and CI artifacts) and a short verdict on stdout.
 */
export function summaryWriter(profile: LoadProfile) {
  return (data: {
    metrics: Record<
      string,
      { values?: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
    >;
  }): Record<string, string> => {
    const failed = Object.entries(data.metrics).flatMap(([metric, m]) =>
      Object.entries(m.thresholds ?? {})
        .filter(([, t]) => !t.ok)
        .map(([expression]) => `${metric} ${expression}`),
    );
    const outDir = (__ENV.SUMMARY_DIR ?? '.').replace(/\/$/, '');
    const duration = data.metrics.http_req_duration?.values ?? {};
    const lines = [
      `profile ${profile.name}: ${failed.length === 0 ? 'PASS' : 'FAIL'}`,
      `  requests ${data.metrics.http_reqs?.values?.count ?? 0}, error rate ${data.metrics.http_req_failed?.values?.rate ?? 0}`,
      `  p95 ${duration['p(95)'] ?? 'n/a'} ms, p99 ${duration['p(99)'] ?? 'n/a'} ms`,
      ...failed.map((f) => `  threshold failed: ${f}`),
    ];
    return {
      [`${outDir}/k6-summary-${profile.name}.json`]: JSON.stringify({ profile, failed, data }, null, 2),
      stdout: `${lines.join('\n')}\n`,
    };
  };
}
