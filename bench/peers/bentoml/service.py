"""A BentoML service serving the shared XGBoost booster from the BentoML model store.

Started by the bench as `bentoml serve service:ChurnXGBoost` with BENTOML_HOME holding the imported model.
POST /predict {"rows": [[...45 numbers, null for missing...], ...]} answers the probabilities.
"""
from typing import List, Optional

import bentoml
import numpy as np
import xgboost as xgb


@bentoml.service(workers=1)
class ChurnXGBoost:
    model_ref = bentoml.models.BentoModel("churn-xgb:latest")

    def __init__(self) -> None:
        self.booster = bentoml.xgboost.load_model(self.model_ref)
        self.booster.set_param({"nthread": 1})

    @bentoml.api
    def predict(self, rows: List[List[Optional[float]]]) -> List[float]:
        matrix = np.array(rows, dtype=np.float64)  # null -> NaN: missing
        return self.booster.predict(xgb.DMatrix(matrix, nthread=1)).tolist()
