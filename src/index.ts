/**
 * churn-predictor as a library: the public API. Everything else under src/ is internal and may change
 * between releases; import from 'churn-predictor' only.
 */

// Errors: one catalogue of stable codes, each with its HTTP and gRPC status.
export { ChurnError, errorCatalogue, isChurnError, type ErrorCode, type FieldError, type FieldReason, type GrpcStatusName } from './errors.js';

// Configuration: one spec per environment variable.
export {
  loadServerConfig, readServerVariable, redactedServerConfig, serverConfigDefaults, serverEnvironmentVariables, type LogLevel, type ServerConfig,
} from './config/server-config.js';

// Features: the schema that validates, encodes and documents a model's records.
export type { CategoricalFeature, FeatureSchema, FeatureSpec, NumericFeature } from './features/schema.js';
export { compileRecordEncoder, type RecordEncoder } from './features/record-encoder.js';
export { telcoChurnSchema } from './features/telco-schema.js';

// Models: the native artifact, and every runtime behind one interface.
export { loadModelArtifact, type LoadedModel } from './model/artifact-loader.js';
export { writeModelArtifact } from './model/artifact-writer.js';
export type { ModelManifest } from './model/artifact-manifest.js';
export type { FeatureProfile, ReferenceProfile } from './model/reference-profile.js';
export { bundledDataFile, bundledModelDirectory } from './model/bundled-model.js';
export type {
  Contributions, EncodedRows, ModelDescription, ModelFormat, ModelRuntime, ModelTask, OutputDatatype, OutputSpec, RuntimeOutput,
} from './runtimes/model-runtime.js';
export { NativeRuntime } from './runtimes/native-runtime.js';
export { openModel } from './runtimes/open-model.js';
export { openModelFrom } from './runtimes/open-model-from.js';
export type { FetchOptions } from './sources/fetch-model.js';
export type { Explanation, FeatureContribution } from './explain/explainer.js';
export { importanceOfExplained, type GlobalImportance } from './explain/global-importance.js';

// Serving: the transport-free data plane and the core every protocol shares.
export { DataPlane, type DataPlaneOptions, type InferOptions, type InferResult } from './serving/data-plane.js';
export { ServingCore, type ServingCoreOptions } from './serving/serving-core.js';
export { driftMonitorFor, openServingCore, servingSettings, type ServingSettings } from './serving/open-serving-core.js';
export type { ModelCard } from './serving/model-card.js';
export type { BatchOutcome, BatchResult, PredictOptions, RecordFailure, ScoredRecord, SinglePrediction } from './serving/predictions.js';
export type { Protocol } from './serving/protocol.js';

// Monitoring: drift against the model's reference profile, and the payload log (docs/monitoring.md).
export { DriftMonitor, type DriftSnapshot, type FeatureDrift } from './monitoring/drift-monitor.js';
export type { DriftWindowSpec } from './monitoring/sliding-window.js';
export type { PayloadLogSettings } from './payload-log/open-payload-logger.js';
export type { PayloadEntry } from './payload-log/payload-entry.js';

// The HTTP server.
export { buildApp, type AppOptions } from './server/app.js';
export { startServer, type RunningServer } from './server/start-server.js';

// Training.
export { trainModel, type TrainOptions, type TrainOutcome } from './training/train-model.js';

// Load testing and traffic profiles.
export { runLoadTest, loadTestDefaults, type LoadTestOptions } from './loadtest/load-test.js';
export type { LoadTestReport } from './loadtest/load-report.js';
export { calibrateCapacity, calibrationDefaults, type CalibrationOptions, type CalibrationResult } from './loadtest/calibration.js';
export { parseTrafficProfile } from './traffic/traffic-profile-spec.js';
export type { TrafficProfile, TrafficProfileOptions } from './traffic/traffic-profile.js';

// Autoscaling: the simulator, the planner, and the HorizontalPodAutoscaler's own algorithm.
export { loadScenario, type Scenario, type ScenarioArguments } from './autoscale/scenario/scenario.js';
export { simulate, type SimulationInput } from './autoscale/simulator/simulation.js';
export type { SimulationResult } from './autoscale/simulator/simulation-result.js';
export { planCapacity, type Plan, type PlanInput } from './autoscale/planner/capacity-planner.js';
export * as hpa from './autoscale/hpa/index.js';
