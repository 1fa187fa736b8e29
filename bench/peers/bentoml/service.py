"""A BentoML service serving the shared XGBoost booster.

Started by the bench as `bentoml serve service:ChurnXGBoost` with CHURN_XGB_MODEL naming the model file.
The booster is opened from the file rather than through BentoML's model store: bentoml.xgboost.save_model
reads the `xgboost` distribution's metadata, and this environment has XGBoost's CPU-only build
(xgboost-cpu, the same library without ~700 MB of CUDA libraries). Serving is the same either way: the
service loads the booster once, at start-up.

POST /predict {"rows": [[...45 numbers, null for missing...], ...]} answers the probabilities.
"""
import os
from typing import List, Optional

import bentoml
import numpy as np
import xgboost as xgb


@bentoml.service(workers=1)
class ChurnXGBoost:
    def __init__(self) -> None:
        self.booster = xgb.Booster(params={"nthread": 1}, model_file=os.environ["CHURN_XGB_MODEL"])

    @bentoml.api
    def predict(self, rows: List[List[Optional[float]]]) -> List[float]:
        matrix = np.array(rows, dtype=np.float64)  # null -> NaN: missing
        return self.booster.predict(xgb.DMatrix(matrix, nthread=1)).tolist()
