import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../errors.ts';

/** Maps every failure to the catalogue's shape `{ error: { code, message, details } }`. Only typed errors are trusted. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => {
      const path = [err.validationContext === 'body' ? '' : `${err.validationContext}.`, (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.')].join('');
      return { field: path || err.validationContext || 'body', rule: v.message ?? 'invalid', code: (v.params as { issue?: { code?: string } })?.issue?.code ?? v.keyword };
    });
    const first = issues[0]!;
    return new AppError('request.invalid', { field: first.field, rule: first.rule, issues }, `Invalid ${first.field}: ${first.rule}`);
  }
  const fe = err as Partial<FastifyError> & { code?: string; constraint?: string };
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new AppError('request.too_large', { limit_bytes: 1024 * 1024 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new AppError('request.unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new AppError('request.malformed_json', { rule: 'the body is empty' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return new AppError('request.malformed_json');
    case '23505': return new AppError('record.conflict', { rule: 'a record with this identity already exists' });
    case '23503': return new AppError('request.invalid', { rule: `a referenced record does not exist (${fe.constraint ?? 'foreign key'})` });
    case '40001': case '40P01': return new AppError('record.conflict', { rule: 'a concurrent change won; retry' });
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) return new AppError('request.malformed_json', { rule: fe.message });
  return new AppError('internal');
}

export function errorHandler(this: unknown, err: unknown, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(err);
  if (appError.status >= 500) request.log.error({ err }, 'unhandled error');
  void reply.status(appError.status).send(appError.toBody());
}
