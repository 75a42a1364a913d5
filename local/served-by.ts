/**
 * Response header the edge router adds: the cell that answered, `<zone>/<region>`.
 * Dependency-free on purpose: the k6 scripts bundle it (through loadtests/flow.ts).
 */
export const SERVED_BY_HEADER = 'x-served-by';
