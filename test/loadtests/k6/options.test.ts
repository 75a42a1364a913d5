import { k6Options } from '../../../loadtests/k6/options';
import { PROFILES } from '../../../loadtests/profiles';

describe('k6 options from a profile', () => {
  it('uses an open arrival-rate scenario capped by the profile concurrency', () => {
    const options = k6Options(PROFILES.spike);
    const scenario = options.scenarios?.spike;
    expect(scenario).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 5, maxVUs: 400 });
    expect(scenario && 'stages' in scenario ? scenario.stages[1] : undefined).toEqual({
      duration: '10s',
      target: 100,
    });
  });

  it('turns the profile thresholds into k6 thresholds with abortOnFail', () => {
    const options = k6Options(PROFILES.breakpoint);
    expect(options.thresholds?.http_req_duration).toEqual([
      { threshold: 'p(95)<1500', abortOnFail: true, delayAbortEval: '10s' },
      { threshold: 'p(99)<2000', abortOnFail: true, delayAbortEval: '10s' },
    ]);
    expect(options.thresholds?.http_req_failed).toEqual([
      { threshold: 'rate<0.02', abortOnFail: true, delayAbortEval: '10s' },
    ]);
  });
});
