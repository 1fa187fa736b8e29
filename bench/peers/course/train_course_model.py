#!/usr/bin/env python3
"""The course's model, trained as a course would: a scikit-learn Pipeline pickled to churn_model.pkl.

The seed lesson ("Kubernetes for ML: Basics") serves `/app/models/churn_model.pkl` from a FastAPI app with a
/health endpoint, and does not show the training code; this is the common form of that lesson's model:
pandas reads the CSV, TotalCharges is coerced to a number (blank -> 0), categoricals one-hot encoded,
numerics scaled, a RandomForestClassifier (100 trees), joblib.dump. It is not the XGBoost model the other
peers serve: the bench table says so beside the course's row.

Usage: python train_course_model.py <telco-customer-churn.csv> <check-rows.json> <output folder>
Writes churn_model.pkl and course-check.json (scikit-learn's own probabilities for the check rows).
"""
import json
import sys
from pathlib import Path

import joblib
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"], errors="coerce").fillna(0.0)
    return frame


def main(data_file: str, check_file: str, out_dir: str) -> None:
    data = prepare(pd.read_csv(data_file))
    y = (data.pop("Churn") == "Yes").astype(int)
    x = data.drop(columns=["customerID"])
    categorical = [c for c in x.columns if c not in NUMERIC]
    pipeline = Pipeline([
        ("prepare", ColumnTransformer([
            ("numeric", StandardScaler(), NUMERIC),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ])),
        ("model", RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=1)),
    ])
    pipeline.fit(x, y)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, out / "churn_model.pkl")
    records = [row["record"] for row in json.loads(Path(check_file).read_text())["rows"]]
    frame = prepare(pd.DataFrame(records)).drop(columns=["customerID"])
    probability = pipeline.predict_proba(frame)[:, 1]
    (out / "course-check.json").write_text(json.dumps({"probabilities": probability.tolist()}) + "\n")
    print(f"course model: RandomForest(100) in a scikit-learn Pipeline, {len(records)} check rows scored")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: train_course_model.py <data.csv> <check-rows.json> <output folder>")
    main(sys.argv[1], sys.argv[2], sys.argv[3])
