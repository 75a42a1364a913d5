import { PROFILES } from '../profiles';
import { runFlow } from './flow-runner';
import { k6Options } from './options';
import { summaryWriter } from './summary';

/** k6 load test: `k6 run -e BASE_URL=https://api.<domain> -e TOKEN=... dist/k6/load.js`. */
export const options = k6Options(PROFILES.load);
export default function (): void {
  runFlow(PROFILES.load.maxIterations);
}
export const handleSummary = summaryWriter(PROFILES.load);
