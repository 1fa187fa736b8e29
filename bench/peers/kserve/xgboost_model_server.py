#!/usr/bin/env python3
"""KServe's Python model server serving an XGBoost booster, loaded the way KServe's xgbserver loads one.

xgbserver is not published on PyPI, so this is its equivalent on the `kserve` package: a kserve.Model whose
load() opens the model file as an xgboost.Booster (nthread 1: one core) and whose predict() turns the request's
input into a DMatrix and answers the booster's predictions, in the protocol of the request (V1 or V2).

Usage: python xgboost_model_server.py --model_file churn-xgb.json --model_name churn-xgb --http_port 8080
"""
import argparse

import xgboost as xgb
from kserve import Model, ModelServer, model_server
from kserve.utils.utils import get_predict_input, get_predict_response


class XGBoostBoosterModel(Model):
    def __init__(self, name: str, model_file: str, nthread: int = 1):
        super().__init__(name)
        self.model_file = model_file
        self.nthread = nthread
        self._booster = None

    def load(self) -> bool:
        self._booster = xgb.Booster(params={"nthread": self.nthread}, model_file=self.model_file)
        self.ready = True
        return self.ready

    def predict(self, payload, headers=None):
        instances = get_predict_input(payload)
        result = self._booster.predict(xgb.DMatrix(instances, nthread=self.nthread))
        return get_predict_response(payload, result, self.name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[model_server.parser])
    parser.add_argument("--model_file", required=True, help="Booster.save_model file (.json, .ubj or .bst)")
    args, _ = parser.parse_known_args()
    model = XGBoostBoosterModel(args.model_name, args.model_file)
    model.load()
    ModelServer(http_port=args.http_port, workers=1, enable_grpc=False).start([model])
