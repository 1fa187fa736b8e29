#!/usr/bin/env python3
"""Saves the shared booster as an MLflow model folder (xgboost flavour), for `mlflow models serve`.

Usage: python save_mlflow_model.py churn-xgb.json churn-xgb.manifest.json <output folder>

With a signature naming the model's 45 inputs as doubles, as MLflow's documentation asks for: the scoring
server then casts each column of a request to its type. Without one, a column that is all null in a request
(a missing TotalCharges sent alone) arrives as pandas' object dtype, which XGBoost refuses (400).
The requirements are given, not inferred: inference would import and profile the model for nothing here
(the server runs with --env-manager local, in this environment).
"""
import json
import sys

import mlflow.xgboost
import xgboost as xgb
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, Schema

model_file, manifest_file, out = sys.argv[1:4]
inputs = json.load(open(manifest_file))["inputs"]
booster = xgb.Booster(model_file=model_file)
signature = ModelSignature(inputs=Schema([ColSpec("double", name) for name in inputs]), outputs=Schema([ColSpec("double")]))
mlflow.xgboost.save_model(booster, out, model_format="json", signature=signature, pip_requirements=[f"xgboost=={xgb.__version__}"])
print(f"mlflow {mlflow.__version__}: saved {model_file} to {out}")
