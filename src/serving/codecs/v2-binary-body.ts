import { ChurnError } from '../../errors.js';
import type { V2Response } from './v2-tensors.js';

/**
 * The framing of the REST binary data extension (Triton's binary_tensor_data, which tritonclient.http and
 * KServe's InferenceRESTClient use by default): a JSON header of Inference-Header-Content-Length bytes, then the
 * bytes of each binary tensor, in the order of the tensors that declare a `binary_data_size`.
 */

/** The header naming the JSON part's length, in requests and responses. */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';

/** The extension's name, as servers list it in their metadata. */
export const BINARY_TENSOR_DATA_EXTENSION = 'binary_tensor_data';

/** A body's JSON header, parsed, and its binary section (a view, no copy). */
export function splitBinaryBody(body: Uint8Array, headerLength: string): { json: unknown; binary: Uint8Array } {
  const length = /^\d{1,10}$/.test(headerLength.trim()) ? Number(headerLength) : Number.NaN;
  if (!(length <= body.length)) {
    throw new ChurnError('BAD_REQUEST', `Inference-Header-Content-Length must be a byte count within the body (${body.length} bytes), got "${headerLength.slice(0, 20)}"`);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, length).toString('utf8'));
  } catch {
    throw new ChurnError('MALFORMED_JSON', `the first ${length} bytes of the body (Inference-Header-Content-Length) are not valid JSON`);
  }
  return { json, binary: body.subarray(length) };
}

/** A response with binary outputs as one body: its JSON, then each output's bytes; and the JSON's length. */
export function joinBinaryBody(response: V2Response): { headerLength: number; body: Buffer } {
  const json = Buffer.from(JSON.stringify(response.json), 'utf8');
  return { headerLength: json.length, body: Buffer.concat([json, ...response.binary]) };
}
