/**
 * Largest request body the API accepts (64 KiB). One constant: the API's own
 * body limit (app.ts) and the local edge router's cap (local/edge-proxy.ts)
 * both import it, so the edge can never accept what the cell refuses or
 * refuse what the cell accepts.
 */
export const MAX_BODY_BYTES = 64 * 1024;
