#!/usr/bin/env python3
"""Trains the XGBoost model every peer in `npm run bench:peers` serves, with the real XGBoost library.

Usage (the bench does this in its own virtual environment, pinned by requirements.txt beside this file):
    python bench/peers/model/train_xgboost.py data/telco-customer-churn.csv bench/peers/model

Writes, into the output folder:
- churn-xgb.json: Booster.save_model JSON, without feature names (a DMatrix made from a bare array, as KServe's
  xgbserver and MLServer make one, is refused by a booster that has names); the manifest names the inputs;
- churn-xgb.manifest.json: the sidecar manifest churn-predictor reads (name, version, inputs, threshold);
- check-rows.json: the rows every peer's answers are checked against: raw records, the encoded vector the
  model reads, and XGBoost's own probability for each.

Encoding, chosen so that every server can serve the model as it is (ours serves XGBoost JSON models with numeric
inputs): numeric columns as they are (a blank TotalCharges is missing, NaN), each categorical one-hot as one
numeric column per category, named "<column>=<category>". Deterministic: fixed seed, one thread.
"""
import csv
import json
import math
import random
import sys
from pathlib import Path

import numpy as np
import xgboost as xgb

NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]
SEED = 42
PARAMS = {
    "objective": "binary:logistic",
    "eval_metric": "logloss",
    "learning_rate": 0.1,
    "max_depth": 3,
    "min_child_weight": 3,
    "reg_lambda": 5,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "tree_method": "hist",
    "seed": SEED,
    "nthread": 1,
}


def number(cell: str) -> float:
    cell = cell.strip()
    return float(cell) if cell else math.nan


def main(data_file: str, out_dir: str) -> None:
    rows = list(csv.DictReader(open(data_file, newline="")))
    features = [c for c in rows[0].keys() if c not in ("customerID", "Churn")]
    categories = {f: sorted({r[f] for r in rows}) for f in features if f not in NUMERIC}
    inputs = []
    for f in features:
        inputs.extend([f] if f in NUMERIC else [f"{f}={c}" for c in categories[f]])

    def encode(record: dict) -> list:
        out = []
        for f in features:
            if f in NUMERIC:
                value = record[f]
                out.append(value if isinstance(value, float) else number(str(value)))
            else:
                out.extend(1.0 if record[f] == c else 0.0 for c in categories[f])
        return out

    x = np.array([encode(r) for r in rows], dtype=np.float64)
    y = np.array([1 if r["Churn"] == "Yes" else 0 for r in rows])
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    cut = int(0.8 * len(order))
    train, valid = np.array(sorted(order[:cut])), np.array(sorted(order[cut:]))

    # Rounds chosen by early stopping on the held-out fifth, then a model of exactly that many rounds, so the
    # saved file holds only the trees XGBoost itself predicts with (a server cannot know a best_iteration).
    dtrain = xgb.DMatrix(x[train], label=y[train])
    dvalid = xgb.DMatrix(x[valid], label=y[valid])
    probe = xgb.train(PARAMS, dtrain, num_boost_round=2000, evals=[(dvalid, "valid")], early_stopping_rounds=100, verbose_eval=False)
    rounds = probe.best_iteration + 1
    booster = xgb.train(PARAMS, dtrain, num_boost_round=rounds)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out / "churn-xgb.json"))
    manifest = {"name": "churn-xgb", "version": "1", "inputs": inputs, "threshold": 0.5}
    (out / "churn-xgb.manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    # Check rows: the first rows of the file, every row with a missing TotalCharges, and copies of the first row
    # with a numeric exactly on one of the model's split thresholds (float32, as XGBoost compares).
    picked = list(range(40)) + [i for i, r in enumerate(rows) if not r["TotalCharges"].strip()]
    records = [{k: v for k, v in rows[i].items() if k != "Churn"} for i in picked]
    for record in records:
        for f in NUMERIC:
            record[f] = number(record[f])
    thresholds = {}
    for tree in json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]:
        for feature, condition, left in zip(tree["split_indices"], tree["split_conditions"], tree["left_children"]):
            name = inputs[feature]
            if left != -1 and name in ("tenure", "MonthlyCharges", "TotalCharges"):
                thresholds.setdefault(name, set()).add(condition)
    for name in ("tenure", "MonthlyCharges", "TotalCharges"):
        for k, condition in enumerate(sorted(thresholds.get(name, ()))[:4]):
            record = dict(records[0], customerID=f"split-{name}-{k}")
            record[name] = float(np.float32(condition))
            records.append(record)
    matrix = np.array([encode(r) for r in records], dtype=np.float64)
    probability = booster.predict(xgb.DMatrix(matrix))
    auc = roc_auc(y[valid], booster.predict(dvalid))
    check = {
        "xgboostVersion": xgb.__version__,
        "rounds": rounds,
        "validationAuc": auc,
        "inputs": inputs,
        "rows": [
            {"record": {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()},
             "features": [None if math.isnan(v) else v for v in vector.tolist()],
             "probability": float(p)}
            for r, vector, p in zip(records, matrix, probability)
        ],
    }
    (out / "check-rows.json").write_text(json.dumps(check) + "\n")
    print(f"xgboost {xgb.__version__}: {rounds} rounds, depth {PARAMS['max_depth']}, {len(inputs)} inputs, "
          f"validation ROC AUC {auc:.4f}; {len(records)} check rows")


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Mann-Whitney U over ranks (ties averaged): no scikit-learn needed in this environment."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    positives = labels == 1
    n_pos, n_neg = positives.sum(), (~positives).sum()
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: train_xgboost.py <telco-customer-churn.csv> <output folder>")
    main(sys.argv[1], sys.argv[2])
