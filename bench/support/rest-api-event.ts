import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * BENCH ONLY. The event API Gateway's REST proxy integration hands the API
 * Lambda (lib/constructs/commerce-api.ts deploys a LambdaRestApi), so the
 * bench can time the handler exactly as it runs when deployed.
 */
export function restApiEvent(request: {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}): APIGatewayProxyEvent {
  const headers = { host: 'api.bench.example', ...request.headers };
  return {
    httpMethod: request.method,
    path: request.path,
    resource: '/{proxy+}',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: request.path.slice(1) },
    stageVariables: null,
    body: request.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '111111111111',
      apiId: 'bench',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      identity: {
        sourceIp: '127.0.0.1',
        userAgent: 'api-bench',
      } as APIGatewayProxyEvent['requestContext']['identity'],
      domainName: 'api.bench.example',
      path: request.path,
      stage: 'prod',
      requestId: 'bench',
      requestTimeEpoch: 0,
      resourceId: 'bench',
      resourcePath: '/{proxy+}',
    },
  };
}
