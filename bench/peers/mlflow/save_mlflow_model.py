#!/usr/bin/env python3
"""Saves the shared booster as an MLflow model folder (xgboost flavour), for `mlflow models serve`.

Usage: python save_mlflow_model.py churn-xgb.json <output folder>
The requirements are given, not inferred: inference would import and profile the model for nothing here
(the server runs with --env-manager local, in this environment).
"""
import sys

import mlflow.xgboost
import xgboost as xgb

booster = xgb.Booster(model_file=sys.argv[1])
mlflow.xgboost.save_model(booster, sys.argv[2], model_format="json", pip_requirements=[f"xgboost=={xgb.__version__}"])
print(f"mlflow {mlflow.__version__}: saved {sys.argv[1]} to {sys.argv[2]}")
