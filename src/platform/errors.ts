/**
 * The one error catalogue. Every error that leaves the server has a stable code from this table;
 * clients branch on the code, people read the message. Anything not in the catalogue is a 500.
 */
export const ERRORS = {
  'request.invalid': { status: 400, message: 'The request does not satisfy the schema.' },
  'request.malformed_json': { status: 400, message: 'The request body is not valid JSON.' },
  'request.unsupported_media_type': { status: 415, message: 'Send the body as application/json.' },
  'request.too_large': { status: 413, message: 'The request body is larger than the 1 MB limit.' },
  'route.not_found': { status: 404, message: 'No such endpoint.' },
  'auth.invalid_credentials': { status: 401, message: 'Username or password is incorrect.' },
  'auth.required': { status: 401, message: 'Authentication required: send Authorization: Bearer <token>.' },
  'auth.session_invalid': { status: 401, message: 'The session token is invalid, expired or revoked.' },
  'auth.password_change_required': { status: 403, message: 'Change the one-time password before anything else.' },
  'auth.second_factor_required': { status: 401, message: 'Enter the 6-digit code from your authenticator app.' },
  'auth.second_factor_enrolment_required': { status: 403, message: 'Set up your authenticator app before anything else.' },
  'auth.second_factor_invalid': { status: 400, message: 'The authenticator code is not valid.' },
  'auth.second_factor_already_enabled': { status: 409, message: 'A second factor is already set up for this account.' },
  'auth.csrf_failed': { status: 403, message: 'Missing or wrong X-CSRF-Token header for this session.' },
  'auth.locked': { status: 429, message: 'Too many failed logins. Try again after the number of seconds in Retry-After.' },
  'auth.password_rejected': { status: 400, message: 'The new password does not meet the password rules.' },
  'permission.denied': { status: 403, message: 'Your role or scope does not allow this action.' },
  'record.not_found': { status: 404, message: 'No such record, or it is outside your scope.' },
  'record.conflict': { status: 409, message: 'The record already exists or was changed by someone else.' },
  'reference.unknown_admin_area': { status: 400, message: 'Unknown admin area P-code for this mission.' },
  'reference.unknown_party': { status: 400, message: 'Unknown party to the conflict for this mission.' },
  'reference.unknown_mission': { status: 400, message: 'Unknown mission.' },
  'reference.unknown_country': { status: 400, message: 'Unknown country for this mission.' },
  'incident.date_invalid': { status: 400, message: 'The incident dates are inconsistent.' },
  'verification.illegal_transition': { status: 409, message: 'This verification status change is not allowed.' },
  'verification.date_invalid': { status: 400, message: 'The verification date is not allowed.' },
  'account.username_taken': { status: 409, message: 'That username is already in use.' },
  'store.locked': { status: 503, message: 'The data folder is in use by another Tutela process.' },
  'report.conflict': { status: 409, message: 'A report with this id was received before with other content; both versions are kept for review.' },
  'case.illegal_transition': { status: 409, message: 'This case step change is not allowed.' },
  'case.open_referrals': { status: 409, message: 'The case has open referrals: close or complete them first.' },
  'consent.invalid': { status: 400, message: 'This consent does not fit the child\'s age.' },
  'consent.required': { status: 409, message: 'The consent in force does not allow this use of the record.' },
  'tracing.match_unverified': { status: 409, message: 'A reunification needs a tracing match confirmed by a person.' },
  'conduct.date_invalid': { status: 400, message: 'The allegation\'s dates are inconsistent.' },
  'conduct.consent_required': { status: 400, message: 'A victim is linked to a case only with recorded consent.' },
  'attachment.too_large': { status: 413, message: 'The file is larger than attachments may be.' },
  'attachment.type_not_allowed': { status: 415, message: 'Attach photos (JPEG, PNG, WebP, HEIC) or PDF documents only.' },
  'internal': { status: 500, message: 'Internal error. It has been logged.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorDetails {
  /** Dotted path of the offending field, e.g. `violations.1.tallies.0.boys`. */
  field?: string;
  /** The rule the input broke, in words a person can act on. */
  rule?: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, details: ErrorDetails = {}, message?: string) {
    super(message ?? ERRORS[code].message);
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }

  toBody(): { error: { code: ErrorCode; message: string; details: ErrorDetails } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** Assertion helper: `ensure(cond, 'permission.denied')` narrows like an `if` would. */
export function ensure(condition: unknown, code: ErrorCode, details?: ErrorDetails, message?: string): asserts condition {
  if (!condition) throw new AppError(code, details, message);
}
