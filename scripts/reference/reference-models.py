#!/usr/bin/env python3
"""Reference scores on exactly our split, from XGBoost and scikit-learn (Debian: python3-xgboost python3-sklearn).

Usage: node dist/src/cli/main.js split --seed 42 > /tmp/split.csv
       /usr/bin/python3 scripts/reference/reference-models.py data/telco-customer-churn.csv /tmp/split.csv

For comparison only: the product is TypeScript. Encoding mirrors ours: numerics as they are (blank
TotalCharges missing), categoricals one-hot. XGBoost gets the same early-stopping protocol as our GBDT.
"""
import csv
import sys

import numpy as np
import xgboost as xgb
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]


def main(data_file: str, split_file: str) -> None:
    rows = list(csv.DictReader(open(data_file, newline="")))
    split = {int(r["row"]): r["split"] for r in csv.DictReader(open(split_file, newline=""))}
    features = [c for c in rows[0].keys() if c not in ("customerID", "Churn")]
    categories = {f: sorted({r[f] for r in rows}) for f in features if f not in NUMERIC}

    def encode(r):
        out = []
        for f in features:
            if f in NUMERIC:
                cell = r[f].strip()
                out.append(float(cell) if cell else np.nan)
            else:
                out.extend(1.0 if r[f] == c else 0.0 for c in categories[f])
        return out

    x = np.array([encode(r) for r in rows])
    y = np.array([1 if r["Churn"] == "Yes" else 0 for r in rows])
    part = np.array([split[i] for i in range(len(rows))])
    train, valid, test = (part == "train"), (part == "validation"), (part == "test")

    for depth in (2, 3, 4):
        model = xgb.XGBClassifier(n_estimators=2000, learning_rate=0.1, max_depth=depth, subsample=0.8,
                                  colsample_bytree=0.8, reg_lambda=5, min_child_weight=3,
                                  early_stopping_rounds=100, eval_metric="logloss")
        model.fit(x[train], y[train], eval_set=[(x[valid], y[valid])], verbose=False)
        auc = roc_auc_score(y[test], model.predict_proba(x[test])[:, 1])
        print(f"xgboost depth {depth}: {model.best_iteration + 1} trees, test ROC AUC {auc:.4f}")

    imputed = np.where(np.isnan(x), 0.0, x)
    missing = np.isnan(x[:, features.index("TotalCharges")]).astype(float)[:, None]
    design = np.hstack([imputed, missing])
    scaler = StandardScaler().fit(design[train])
    lr = LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(design[train]), y[train])
    auc = roc_auc_score(y[test], lr.predict_proba(scaler.transform(design[test]))[:, 1])
    print(f"scikit-learn logistic regression (C=1): test ROC AUC {auc:.4f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
