/**
 * The ways a request reaches the data plane. Every protocol gets the same lifecycle, limits, auth, errors
 * and metrics from the serving core; each keeps its own wire shape.
 */
export const protocols = ['rest', 'v2', 'grpc', 'mlflow', 'cli'] as const;
export type Protocol = (typeof protocols)[number];
