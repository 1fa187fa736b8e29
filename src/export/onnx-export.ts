import { ChurnError } from '../errors.js';
import type { LoadedModel } from '../model/artifact-loader.js';
import type { TreeEnsemble } from '../model/tree-ensemble.js';
import {
  AttributeType, DataType, encodeOnnxModel, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from './onnx-messages.js';

const ML = 'ai.onnx.ml';

function ints(name: string, values: ArrayLike<number>): AttributeProto {
  return { name, type: AttributeType.INTS, ints: Array.from(values) };
}
function strings(name: string, values: readonly string[]): AttributeProto {
  return { name, type: AttributeType.STRINGS, strings: values.map((s) => Buffer.from(s, 'utf8')) };
}
function doubleTensor(name: string, values: ArrayLike<number>, dims = [values.length]): TensorProto {
  return { name, dataType: DataType.DOUBLE, dims, doubleData: Array.from(values) };
}
function tensorAttribute(name: string, values: ArrayLike<number>): AttributeProto {
  return { name, type: AttributeType.TENSOR, t: doubleTensor('', values) };
}
export function valueInfo(name: string, elemType: DataType, dims: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

function floats(name: string, values: ArrayLike<number>): AttributeProto {
  return { name, type: AttributeType.FLOATS, floats: Array.from(values) };
}

/**
 * The trees as one ai.onnx.ml TreeEnsembleRegressor summing leaf values into the margin. For a DOUBLE input,
 * thresholds, leaf values and the base margin go in as double tensors (the `*_as_tensor` attributes), so the
 * comparisons are the native evaluator's exactly: `x < threshold` goes to the true (left) branch, NaN to the
 * default side. onnxruntime ties the threshold type to the input type, so a FLOAT input gets float attributes
 * (XGBoost's own precision).
 */
export function treeEnsembleNode(model: TreeEnsemble, input: string, output: string, inputType: 'double' | 'float' = 'double'): NodeProto {
  const real = (name: string, values: ArrayLike<number>) => (inputType === 'double' ? tensorAttribute(`${name}_as_tensor`, values) : floats(name, values));
  const { roots, feature, threshold, defaultLeft, left, right, value } = model;
  const node = { tree: [] as number[], id: [] as number[], feature: [] as number[], mode: [] as string[], value: [] as number[], yes: [] as number[], no: [] as number[], missingYes: [] as number[] };
  const leaf = { tree: [] as number[], id: [] as number[], weight: [] as number[] };
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t]!;
    const end = t + 1 < roots.length ? roots[t + 1]! : feature.length;
    for (let n = root; n < end; n++) {
      const isLeaf = feature[n]! < 0;
      node.tree.push(t);
      node.id.push(n - root);
      node.feature.push(isLeaf ? 0 : feature[n]!);
      node.mode.push(isLeaf ? 'LEAF' : 'BRANCH_LT');
      node.value.push(isLeaf ? 0 : threshold[n]!);
      node.yes.push(isLeaf ? 0 : left[n]! - root);
      node.no.push(isLeaf ? 0 : right[n]! - root);
      node.missingYes.push(!isLeaf && defaultLeft[n] === 1 ? 1 : 0);
      if (isLeaf) {
        leaf.tree.push(t);
        leaf.id.push(n - root);
        leaf.weight.push(value[n]!);
      }
    }
  }
  return {
    opType: 'TreeEnsembleRegressor', domain: ML, input: [input], output: [output], name: 'trees',
    attribute: [
      { name: 'n_targets', type: AttributeType.INT, i: 1 },
      { name: 'aggregate_function', type: AttributeType.STRING, s: Buffer.from('SUM') },
      { name: 'post_transform', type: AttributeType.STRING, s: Buffer.from('NONE') },
      real('base_values', [model.baseMargin]),
      ints('nodes_treeids', node.tree), ints('nodes_nodeids', node.id), ints('nodes_featureids', node.feature),
      strings('nodes_modes', node.mode), real('nodes_values', node.value),
      ints('nodes_truenodeids', node.yes), ints('nodes_falsenodeids', node.no),
      ints('nodes_missing_value_tracks_true', node.missingYes),
      ints('target_treeids', leaf.tree), ints('target_nodeids', leaf.id), ints('target_ids', leaf.tree.map(() => 0)),
      real('target_weights', leaf.weight),
    ],
  };
}

