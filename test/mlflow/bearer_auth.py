"""The authorization function the tests' `mlflow server --app-name basic-auth` runs (authorization_function in its
ini file): HTTP Basic exactly as MLflow checks it, or a bearer token mapped to one user of the auth store, the way
teams plug token auth (an identity proxy's, a CI token) into MLflow. The client side of a token is
MLFLOW_TRACKING_TOKEN, which MLflow's clients send as `Authorization: Bearer <token>`.
"""
import os

from flask import request
from mlflow.server.auth import authenticate_request_basic_auth, make_basic_auth_response
from werkzeug.datastructures import Authorization


def authenticate():
    header = request.headers.get('Authorization', '')
    if header.startswith('Bearer '):
        if header[len('Bearer '):] == os.environ['CHURN_TEST_BEARER_TOKEN']:
            return Authorization('basic', {'username': os.environ['CHURN_TEST_BEARER_USER']})
        return make_basic_auth_response()
    return authenticate_request_basic_auth()
