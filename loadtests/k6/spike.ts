import { PROFILES } from '../profiles';
import { runFlow } from './flow-runner';
import { k6Options } from './options';
import { summaryWriter } from './summary';

/** k6 spike test: `k6 run -e BASE_URL=https://api.<domain> -e TOKEN=... dist/k6/spike.js`. */
export const options = k6Options(PROFILES.spike);
export default function (): void {
  runFlow(PROFILES.spike.maxIterations);
}
export const handleSummary = summaryWriter(PROFILES.spike);
