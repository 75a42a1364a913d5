import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { latencyBucketMetric } from '../../../loadtests/engine/histogram';
import { parseTaskSummary, taskSummaryFromK6 } from '../../../loadtests/engine/task-summary';

const fixture = () =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'k6-summary-eu-central-1-task-0.json'), 'utf8')) as {
    data: { metrics: Record<string, unknown> };
  };
const labels = { region: 'eu-central-1', taskId: 'eu-central-1-0', profile: 'load' as const };

describe('task summaries', () => {
  it("reads a k6 summary file: http_reqs, http_req_failed's true samples, trend percentiles, the bucket counters", () => {
    const summary = taskSummaryFromK6(fixture(), labels, 'fixture');
    expect(summary).toMatchObject({
      generator: 'k6',
      region: 'eu-central-1',
      requests: 1200,
      failures: 6,
      iterations: 260,
      droppedIterations: 0,
      durationMs: 421_337.5,
    });
    expect(summary.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(1200);
    expect(summary.latencyMs.p95).toBeGreaterThan(0);
  });

  it('leaves the histogram out when the bucket counters do not count every request (an older script)', () => {
    const file = fixture();
    for (const name of Object.keys(file.data.metrics))
      if (name === latencyBucketMetric(0) || name.startsWith('flow_latency_le_1'))
        delete file.data.metrics[name];
    const summary = taskSummaryFromK6(file, labels, 'fixture');
    expect(summary.histogram).toBeUndefined();
    expect(summary.requests).toBe(1200);
  });

  it('says which file is not a summary and why', () => {
    expect(() => taskSummaryFromK6({ data: {} }, labels, 's3://b/k')).toThrow(
      /s3:\/\/b\/k is not a k6 summary/,
    );
    expect(() => parseTaskSummary({ schemaVersion: 1 }, 'x.json')).toThrow(
      /x.json is not a task summary \(v1\)/,
    );
  });
});
