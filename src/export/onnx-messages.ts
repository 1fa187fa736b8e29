import protobuf from 'protobufjs';

/**
 * The part of ONNX's protobuf schema (onnx.proto, IR version 8) that the export writes, as protobufjs reflection built
 * from a JSON descriptor: no .proto file to ship, no generation step, and the protobufjs 7 the gRPC transport already
 * depends on rather than a second protobufjs inside a schema package. Field numbers, wire types and enum values are
 * ONNX's; fields we never write (sparse tensors, training info, sequence and map types, subgraphs) are left out, which
 * only narrows what this module can say, never how a reader understands it. Names are camelCase for the TypeScript
 * side; the wire carries numbers only.
 */

/** TensorProto.DataType: the element type of a tensor or of a typed value. */
export const DataType = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType for the attribute kinds written here (graph and sparse attributes are not). */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

// int64 fields take JavaScript numbers: every int64 the export writes (versions, shapes, node ids) is far below 2^53.

export type StringStringEntryProto = { key: string; value: string };

export type OperatorSetIdProto = { domain: string; version: number };

export type TensorProto = {
  name?: string;
  dataType: DataType;
  /** [] for a scalar. */
  dims: number[];
  floatData?: number[];
  int32Data?: number[];
  /** UTF-8 bytes, one entry per element. */
  stringData?: Uint8Array[];
  int64Data?: number[];
  doubleData?: number[];
  docString?: string;
};

/** One named attribute; its type says which value field carries the value (exactly one, as ONNX requires). */
export type AttributeProto = { name: string; docString?: string } & (
  | { type: typeof AttributeType.FLOAT; f: number }
  | { type: typeof AttributeType.INT; i: number }
  | { type: typeof AttributeType.STRING; s: Uint8Array }
  | { type: typeof AttributeType.TENSOR; t: TensorProto }
  | { type: typeof AttributeType.FLOATS; floats: number[] }
  | { type: typeof AttributeType.INTS; ints: number[] }
  | { type: typeof AttributeType.STRINGS; strings: Uint8Array[] }
);

export type NodeProto = {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  /** The operator set the op comes from: absent or '' for ONNX's own, 'ai.onnx.ml' for the classical ML ops. */
  domain?: string;
  attribute?: AttributeProto[];
  docString?: string;
};

/** A dimension is a fixed size or a symbolic name (such as the batch size 'N'). */
export type TensorShapeDimension = { dimValue: number } | { dimParam: string };
export type TensorShapeProto = { dim: TensorShapeDimension[] };
export type TypeProto = { tensorType: { elemType: DataType; shape?: TensorShapeProto } };
export type ValueInfoProto = { name: string; type: TypeProto; docString?: string };

export type GraphProto = {
  node: NodeProto[];
  name: string;
  initializer?: TensorProto[];
  docString?: string;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
};

export type ModelProto = {
  irVersion: number;
  opsetImport: OperatorSetIdProto[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph: GraphProto;
  metadataProps?: StringStringEntryProto[];
};

// Every repeated number field is packed (one length-delimited run instead of a tag per element). ONNX's schema is
// proto2 and asks for packing on the tensor contents only, but protobuf parsers read either encoding of any repeated
// number field, and packing makes the bundled model's export 32,422 bytes rather than 39,175 (node ids, thresholds).
// It is also what onnx-proto, which encoded our models before, wrote: exports stay byte for byte the same. The option
// is stated on each field so protobufjs's defaults never decide it.
const packed = { packed: true };

const descriptor: protobuf.INamespace = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { id: 1, type: 'int64' },
            producerName: { id: 2, type: 'string' },
            producerVersion: { id: 3, type: 'string' },
            domain: { id: 4, type: 'string' },
            modelVersion: { id: 5, type: 'int64' },
            docString: { id: 6, type: 'string' },
            graph: { id: 7, type: 'GraphProto' },
            opsetImport: { id: 8, type: 'OperatorSetIdProto', rule: 'repeated' },
            metadataProps: { id: 14, type: 'StringStringEntryProto', rule: 'repeated' },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { id: 1, type: 'string' },
            version: { id: 2, type: 'int64' },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { id: 1, type: 'string' },
            value: { id: 2, type: 'string' },
          },
        },
        GraphProto: {
          fields: {
            node: { id: 1, type: 'NodeProto', rule: 'repeated' },
            name: { id: 2, type: 'string' },
            initializer: { id: 5, type: 'TensorProto', rule: 'repeated' },
            docString: { id: 10, type: 'string' },
            input: { id: 11, type: 'ValueInfoProto', rule: 'repeated' },
            output: { id: 12, type: 'ValueInfoProto', rule: 'repeated' },
          },
        },
        NodeProto: {
          fields: {
            input: { id: 1, type: 'string', rule: 'repeated' },
            output: { id: 2, type: 'string', rule: 'repeated' },
            name: { id: 3, type: 'string' },
            opType: { id: 4, type: 'string' },
            attribute: { id: 5, type: 'AttributeProto', rule: 'repeated' },
            docString: { id: 6, type: 'string' },
            domain: { id: 7, type: 'string' },
          },
        },
        AttributeProto: {
          fields: {
            name: { id: 1, type: 'string' },
            f: { id: 2, type: 'float' },
            i: { id: 3, type: 'int64' },
            s: { id: 4, type: 'bytes' },
            t: { id: 5, type: 'TensorProto' },
            floats: { id: 7, type: 'float', rule: 'repeated', options: packed },
            ints: { id: 8, type: 'int64', rule: 'repeated', options: packed },
            strings: { id: 9, type: 'bytes', rule: 'repeated' },
            docString: { id: 13, type: 'string' },
            type: { id: 20, type: 'int32' },
          },
        },
        TensorProto: {
          fields: {
            dims: { id: 1, type: 'int64', rule: 'repeated', options: packed },
            dataType: { id: 2, type: 'int32' },
            floatData: { id: 4, type: 'float', rule: 'repeated', options: packed },
            int32Data: { id: 5, type: 'int32', rule: 'repeated', options: packed },
            stringData: { id: 6, type: 'bytes', rule: 'repeated' },
            int64Data: { id: 7, type: 'int64', rule: 'repeated', options: packed },
            name: { id: 8, type: 'string' },
            doubleData: { id: 10, type: 'double', rule: 'repeated', options: packed },
            docString: { id: 12, type: 'string' },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { id: 1, type: 'string' },
            type: { id: 2, type: 'TypeProto' },
            docString: { id: 3, type: 'string' },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: {
            tensorType: { id: 1, type: 'Tensor' },
          },
          nested: {
            Tensor: {
              fields: {
                elemType: { id: 1, type: 'int32' },
                shape: { id: 2, type: 'TensorShapeProto' },
              },
            },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { id: 1, type: 'Dimension', rule: 'repeated' },
          },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: {
                dimValue: { id: 1, type: 'int64' },
                dimParam: { id: 2, type: 'string' },
              },
            },
          },
        },
      },
    },
  },
};

const modelType = protobuf.Root.fromJSON(descriptor).resolveAll().lookupType('onnx.ModelProto');

/** The model as the bytes of an .onnx file. */
export function encodeOnnxModel(model: ModelProto): Uint8Array {
  return modelType.encode(model).finish();
}
