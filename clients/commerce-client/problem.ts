import * as z from 'zod';

/**
 * RFC 9457 problem details as the commerce API sends them (`application/problem+json`): a stable
 * `code`, the `correlationId`, and extension members such as `zone`/`endpoint` on a 421.
 */
export const problemSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: z.string(),
  correlationId: z.string().optional(),
  instance: z.string().optional(),
});
export type ProblemDetails = z.infer<typeof problemSchema>;

/** The 421 body: the zone that holds the customer's data and, when configured, its endpoint. */
export const misdirectedSchema = z.looseObject({
  code: z.literal('misdirected_request'),
  zone: z.string().min(1),
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
});

/**
 * Codes the API marks `transient`: the same request with the same Idempotency-Key may succeed
 * later, because the API released the key. Every other problem is the request's final answer and is
 * replayed to a retry. `not_writer` is answered by a fenced cell (not its zone's writer) to a
 * mutating request: the zone's other cell takes it. `busy` (503) means the cell is healthy but lost a
 * write to concurrent writers: the same cell is asked again after `Retry-After`.
 * A test keeps this list equal to the API's (lambdas/core/errors.ts); the client cannot import it.
 */
export const TRANSIENT_PROBLEM_CODES: ReadonlySet<string> = new Set([
  'idempotency_key_in_use',
  'conflict',
  'payment_unavailable',
  'internal_error',
  'not_writer',
  'busy',
]);

/**
 * Codes the client knows before the API's vocabulary carries them: `not_writer`, the 503 a fenced cell
 * (not its zone's current writer) will answer to a mutating request, with `Retry-After`.
 */
export const PENDING_PROBLEM_CODES: ReadonlySet<string> = new Set(['not_writer']);

/** The problem in a buffered response, or undefined when the body is not problem JSON. */
export async function readProblem(response: Response): Promise<ProblemDetails | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined;
  try {
    const parsed = problemSchema.safeParse(await response.clone().json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A final refusal, thrown by the helpers (outbox, catalog cache, catch-up) that turn an answer into
 * a value: a declined payment, a missing cart, a validation error. Retrying the same request with
 * the same key would get the same answer.
 */
export class ProblemError extends Error {
  override name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly problem: ProblemDetails | undefined,
  ) {
    super(
      problem
        ? `${status} ${problem.code}: ${problem.detail ?? problem.title ?? 'no detail'}`
        : `HTTP ${status} without problem details`,
    );
  }
}
