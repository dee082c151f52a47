import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

/**
 * The one shape of every API error, Mailpit's JSON error (`{"Error": "…"}`): clients read one field whatever
 * went wrong, and no internal code or stack ever leaves the process.
 */
export interface ApiErrorBody {
  Error: string;
}

/** The statuses a route refuses a request with; anything else is a bug and answered as a 500 by the handler. */
export type ClientErrorStatus = 400 | 404 | 409 | 413;

/** A refusal carrying its status, thrown from a route and answered by the API's error handler. */
export class ApiRequestError extends Error {
  constructor(
    readonly statusCode: ClientErrorStatus,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export const errorBody = (message: string): ApiErrorBody => ({ Error: message });

export const badRequest = (message: string): ApiRequestError => new ApiRequestError(400, message);
export const conflict = (message: string): ApiRequestError => new ApiRequestError(409, message);
export const tooLarge = (message: string): ApiRequestError => new ApiRequestError(413, message);

/** A 404 answered on the spot, for routes that return rather than throw. */
export function notFound(reply: FastifyReply, what = 'message'): FastifyReply {
  return reply
    .code(404)
    .type('application/json; charset=utf-8')
    .send(errorBody(`${what} not found`));
}

/** Validates with zod and turns a failure into a 400 that says what was wrong. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown): T {
  // A body of another type than JSON arrives as bytes (see ApiServer): zod would take a Buffer for an object with
  // none of the fields (or list its methods as unknown keys).
  if (Buffer.isBuffer(value))
    throw badRequest('bad request: the body must be JSON (send Content-Type: application/json)');
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  throw badRequest(`bad request: ${message}`);
}
