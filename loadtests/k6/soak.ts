import { PROFILES } from '../profiles';
import { runFlow } from './flow-runner';
import { k6Options } from './options';
import { summaryWriter } from './summary';

/** k6 soak test: `k6 run -e BASE_URL=https://api.<domain> -e TOKEN=... dist/k6/soak.js`. */
export const options = k6Options(PROFILES.soak);
export default function (): void {
  runFlow(PROFILES.soak.maxIterations);
}
export const handleSummary = summaryWriter(PROFILES.soak);
