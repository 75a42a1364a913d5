import type { APIGatewayProxyEvent, Context as LambdaContext } from 'aws-lambda';
import type { Variant } from '../support/interleave';
import { restApiEvent } from '../support/rest-api-event';
import type { ApiPath, BenchCell } from './bench-cell';

/** The bench's requests, each sendable through any of the three paths, and the raw baseline of each. */

export interface BenchRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The REST proxy event for this request, built ahead so the Lambda path times only the handler. */
  readonly event?: APIGatewayProxyEvent;
}

export interface BenchRequests {
  /** One request through one path; throws unless it answered `expected`. Returns the body. */
  call(path: ApiPath, request: BenchRequest, expected: number): Promise<string>;
  getProduct(path: ApiPath): () => Promise<void>;
  /** A fresh cart with one line (recorded as setup, not measured). */
  cartFor(path: ApiPath, key: string): Promise<string>;
  checkout(path: ApiPath, key: string, cartId: string): () => Promise<void>;
  /** The raw baseline: the commands of the next recorded request labelled `label`, replayed on the twin. */
  replayOf(label: string): Variant;
  readonly productRequest: BenchRequest;
}

export function benchRequests(cell: BenchCell): BenchRequests {
  const lambdaContext = {} as LambdaContext;
  const call = async (path: ApiPath, request: BenchRequest, expected: number): Promise<string> => {
    let status: number;
    let text: string;
    if (path === 'lambda') {
      // API Gateway builds the event; the function's work starts at the handler.
      const result = await cell.lambdaHandler(request.event ?? restApiEvent(request), lambdaContext);
      [status, text] = [result.statusCode, result.body];
    } else if (path === 'inProcess') {
      const response = await cell.app.request(request.path, {
        method: request.method,
        headers: request.headers ?? {},
        ...(request.body ? { body: request.body } : {}),
      });
      [status, text] = [response.status, await response.text()];
    } else {
      ({ status, text } = await cell.api.send(request.method, request.path, request.headers, request.body));
    }
    if (status !== expected)
      throw new Error(`${request.method} ${request.path} via ${path}: ${status} ${text}`);
    return text;
  };
  const post = async (path: ApiPath, url: string, key: string, body: unknown, expected = 201) =>
    JSON.parse(
      await call(
        path,
        {
          method: 'POST',
          path: url,
          headers: { ...cell.auth, 'idempotency-key': key },
          body: JSON.stringify(body),
        },
        expected,
      ),
    ) as { id: string };
  const productRequest = { method: 'GET', path: '/v1/products/sku-0002' };
  const productEvent = restApiEvent(productRequest);
  return {
    call,
    productRequest,
    getProduct: (path) => async () => {
      cell.recorder.nextRequest('get-product');
      await call(path, { ...productRequest, event: productEvent }, 200);
    },
    cartFor: async (path, key) => {
      cell.recorder.nextRequest('setup');
      const cart = await post(path, '/v1/carts', `bench-cart-${key}`, {});
      cell.recorder.nextRequest('setup');
      await post(
        path,
        `/v1/carts/${cart.id}/items`,
        `bench-add-${key}`,
        { productId: 'sku-0003', quantity: 1 },
        200,
      );
      return cart.id;
    },
    checkout: (path, key, cartId) => async () => {
      cell.recorder.nextRequest('checkout');
      await post(path, '/v1/checkout', `bench-checkout-${key}`, { cartId });
    },
    replayOf: (label) => {
      let replay: () => Promise<void> = async () => undefined;
      return {
        prepare: async () => {
          replay = await cell.twin.prepare(label);
        },
        run: () => replay(),
      };
    },
  };
}
