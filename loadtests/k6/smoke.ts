import { PROFILES } from '../profiles';
import { runFlow } from './flow-runner';
import { k6Options } from './options';
import { summaryWriter } from './summary';

/** k6 smoke test: `k6 run -e BASE_URL=https://api.<domain> -e TOKEN=... dist/k6/smoke.js`. */
export const options = k6Options(PROFILES.smoke);
export default function (): void {
  runFlow(PROFILES.smoke.maxIterations);
}
export const handleSummary = summaryWriter(PROFILES.smoke);
