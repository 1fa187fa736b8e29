// Apart from s3-download.ts, so the public types never name the AWS SDK, an optional package.
/**
 * How to reach S3. Credentials always come from the SDK's default chain: environment (with a session token),
 * web identity (IRSA), EKS pod identity, shared profiles, instance metadata.
 */
export interface S3Options {
  /** AWS_REGION (the server's configuration gives its default). */
  region: string;
  /** An S3-compatible store (AWS_ENDPOINT_URL), addressed path-style. */
  endpoint?: string;
}
