/**
 * Largest request body accepted; larger bodies get 413 before anything is parsed. One constant: the
 * API's body limit (app.ts) and the local edge router's cap (local/edge-proxy.ts) both import it, so
 * the edge can never accept what the cell refuses or refuse what the cell accepts.
 */
export const MAX_BODY_BYTES = 64 * 1024;

/** The 413's detail, wherever the limit is enforced (the body-limit middleware, or the framework's own). */
export const BODY_TOO_LARGE_DETAIL = `the request body exceeds ${MAX_BODY_BYTES / 1024} KiB`;
