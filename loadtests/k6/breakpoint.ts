import { PROFILES } from '../profiles';
import { runFlow } from './flow-runner';
import { k6Options } from './options';
import { summaryWriter } from './summary';

/** k6 breakpoint test: `k6 run -e BASE_URL=https://api.<domain> -e TOKEN=... dist/k6/breakpoint.js`. */
export const options = k6Options(PROFILES.breakpoint);
export default function (): void {
  runFlow(PROFILES.breakpoint.maxIterations);
}
export const handleSummary = summaryWriter(PROFILES.breakpoint);
