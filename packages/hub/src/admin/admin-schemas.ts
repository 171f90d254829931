import { type TSchema, Type } from 'typebox';

/**
 * Owns the route schemas the admin API's route files share (TypeBox, checked by Fastify before the
 * handler runs; a failure is a 400 `SSOHUB_ERR_BAD_REQUEST` naming the field, errors/schema-errors.ts).
 * The listener's Ajv neither coerces types nor removes properties (app.ts): a field of the wrong
 * type, or one the route does not know, is refused, never converted or dropped.
 */

/** `:id` of /admin/clients/:id… (the registry says whether such a client exists: 404). */
export const ClientParams = Type.Object({ id: Type.String({ minLength: 1 }) });

/**
 * The body of an action that takes none (rotate-secret, the DELETEs): nothing, or `{}`. A field
 * there is refused, so `DELETE …/sessions` with `{"sessionId": …}` does not end every session of
 * the user while the caller believed it named one.
 */
export const NoBody = orNothing(Type.Object({}, { additionalProperties: false }));

/**
 * A body that may be left out. Fastify validates a missing body as `null`; an empty JSON object
 * and no body mean the same to these routes.
 */
export function orNothing<T extends TSchema>(body: T) {
  return Type.Union([body, Type.Null()]);
}
