import { PROFILES } from '../profiles';
import { runFlow } from './flow-runner';
import { k6Options } from './options';
import { summaryWriter } from './summary';

/** k6 stress test: `k6 run -e BASE_URL=https://api.<domain> -e TOKEN=... dist/k6/stress.js`. */
export const options = k6Options(PROFILES.stress);
export default function (): void {
  runFlow(PROFILES.stress.maxIterations);
}
export const handleSummary = summaryWriter(PROFILES.stress);
