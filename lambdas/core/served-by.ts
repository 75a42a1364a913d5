/**
 * Response header naming the cell that answered, `<zone>/<region>`: set by every cell's API (and by the
 * local edge router on its own answers), read by load generators and drills to see which cell served
 * each request. Dependency-free on purpose: the k6 scripts bundle it (through loadtests/flow.ts).
 */
export const SERVED_BY_HEADER = 'x-served-by';
