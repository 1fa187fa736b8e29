"""Logs and registers the models the MLflow tests load, with MLflow's own Python client, against a live server.

Run by test/mlflow/mlflow.test.ts inside the venv .ci/run builds from test/mlflow/requirements.txt:
    python log_fixtures.py --mode registry --data data/telco-customer-churn.csv --exported-onnx churn.onnx --out out.json
    python log_fixtures.py --mode auth --data data/telco-customer-churn.csv --out out.json
MLFLOW_TRACKING_URI (and, for the auth server, MLFLOW_TRACKING_USERNAME/PASSWORD) come from the environment.
Writes out.json: what was registered, and the libraries' own predictions for a few records, so the TypeScript
side checks its scores against XGBoost and NumPy rather than against itself.
"""
import argparse
import json
import os
import tempfile

import mlflow
import numpy as np
import onnx
import pandas as pd
import xgboost as xgb
from mlflow import MlflowClient
from mlflow.models import infer_signature
from onnx import TensorProto, helper

# No usage reports to the internet from a test run.
os.environ.setdefault('MLFLOW_DISABLE_TELEMETRY', 'true')
os.environ.setdefault('DO_NOT_TRACK', 'true')

# Explicit requirements: MLflow would otherwise load each model in a subprocess to infer them (slow, and
# for ONNX it needs onnxruntime, which the tests do not install).
PIP = ['mlflow']
FEATURES = ['tenure', 'SeniorCitizen', 'MonthlyCharges', 'TotalCharges']


def telco(path):
    frame = pd.read_csv(path)
    x = pd.DataFrame({
        'tenure': frame['tenure'].astype('int64'),
        'SeniorCitizen': frame['SeniorCitizen'].astype('int64'),
        'MonthlyCharges': frame['MonthlyCharges'].astype('float64'),
        # Blank for new customers: missing, as the CSV has it.
        'TotalCharges': pd.to_numeric(frame['TotalCharges'], errors='coerce').astype('float64'),
    })
    y = (frame['Churn'] == 'Yes').astype(int).to_numpy()
    return x, y


def records(x):
    return [{k: (None if isinstance(v, float) and np.isnan(v) else (int(v) if k in ('tenure', 'SeniorCitizen') else float(v))) for k, v in row.items()}
            for row in x.to_dict(orient='records')]


def sample(x, booster):
    """Rows worth checking: ordinary ones, missing TotalCharges, extremes, and values exactly on split thresholds."""
    rows = [x.iloc[i].to_dict() for i in range(8)]
    rows += [x[x['TotalCharges'].isna()].iloc[0].to_dict()]
    rows += [{'tenure': 0, 'SeniorCitizen': 1, 'MonthlyCharges': 118.75, 'TotalCharges': 0.0},
             {'tenure': 72, 'SeniorCitizen': 0, 'MonthlyCharges': 18.25, 'TotalCharges': 8684.8}]
    splits = booster.trees_to_dataframe()
    for _, split in splits[splits['Feature'].isin(['MonthlyCharges', 'TotalCharges'])].head(4).iterrows():
        row = dict(rows[0])
        row[split['Feature']] = float(np.float32(split['Split']))
        rows.append(row)
    return pd.DataFrame(rows, columns=FEATURES).astype({'tenure': 'int64', 'SeniorCitizen': 'int64'})


def train(x, y, rounds):
    d = xgb.DMatrix(x, label=y, missing=np.nan)
    return xgb.train({'objective': 'binary:logistic', 'max_depth': 3, 'eta': 0.3, 'seed': 7}, d, num_boost_round=rounds)


def xgb_predictions(booster, frame):
    return booster.predict(xgb.DMatrix(frame, missing=np.nan)).tolist()


def log_xgb(booster, x, registered, model_format='json'):
    with mlflow.start_run() as run:
        info = mlflow.xgboost.log_model(booster, name='model', registered_model_name=registered, model_format=model_format,
                                        signature=infer_signature(x.head(20)), pip_requirements=PIP)
    return {'runId': run.info.run_id, 'modelId': info.model_id, 'artifactUri': info.artifact_path, 'version': str(info.registered_model_version)}


