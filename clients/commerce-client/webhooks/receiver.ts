import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { CommerceEvent } from '../contract';
import type { DedupeStore } from './dedupe';
import { type EventHandler, eventEnvelopeSchema } from './event';

export interface WebhookReceiverOptions {
  /** The endpoint's `whsec_` secret, or several while you roll to a new one. */
  readonly secrets: string | readonly string[];
  readonly dedupe: DedupeStore;
  readonly handle: EventHandler;
}

/** What to answer the sender: 2xx means "handled (or already handled), do not send again". */
export interface ReceiveResult {
  readonly status: 200 | 400 | 401 | 409 | 500;
  readonly body: { readonly outcome: string; readonly id?: string; readonly detail?: string };
}

/**
 * The receiving side of the API's webhooks (Standard Webhooks v1), for micro apps.
 *
 * 1. Verify the signature over the raw body (the `standardwebhooks` package: HMAC-SHA256 of
 *    `id.timestamp.body`, timestamps within 5 minutes), before parsing anything: 401 otherwise.
 * 2. Claim the `webhook-id` in the dedupe store, BEFORE any side effect: an id already handled
 *    answers 200 without calling the handler again; one being handled answers 409 (the sender
 *    retries later).
 * 3. Call the handler; on success mark the id done (200), on failure release it (500, the sender
 *    retries and the next delivery runs the handler again).
 */
export class WebhookReceiver {
  private readonly verifiers: Webhook[];

  constructor(private readonly options: WebhookReceiverOptions) {
    const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets;
    if (secrets.length === 0) throw new Error('WebhookReceiver needs the endpoint secret (whsec_...)');
    this.verifiers = secrets.map((secret) => {
      if (!secret.startsWith('whsec_')) {
        throw new Error(
          'a webhook secret starts with whsec_: pass the secret the API returned when the endpoint was created',
        );
      }
      try {
        return new Webhook(secret);
      } catch (error) {
        throw new Error(`the webhook secret is not whsec_ + base64 (${(error as Error).message})`);
      }
    });
  }

  /** Framework-neutral: give the raw body exactly as received and the request headers. */
  async receive(input: {
    readonly body: string;
    readonly headers: Headers | Readonly<Record<string, string | string[] | undefined>>;
  }): Promise<ReceiveResult> {
    const headers = plainHeaders(input.headers);
    if (!this.verify(input.body, headers)) return { status: 401, body: { outcome: 'invalid_signature' } };
    const id = headers['webhook-id']!;
    const envelope = eventEnvelopeSchema.safeParse(parseJson(input.body));
    if (!envelope.success) return { status: 400, body: { outcome: 'invalid_event', id } };

    const claim = await this.options.dedupe.claim(id);
    if (claim === 'done') return { status: 200, body: { outcome: 'duplicate', id } };
    if (claim === 'busy') return { status: 409, body: { outcome: 'in_progress', id } };
    try {
      await this.options.handle(envelope.data as unknown as CommerceEvent, { via: 'webhook' });
    } catch (error) {
      await this.options.dedupe.release(id);
      return {
        status: 500,
        body: {
          outcome: 'handler_failed',
          id,
          detail: error instanceof Error ? error.message : String(error),
        },
      };
    }
    await this.options.dedupe.complete(id);
    return { status: 200, body: { outcome: 'handled', id } };
  }

  /** For fetch-style servers (Hono, Next.js route handlers, Deno, Bun, Cloudflare Workers). */
  async handleRequest(request: Request): Promise<Response> {
    const result = await this.receive({ body: await request.text(), headers: request.headers });
    return Response.json(result.body, { status: result.status });
  }

  private verify(body: string, headers: Record<string, string>): boolean {
    for (const verifier of this.verifiers) {
      try {
        verifier.verify(body, headers, { jsonParse: false });
        return true;
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
      }
    }
    return false;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function plainHeaders(
  headers: Headers | Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const plain: Record<string, string> = {};
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, name) => {
      plain[name.toLowerCase()] = value;
    });
    return plain;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (value !== undefined) plain[name.toLowerCase()] = Array.isArray(value) ? value.join(' ') : value;
  }
  return plain;
}
