// The one error class of every entry (full, lite, edge, session, react): a load, init or
// argument error with a stable `code` (pkg/src/facts.js lists them); `message` is for people and
// may change.

export class PermslipError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = "PermslipError";
    this.code = code;
  }
}