/**
 * The native GBDT with its preprocessing as one ONNX model: one input per feature (DOUBLE [N, 1] for numerics,
 * NaN = missing; STRING [N, 1] for categoricals, one-hot encoded in the graph in the artifact's column order),
 * outputs `probability` (FLOAT [N, 1]) and `label` (BOOL [N, 1], probability >= the model's threshold).
 */
export function exportOnnx(loaded: LoadedModel): Uint8Array {
  return encodeOnnxModel(onnxModel(loaded));
}

/** The message exportOnnx encodes (what a reader of the file should find in it). */
export function onnxModel(loaded: LoadedModel): ModelProto {
  const { manifest, model, encoder } = loaded;
  if (model.kind !== 'tree-ensemble' || manifest.link !== 'sigmoid') {
    throw new ChurnError('INVALID_ARGUMENT', `ONNX export covers gradient-boosted tree models; ${manifest.name} is "${manifest.algorithm}"`);
  }
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const inputs: ValueInfoProto[] = [];
  const columns: string[] = [];
  for (const feature of encoder.schema.features) {
    if (feature.kind === 'numeric') {
      inputs.push(valueInfo(feature.name, DataType.DOUBLE, ['N', 1]));
      columns.push(feature.name);
      continue;
    }
    inputs.push(valueInfo(feature.name, DataType.STRING, ['N', 1]));
    const width = feature.categories.length;
    const shape = `${feature.name}/shape`;
    initializers.push({ name: shape, dataType: DataType.INT64, dims: [2], int64Data: [-1, width] });
    nodes.push(
      { opType: 'OneHotEncoder', domain: ML, input: [feature.name], output: [`${feature.name}/onehot`], name: `${feature.name}/onehot`, attribute: [strings('cats_strings', feature.categories), { name: 'zeros', type: AttributeType.INT, i: 1 }] },
      { opType: 'Reshape', input: [`${feature.name}/onehot`, shape], output: [`${feature.name}/flat`], name: `${feature.name}/flat` },
      { opType: 'Cast', input: [`${feature.name}/flat`], output: [`${feature.name}/columns`], name: `${feature.name}/cast`, attribute: [{ name: 'to', type: AttributeType.INT, i: DataType.DOUBLE }] },
    );
    columns.push(`${feature.name}/columns`);
  }
  nodes.push({ opType: 'Concat', input: columns, output: ['encoded'], name: 'encode', attribute: [{ name: 'axis', type: AttributeType.INT, i: 1 }] });
  nodes.push(treeEnsembleNode(model, 'encoded', 'margin'));
  nodes.push({ opType: 'Sigmoid', input: ['margin'], output: ['probability'], name: 'link' });
  initializers.push({ name: 'threshold', dataType: DataType.FLOAT, dims: [], floatData: [manifest.threshold.value] });
  nodes.push({ opType: 'GreaterOrEqual', input: ['probability', 'threshold'], output: ['label'], name: 'decide' });
  const graph: GraphProto = {
    name: manifest.name, node: nodes, initializer: initializers, input: inputs,
    output: [valueInfo('probability', DataType.FLOAT, ['N', 1]), valueInfo('label', DataType.BOOL, ['N', 1])],
  };
  return {
    irVersion: 8, producerName: 'churn-predictor', producerVersion: manifest.version, modelVersion: 1,
    docString: `${manifest.name} ${manifest.version} exported from the native artifact`,
    opsetImport: [{ domain: '', version: 17 }, { domain: ML, version: 3 }],
    metadataProps: [{ key: 'name', value: manifest.name }, { key: 'version', value: manifest.version }],
    graph,
  };
}
