"""Reads an .onnx file with the `onnx` package, ONNX's own implementation of the format, the way a user's tooling
would: onnx.checker with full_check (every node against its operator's schema in the imported opsets, then type and
shape inference over the graph), then the whole model in protobuf's JSON mapping (json_format.MessageToDict), for
the test to compare field by field with the message the exporter meant to write.
Prints one JSON object; a model the checker rejects exits non-zero with the checker's reason on stderr.
Run in the venv of test/mlflow/requirements.txt, which pins onnx.
"""
import json
import sys

import onnx
from google.protobuf.json_format import MessageToDict


def main():
    model = onnx.load(sys.argv[1])
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as error:
        print(f'onnx.checker rejected {sys.argv[1]}: {error}', file=sys.stderr)
        sys.exit(2)
    print(json.dumps({'onnxVersion': onnx.__version__, 'model': MessageToDict(model)}))


if __name__ == '__main__':
    main()
