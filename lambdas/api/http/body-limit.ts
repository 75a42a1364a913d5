/** Largest request body accepted; larger bodies get 413 before anything is parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The 413's detail, wherever the limit is enforced (the body-limit middleware, or the framework's own). */
export const BODY_TOO_LARGE_DETAIL = `the request body exceeds ${MAX_BODY_BYTES / 1024} KiB`;
