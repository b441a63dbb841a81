// One error model (docs/protocol/conventions.md#the-error-body): every failure answers
// {"detail": ...}. Services throw AppError (or a helper below); the app's single
// onError maps everything else (see src/http/error-handler.ts).

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.name = "AppError";
  }
}

/** One FastAPI/pydantic-style validation error item. */
export interface ValidationItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

export const badRequest = (detail: unknown) => new AppError(400, detail);
export const unauthorized = (detail = "Authentication required") =>
  new AppError(401, detail, { "WWW-Authenticate": "Bearer" });
export const forbidden = (detail: string) => new AppError(403, detail);
export const notFound = (detail: string) => new AppError(404, detail);
export const conflict = (detail: unknown) => new AppError(409, detail);
export const gone = (detail: string) => new AppError(410, detail);
/** 422 with a plain string detail (what handlers raise in the reference). */
export const unprocessable = (detail: string) => new AppError(422, detail);
export const serviceUnavailable = (detail: string) => new AppError(503, detail);

/** 422 with a pydantic-shaped list, for field rules checked outside TypeBox. */
export function invalid(loc: (string | number)[], msg: string, input: unknown, type = "value_error"): AppError {
  const item: ValidationItem = { type, loc, msg, input };
  return new AppError(422, [item]);
}
