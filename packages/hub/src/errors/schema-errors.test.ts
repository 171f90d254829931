import Fastify from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { presentError } from './present-error.ts';
import { fieldMessages } from './schema-errors.ts';

// What presentError shows for a request that fails its route's schema, checked on the error
// Fastify itself builds (Ajv's findings), so a change in either shows here.

async function failureOf(schema: Record<string, unknown>, request: { url?: string; payload?: unknown }, formatter?: ReturnType<typeof fieldMessages>): Promise<unknown> {
  const app = Fastify({ ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });
  let caught: unknown;
  app.setErrorHandler(async (err, _request, reply) => {
    caught = err;
    return reply.status(400).send();
  });
  app.post('/r/:id', { schema, ...(formatter ? { schemaErrorFormatter: formatter } : {}) }, async () => 'ok');
  await app.inject({ method: 'POST', url: request.url ?? '/r/x', ...(request.payload === undefined ? {} : { payload: request.payload as object }) });
  await app.close();
  return caught;
}

const Body = Type.Object(
  {
    decision: Type.Optional(Type.Enum(['approve', 'deny'])),
    sid: Type.Optional(Type.String({ minLength: 1, maxLength: 4 })),
    uris: Type.Optional(Type.Array(Type.Object({ href: Type.String() }, { additionalProperties: false }))),
    count: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

describe('presentError on a route schema failure', () => {
  it.each([
    [{ decision: 'maybe' }, 'decision must be one of: approve, deny'],
    [{ sid: 42 }, 'sid must be a string'],
    [{ sid: '' }, 'sid must not be empty'],
    [{ sid: 'toolong' }, 'sid must be at most 4 characters'],
    [{ count: 0 }, 'count must be >= 1'],
    [{ count: 1.5 }, 'count must be a whole number'],
    [{ uris: [{ href: 'a' }, { href: 'b', rel: 'x' }] }, 'uris[1].rel is not accepted here'],
    [{ uris: 'a' }, 'uris must be a list'],
    [{ colour: 'blue' }, 'colour is not accepted here'],
    [[1], 'the request body must be a JSON object (or form fields)'],
    [{ [`x${'y'.repeat(80)}`]: 1 }, `x${'y'.repeat(63)}… is not accepted here`],
  ])('%j: 400 "%s"', async (payload, message) => {
    const shown = presentError(await failureOf({ body: Body }, { payload }), 'req-1');
    expect(shown).toMatchObject({ status: 400, code: 'SSOHUB_ERR_BAD_REQUEST', message, oauth: { error: 'invalid_request', error_description: message } });
  });

  it('names a missing field, a path parameter and a query parameter as such', async () => {
    const required = await failureOf({ body: Type.Object({ decision: Type.String() }) }, { payload: {} });
    expect(presentError(required, 'r').message).toBe('decision is required');
    const param = await failureOf({ params: Type.Object({ id: Type.String({ format: 'uuid' }) }) }, { payload: {} });
    expect(presentError(param, 'r').message).toBe('path parameter id must be a UUID');
    const query = await failureOf({ querystring: Type.Object({ n: Type.String({ pattern: '^[0-9]+$' }) }) }, { url: '/r/x?n=abc', payload: {} });
    expect(presentError(query, 'r').message).toBe('query parameter n is not in the expected format');
  });

  it('keeps a route\'s hand-written message for the fields it names, and words the others itself', async () => {
    const messages = fieldMessages({ 'body.sid': 'sid must be a non-empty string of at most 4 characters', body: 'send a JSON object' });
    expect(presentError(await failureOf({ body: Body }, { payload: { sid: 42 } }, messages), 'r').message).toBe('sid must be a non-empty string of at most 4 characters');
    expect(presentError(await failureOf({ body: Body }, { payload: [1] }, messages), 'r').message).toBe('send a JSON object');
    expect(presentError(await failureOf({ body: Body }, { payload: { decision: 'x' } }, messages), 'r').message).toBe('decision must be one of: approve, deny');
  });
});
