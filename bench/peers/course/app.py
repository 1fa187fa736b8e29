"""The course's serving stack: FastAPI + a pickled scikit-learn Pipeline, one uvicorn worker.

Written the way the seed lesson's app is described (MODEL_PATH names churn_model.pkl; /health for the
probes; POST /predict takes one customer's fields and answers the churn probability). /predict/batch takes a
list of customers in one DataFrame: the lesson shows no batch route, so this one is added in the same style.
Run: MODEL_PATH=.../churn_model.pkl uvicorn app:app --host 127.0.0.1 --port 8000
"""
import os
from typing import List, Optional

import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel

model = joblib.load(os.environ.get("MODEL_PATH", "models/churn_model.pkl"))
app = FastAPI(title="Churn Prediction API")


class Customer(BaseModel):
    customerID: Optional[str] = None
    gender: str
    SeniorCitizen: int
    Partner: str
    Dependents: str
    tenure: int
    PhoneService: str
    MultipleLines: str
    InternetService: str
    OnlineSecurity: str
    OnlineBackup: str
    DeviceProtection: str
    TechSupport: str
    StreamingTV: str
    StreamingMovies: str
    Contract: str
    PaperlessBilling: str
    PaymentMethod: str
    MonthlyCharges: float
    TotalCharges: Optional[float] = None


class Batch(BaseModel):
    customers: List[Customer]


def frame_of(customers: List[Customer]) -> pd.DataFrame:
    frame = pd.DataFrame([c.model_dump(exclude={"customerID"}) for c in customers])
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"], errors="coerce").fillna(0.0)
    return frame


@app.get("/health")
def health():
    return {"status": "healthy", "model_loaded": model is not None}


@app.post("/predict")
def predict(customer: Customer):
    probability = float(model.predict_proba(frame_of([customer]))[0, 1])
    return {"customerID": customer.customerID, "churn_probability": probability, "churn": probability >= 0.5}


@app.post("/predict/batch")
def predict_batch(batch: Batch):
    probabilities = model.predict_proba(frame_of(batch.customers))[:, 1]
    return {"predictions": [
        {"customerID": c.customerID, "churn_probability": float(p), "churn": bool(p >= 0.5)}
        for c, p in zip(batch.customers, probabilities)
    ]}
