/**
 * The one error the OTLP decoders throw: the request body is not a valid OTLP export. The
 * receiver answers it with 400, the status OTLP/HTTP reserves for data that will never decode,
 * so an exporter does not retry it.
 */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}
