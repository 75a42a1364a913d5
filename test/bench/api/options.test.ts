import { ApiBenchArgsError, parseApiBenchArgs } from '../../../bench/api/options';

describe('API bench options', () => {
  it('defaults to the full run, and --smoke to small counts', () => {
    expect(parseApiBenchArgs([])).toMatchObject({
      smoke: false,
      runs: 3,
      reads: 400,
      checkouts: 120,
      initRuns: 20,
    });
    expect(parseApiBenchArgs(['--smoke'])).toMatchObject({ smoke: true, runs: 2, reads: 40, checkouts: 15 });
    expect(parseApiBenchArgs(['--smoke', '--runs', '5', '--concurrency', '16'])).toMatchObject({
      runs: 5,
      concurrency: 16,
    });
  });

  it('refuses a count that is not a positive integer, and an unknown flag, naming it with the usage', () => {
    expect(() => parseApiBenchArgs(['--runs', '0'])).toThrow(
      /--runs: must be a positive integer[\s\S]*usage:/,
    );
    expect(() => parseApiBenchArgs(['--reads', '2.5'])).toThrow(ApiBenchArgsError);
    expect(() => parseApiBenchArgs(['--fast'])).toThrow(/Unknown option '--fast'[\s\S]*usage:/);
  });
});
