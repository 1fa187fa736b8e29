#!/usr/bin/env python3
"""Puts the shared booster into the BentoML model store (BENTOML_HOME) as churn-xgb, as a BentoML user would.

Usage: BENTOML_HOME=... python import_model.py churn-xgb.json
"""
import sys

import bentoml
import xgboost as xgb

booster = xgb.Booster(model_file=sys.argv[1])
saved = bentoml.xgboost.save_model("churn-xgb", booster)
print(f"bentoml {bentoml.__version__}: saved {saved.tag}")