def logistic_onnx(weights, bias):
    """A logistic regression over one float [N, 4] input, built with the ONNX library (no converter needed)."""
    graph = helper.make_graph(
        [helper.make_node('MatMul', ['input', 'W'], ['z0']), helper.make_node('Add', ['z0', 'b'], ['z']),
         helper.make_node('Sigmoid', ['z'], ['probability'])],
        'churn_logistic',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', 4])],
        [helper.make_tensor_value_info('probability', TensorProto.FLOAT, ['N', 1])],
        [helper.make_tensor('W', TensorProto.FLOAT, [4, 1], weights), helper.make_tensor('b', TensorProto.FLOAT, [1], [bias])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def registry(args, client):
    x, y = telco(args.data)
    out = {'features': FEATURES}
    v1 = train(x, y, 12)
    v2 = train(x, y, 30)
    probe = sample(x, v1)
    out['records'] = records(probe)
    out['xgb'] = {'1': log_xgb(v1, x, 'churn-xgb'), '2': log_xgb(v2, x, 'churn-xgb')}
    out['xgbPredictions'] = {'1': xgb_predictions(v1, probe), '2': xgb_predictions(v2, probe)}
    client.set_registered_model_alias('churn-xgb', 'champion', '1')
    client.set_registered_model_alias('churn-xgb', 'challenger', '2')

    # MLflow's default format for XGBoost: served once the UBJSON runtime is built in.
    out['ubj'] = log_xgb(v1, x, 'churn-xgb-ubj', model_format='ubj')

    # MLflow 2's layout: a model folder saved locally and logged as plain run artifacts (runs:/<run>/<path>).
    with tempfile.TemporaryDirectory() as tmp, mlflow.start_run() as run:
        mlflow.xgboost.save_model(v1, os.path.join(tmp, 'xgb-model'), model_format='json', signature=infer_signature(x.head(20)), pip_requirements=PIP)
        mlflow.log_artifacts(os.path.join(tmp, 'xgb-model'), 'xgb-model')
        out['runArtifacts'] = {'runId': run.info.run_id, 'path': 'xgb-model'}

    # ONNX with one [N, 4] matrix input: the column signature names its inputs by position.
    weights, bias = [-0.035, 0.45, 0.021, -0.00012], -0.9
    onnx_model = logistic_onnx(weights, bias)
    with mlflow.start_run() as run:
        info = mlflow.onnx.log_model(onnx_model, name='model', registered_model_name='churn-onnx',
                                     signature=infer_signature(x.astype('float32').head(20)), pip_requirements=PIP)
    out['onnx'] = {'runId': run.info.run_id, 'version': str(info.registered_model_version)}
    import onnxruntime
    session = onnxruntime.InferenceSession(onnx_model.SerializeToString(), providers=['CPUExecutionProvider'])
    matrix = probe.fillna(0).to_numpy(dtype=np.float32)
    out['onnxPredictions'] = session.run(['probability'], {'input': matrix})[0][:, 0].astype(np.float64).tolist()
    out['onnxRecords'] = records(probe.fillna(0))

    # Our own exported ONNX (one input per feature, string categoricals), logged as any ONNX model.
    with mlflow.start_run():
        info = mlflow.onnx.log_model(onnx.load(args.exported_onnx), name='model', registered_model_name='churn-exported-onnx', pip_requirements=PIP)
    out['exportedOnnx'] = {'version': str(info.registered_model_version)}

    # LightGBM: served once the LightGBM runtime is built in.
    try:
        import lightgbm as lgb
        booster = lgb.train({'objective': 'binary', 'num_leaves': 7, 'verbose': -1, 'seed': 7}, lgb.Dataset(x, label=y), num_boost_round=10)
        with mlflow.start_run():
            info = mlflow.lightgbm.log_model(booster, name='model', registered_model_name='churn-lightgbm',
                                             signature=infer_signature(x.head(20)), pip_requirements=PIP)
        out['lightgbm'] = {'version': str(info.registered_model_version)}
        out['lightgbmPredictions'] = booster.predict(probe).tolist()
    except ImportError:
        out['lightgbm'] = None

    # A pyfunc model: loading it unpickles a Python object.
    class Constant(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return np.full(len(model_input), 0.5)

    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(name='model', python_model=Constant(), registered_model_name='churn-pyfunc', pip_requirements=PIP)
    out['pyfunc'] = {'version': str(info.registered_model_version)}

    # A model folder whose MLmodel is not valid YAML, registered from run artifacts.
    with tempfile.TemporaryDirectory() as tmp, mlflow.start_run() as run:
        folder = os.path.join(tmp, 'model')
        os.makedirs(folder)
        with open(os.path.join(folder, 'MLmodel'), 'w') as f:
            f.write('flavors:\n  xgboost: {data: model.json\n  model_format: [json\n')
        with open(os.path.join(folder, 'model.json'), 'w') as f:
            f.write('{}')
        mlflow.log_artifacts(folder, 'model')
        corrupt_run = run.info.run_id
    mlflow.register_model(f'runs:/{corrupt_run}/model', 'churn-corrupt')

    # A version whose files the artifact store then loses (the test deletes them).
    out['missing'] = log_xgb(v1, x, 'churn-missing')

    # A multi-class and a regression booster on the same inputs, for the scoring protocol's comparison with
    # `mlflow models serve` (what predictions holds depends on the task).
    contract = pd.read_csv(args.data)['Contract'].map({'Month-to-month': 0, 'One year': 1, 'Two year': 2}).to_numpy()
    multi = xgb.train({'objective': 'multi:softprob', 'num_class': 3, 'max_depth': 3, 'seed': 7}, xgb.DMatrix(x, label=contract, missing=np.nan), num_boost_round=8)
    out['multiclass'] = log_xgb(multi, x, 'churn-xgb-multi')
    features = x.drop(columns=['MonthlyCharges'])
    regression = xgb.train({'objective': 'reg:squarederror', 'max_depth': 3, 'seed': 7}, xgb.DMatrix(features, label=x['MonthlyCharges'], missing=np.nan), num_boost_round=10)
    out['regression'] = log_xgb(regression, features, 'churn-xgb-reg')

    # A model whose alias a server follows (MODEL_REFRESH_SECONDS): versions 1 and 2 are churn-xgb's logged models,
    # version 3 the one whose files the store loses (a release that cannot load).
    for logged in (out['xgb']['1'], out['xgb']['2'], out['missing']):
        mlflow.register_model(f"models:/{logged['modelId']}", 'churn-follow')
    client.set_registered_model_alias('churn-follow', 'live', '1')

    # A version kept in S3 (an s3:// source; the test puts the files into s3rver).
    client.create_registered_model('churn-s3')
    s3_version = client.create_model_version('churn-s3', source=args.s3_source, run_id=out['xgb']['1']['runId'])
    out['s3'] = {'version': s3_version.version, 'source': args.s3_source}
    return out


def auth(args, client):
    x, y = telco(args.data)
    v1 = train(x, y, 12)
    out = {'xgb': log_xgb(v1, x, 'churn-xgb')}
    client.set_registered_model_alias('churn-xgb', 'champion', '1')
    probe = sample(x, v1)
    out['records'] = records(probe)
    out['xgbPredictions'] = xgb_predictions(v1, probe)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mode', choices=['registry', 'auth'], required=True)
    parser.add_argument('--data', required=True)
    parser.add_argument('--exported-onnx')
    parser.add_argument('--s3-source', default='s3://mlflow-models/churn-xgb/1')
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    client = MlflowClient()
    out = registry(args, client) if args.mode == 'registry' else auth(args, client)
    out['mlflowVersion'] = mlflow.__version__
    out['xgboostVersion'] = xgb.__version__
    with open(args.out, 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
