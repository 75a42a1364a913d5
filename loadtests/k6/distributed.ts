import { HEALTH_FLOW, SHOPPER_FLOW } from '../flow';
import { isProfileName, PROFILE_NAMES, PROFILES, scaleProfile } from '../profiles';
import { runFlow } from './flow-runner';
import { k6Options } from './options';
import { summaryWriter } from './summary';

/**
 * The script each task of the distributed engine runs (LoadGeneratorStack):
 * one bundle holding every profile, chosen by the environment, so the task
 * definition never changes with the profile. The task's share of the load
 * comes from RATE_SCALE (1/N of the arrival rate for N tasks) and
 * MAX_ITERATIONS (its share of the request bound); see loadtests/engine/plan.ts.
 *   k6 run -e PROFILE=load -e BASE_URL=https://api.<domain> -e RATE_SCALE=0.25 dist/k6/distributed.js
 */
const name = __ENV.PROFILE ?? '';
if (!isProfileName(name)) {
  throw new Error(`PROFILE must be one of ${PROFILE_NAMES.join(', ')}; got "${name}"`);
}
const scale = (variable: string): number => {
  const value = Number(__ENV[variable] ?? 1);
  if (!(value > 0 && value <= 1))
    throw new Error(`${variable} must be a number in (0, 1]; got "${__ENV[variable]}"`);
  return value;
};
const profile = scaleProfile(PROFILES[name], {
  rate: scale('RATE_SCALE'),
  duration: scale('DURATION_SCALE'),
});
const flow = __ENV.FLOW === 'health' ? HEALTH_FLOW : SHOPPER_FLOW;

export const options = k6Options(profile);
export default function (): void {
  runFlow(profile.maxIterations, flow);
}
export const handleSummary = summaryWriter(profile);
