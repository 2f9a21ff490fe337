// GET /openapi.json: written from the route table (routes.ts), the schemas
// Fastify validates and serializes with, so the two cannot disagree.

import { ROUTES, type RouteSpec } from './routes.js';

const REASONS: Record<number, string> = {
  200: 'OK', 400: 'Bad request (not JSON, wrong shape)', 401: 'No or wrong API key', 403: 'The key may not post to this flow',
  404: 'No such flow or lead', 409: 'The lead was received before', 413: 'Body too large', 415: 'Not JSON',
  422: 'The lead fails the lead schema (each field named)', 429: 'Rate limited', 500: 'The sale failed (the lead is kept and resumed)', 503: 'No plan loaded yet, or the inbox could not write the lead (not taken: send it again)',
};

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of Object.values(ROUTES) as RouteSpec[]) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = route.schema.params as { properties?: Record<string, object> } | undefined;
    const responses: Record<string, unknown> = {};
    for (const [code, schema] of Object.entries(route.schema.response)) {
      responses[code] = { description: REASONS[Number(code)] ?? String(code), content: { 'application/json': { schema } } };
    }
    if (route.produces) responses['200'] = { description: 'OK', content: { [route.produces]: { schema: { type: 'string' } } } };
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      summary: route.summary,
      ...(params?.properties ? { parameters: Object.keys(params.properties).map((name) => ({ name, in: 'path', required: true, schema: params.properties![name] })) } : {}),
      ...(route.schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.schema.body } } } } : {}),
      ...(route.keyed ? { security: [{ apiKey: [] }] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'leadroute serve', version, description: 'Post leads, answer pings, follow a lead; the API of `leadroute serve`.' },
    components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    paths,
  };
}
