/**
 * SetupError is thrown when a real part the tests or the demo need is missing or broken. Its
 * message says what is wrong and how to fix it, so a contributor never has to read a stack trace
 * to learn that Redis is down or Chromium is not installed.
 */
export class SetupError extends Error {
  override name = 'SetupError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
