"""Reads a run that `churn-predictor train --mlflow` logged, with MLflow's own client, as the UI and other tools
would: the run, its metric history, its data set input, and the registered model through `models:/`.
Prints one JSON object. Run in the venv of test/mlflow/requirements.txt with MLFLOW_TRACKING_URI set.
"""
import argparse
import json
import os
import tempfile

import mlflow
from mlflow import MlflowClient
from mlflow.models import Model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--run-id', required=True)
    parser.add_argument('--model-uri', required=True)
    args = parser.parse_args()
    client = MlflowClient()
    run = client.get_run(args.run_id)
    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(args.model_uri, dst_path=tmp)
        model = Model.load(os.path.join(local, 'MLmodel'))
        files = sorted(os.path.relpath(os.path.join(d, f), local) for d, _, fs in os.walk(local) for f in fs)
    signature = model.signature
    print(json.dumps({
        'status': run.info.status,
        'runName': run.info.run_name,
        'experimentName': client.get_experiment(run.info.experiment_id).name,
        'params': run.data.params,
        'metrics': run.data.metrics,
        'tags': {k: v for k, v in run.data.tags.items() if k in ('data.sha256', 'mlflow.note.content', 'mlflow.source.name')},
        'history': [(m.step, m.value) for m in client.get_metric_history(args.run_id, 'validation.loss')],
        'datasets': [{'name': d.dataset.name, 'digest': d.dataset.digest, 'source_type': d.dataset.source_type,
                      'context': {t.key: t.value for t in d.tags}.get('mlflow.data.context')} for d in run.inputs.dataset_inputs],
        'flavors': sorted(model.flavors),
        'flavor': model.flavors.get('churn_predictor'),
        'inputs': [(c.name, str(c.type), c.required) for c in signature.inputs.inputs] if signature else None,
        'files': files,
    }))


if __name__ == '__main__':
    main()
