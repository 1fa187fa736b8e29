"""The Open Inference Protocol's real clients against a running churn-predictor.

tritonclient (http and grpc) and KServe's SDK (InferenceRESTClient, InferenceGRPCClient) ask a started server for
readiness, metadata and inference (FP32/FP64/INT64/BYTES inputs, JSON and binary encodings, raw gRPC contents,
batches), and provoke every error class (wrong shape, wrong datatype, unknown model, missing key). Every answer is
compared with what the server's own data plane answers for the same records (the node test computes those and
passes them in a cases file). One JSON line per check goes to stdout: {"client", "check", "ok", "detail"}.

    python conformance.py cases.json <client>     (tritonclient.http, tritonclient.grpc, kserve.rest, kserve.grpc)

One client per process: tritonclient.grpc and KServe register the same protobuf names (package inference), which
one process's descriptor pool cannot hold twice.
"""
import asyncio
import importlib
import json
import sys
import traceback

import numpy as np

CASES = json.load(open(sys.argv[1], encoding="utf-8"))
SERVER = CASES["server"]
NUMERIC = CASES["numeric"]
AUTH = f"Bearer {SERVER['key']}"


def auth_headers():
    """A fresh dict per call: tritonclient.http and KServe's REST client write Inference-Header-Content-Length into
    the dict they are given, and a stale one would frame the next (JSON) request wrongly."""
    return {"Authorization": AUTH}
NUMPY = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32, "BYTES": np.object_}


def report(client, check, ok, detail=""):
    print(json.dumps({"client": client, "check": check, "ok": bool(ok), "detail": detail}), flush=True)


def run(client, check, body):
    """Runs one check; an exception or a failed assertion fails it with the reason."""
    try:
        result = body()
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        report(client, check, True, "" if result is None else str(result))
    except Exception:  # noqa: BLE001 - every failure is reported, with its traceback
        report(client, check, False, traceback.format_exc(limit=4))


def shape_of(column):
    return column.get("shape", [len(column["values"])])


def column_array(column):
    """A column as the numpy array a user would hold (missing floats as NaN, BYTES as Python strings)."""
    values = [np.nan if v is None else v for v in column["values"]]
    return np.array(values, dtype=NUMPY[column["datatype"]]).reshape(shape_of(column))


def same_outputs(got, expected, what):
    """Outputs by name, compared exactly with the data plane's (probabilities bit for bit, labels as 0/1)."""
    for name, values in expected.items():
        array = np.asarray(got(name))
        assert array is not None, f"{what}: no output {name}"
        actual = array.astype(np.float64).reshape(-1).tolist()
        assert actual == [float(v) for v in values], f"{what}: output {name} differs: {actual[:4]} vs {values[:4]}"


def assert_status(error_status, expected, what):
    assert str(error_status) == str(expected), f"{what}: status {error_status}, expected {expected}"


# ---------------------------------------------------------------- tritonclient.http


def triton_http_checks():
    triton_http = importlib.import_module("tritonclient.http")
    client = triton_http.InferenceServerClient(url=SERVER["http"].removeprefix("http://"))
    numeric_client = triton_http.InferenceServerClient(url=NUMERIC["http"].removeprefix("http://"))
    name = "tritonclient.http"

    def readiness():
        assert client.is_server_live() and client.is_server_ready()
        assert client.is_model_ready(SERVER["model"], headers=auth_headers())
        assert client.is_model_ready(SERVER["model"], SERVER["version"], headers=auth_headers())
        assert not client.is_model_ready("no-such-model", headers=auth_headers())

    def metadata():
        server = client.get_server_metadata()
        assert server["name"] == CASES["metadata"]["server"]["name"], server
        assert "binary_tensor_data" in server["extensions"], server
        model = client.get_model_metadata(SERVER["model"], headers=auth_headers())
        assert model == CASES["metadata"]["model"], model

    def infer(batch, binary_inputs, binary_outputs):
        def body():
            inputs = []
            for column in batch["columns"]:
                tensor = triton_http.InferInput(column["name"], [len(column["values"])], column["datatype"])
                tensor.set_data_from_numpy(column_array(column), binary_data=binary_inputs)
                inputs.append(tensor)
            outputs = [triton_http.InferRequestedOutput(o, binary_data=binary_outputs) for o in batch["expected"]]
            result = client.infer(SERVER["model"], inputs, outputs=outputs, headers=auth_headers(), request_id="triton-http")
            assert result.get_response()["id"] == "triton-http"
            same_outputs(result.as_numpy, batch["expected"], batch["name"])
        return body

    def default_outputs():
        # No requested outputs: tritonclient asks for every output as binary data (binary_data_output).
        batch = CASES["batches"][0]
        inputs = []
        for column in batch["columns"]:
            tensor = triton_http.InferInput(column["name"], [len(column["values"])], column["datatype"])
            tensor.set_data_from_numpy(column_array(column))
            inputs.append(tensor)
        result = client.infer(SERVER["model"], inputs, headers=auth_headers())
        assert all("binary_data_size" in o["parameters"] for o in result.get_response()["outputs"])
        same_outputs(result.as_numpy, batch["expected"], batch["name"])

    def numeric_matrix():
        matrix = np.array(NUMERIC["rows"], dtype=np.float32)
        tensor = triton_http.InferInput("input__0", list(matrix.shape), "FP32")
        tensor.set_data_from_numpy(matrix)
        result = numeric_client.infer(NUMERIC["model"], [tensor])
        same_outputs(result.as_numpy, NUMERIC["expected"], "FP32 matrix")
        return f"{matrix.shape[0]} rows"

    run(name, "liveness and readiness", readiness)
    run(name, "server and model metadata", metadata)
    for batch in CASES["batches"]:
        run(name, f"infer {batch['name']} batch, binary inputs and outputs", infer(batch, True, True))
        # tritonclient writes a missing float as the literal NaN, which is not JSON: its JSON mode gets complete rows.
        if not batch["missingValues"]:
            run(name, f"infer {batch['name']} batch, JSON inputs and outputs", infer(batch, False, False))
    run(name, "infer with the default (all outputs binary)", default_outputs)
    run(name, "infer a 1,000-row FP32 [N, F] binary tensor", numeric_matrix)
    for error in CASES["errors"]:
        run(name, f"error: {error['name']}", lambda error=error: triton_error(error, "http"))


def triton_error(error, protocol):
    from tritonclient.utils import InferenceServerException

    module = importlib.import_module(f"tritonclient.{protocol}")
    url = SERVER[protocol].removeprefix("http://")
    client = module.InferenceServerClient(url=url)
    inputs = []
    for column in error["columns"]:
        tensor = module.InferInput(column["name"], shape_of(column), column["datatype"])
        if protocol == "http":
            tensor.set_data_from_numpy(column_array(column), binary_data=False)
        else:
            tensor.set_data_from_numpy(column_array(column))
        inputs.append(tensor)
    headers = {} if error["name"] == "missing key" else (auth_headers() if protocol == "http" else {"authorization": AUTH})
    try:
        client.infer(error["model"], inputs, headers=headers)
    except InferenceServerException as failure:
        expected = error["http"] if protocol == "http" else error["grpc"]
        want = str(expected["status"]) if protocol == "http" else f"StatusCode.{expected['code']}"
        assert_status(failure.status(), want, error["name"])
        assert expected["message"] in failure.message(), f"{failure.message()!r} lacks {expected['message']!r}"
        return failure.message()
    raise AssertionError(f"{error['name']}: the server accepted it")


# ---------------------------------------------------------------- tritonclient.grpc


def triton_grpc_checks():
    import grpc
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    triton_grpc = importlib.import_module("tritonclient.grpc")
    client = triton_grpc.InferenceServerClient(url=SERVER["grpc"])
    numeric_client = triton_grpc.InferenceServerClient(url=NUMERIC["grpc"])
    headers = {"authorization": AUTH}
    name = "tritonclient.grpc"

    def readiness():
        assert client.is_server_live() and client.is_server_ready()
        assert client.is_model_ready(SERVER["model"], headers=headers)
        assert client.is_model_ready(SERVER["model"], SERVER["version"], headers=headers)

    def metadata():
        server = client.get_server_metadata(as_json=True)
        assert server["name"] == CASES["metadata"]["server"]["name"], server
        model = client.get_model_metadata(SERVER["model"], headers=headers, as_json=True)
        expected = CASES["metadata"]["model"]
        assert model["name"] == expected["name"] and model["platform"] == expected["platform"], model
        for key in ("inputs", "outputs"):
            got = [{"name": t["name"], "datatype": t["datatype"], "shape": [int(d) for d in t["shape"]]} for t in model[key]]
            assert got == expected[key], (key, got)

    def infer(batch):
        def body():
            inputs = []
            for column in batch["columns"]:
                tensor = triton_grpc.InferInput(column["name"], [len(column["values"])], column["datatype"])
                tensor.set_data_from_numpy(column_array(column))
                inputs.append(tensor)
            result = client.infer(SERVER["model"], inputs, headers=headers, request_id="triton-grpc")
            assert result.get_response().id == "triton-grpc"
            same_outputs(result.as_numpy, batch["expected"], batch["name"])
        return body

    def numeric_matrix():
        matrix = np.array(NUMERIC["rows"], dtype=np.float32)
        tensor = triton_grpc.InferInput("input__0", list(matrix.shape), "FP32")
        tensor.set_data_from_numpy(matrix)
        result = numeric_client.infer(NUMERIC["model"], [tensor])
        same_outputs(result.as_numpy, NUMERIC["expected"], "FP32 matrix")

    def error_details():
        # grpcio-status decodes the standard details: the catalogue code and every invalid field.
        channel = grpc.insecure_channel(SERVER["grpc"])
        stub = triton_grpc.service_pb2_grpc.GRPCInferenceServiceStub(channel)
        request = triton_grpc.service_pb2.ModelInferRequest(model_name=SERVER["model"])
        tensor = request.inputs.add(name="tenure", datatype="FP64", shape=[1])
        tensor.contents.fp64_contents.append(-3.0)
        try:
            stub.ModelInfer(request, metadata=[("authorization", AUTH)])
        except grpc.RpcError as failure:
            status = rpc_status.from_call(failure)
            assert status is not None and status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], status
            reasons, fields = [], []
            for detail in status.details:
                if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    reasons.append(info.reason)
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    detail.Unpack(bad)
                    fields += [v.field for v in bad.field_violations]
            assert reasons == ["INVALID_RECORD"], reasons
            assert "/0/tenure" in fields, fields
            return f"{reasons[0]}: {len(fields)} field violation(s)"
        finally:
            channel.close()
        raise AssertionError("the invalid record was accepted")

    run(name, "liveness and readiness", readiness)
    run(name, "server and model metadata", metadata)
    for batch in CASES["batches"]:
        run(name, f"infer {batch['name']} batch, raw contents", infer(batch))
    run(name, "infer a 1,000-row FP32 [N, F] raw tensor", numeric_matrix)
    def health():
        # grpcio-health-checking: the gRPC project's own stubs for grpc.health.v1, as gRPC probes call it. It needs
        # no API key: probes carry none.
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        channel = grpc.insecure_channel(SERVER["grpc"])
        try:
            stub = health_pb2_grpc.HealthStub(channel)
            serving = health_pb2.HealthCheckResponse.SERVING
            for service in ["", "inference.GRPCInferenceService", "liveness"]:
                answer = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
                assert answer.status == serving, (service, answer)
            try:
                stub.Check(health_pb2.HealthCheckRequest(service="nothing.Here"), timeout=10)
                raise AssertionError("an unknown service was answered")
            except grpc.RpcError as failure:
                assert failure.code() == grpc.StatusCode.NOT_FOUND, failure.code()
            watched = stub.Watch(health_pb2.HealthCheckRequest(service="nothing.Here"), timeout=10)
            assert next(watched).status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN
            watched.cancel()
            watched = stub.Watch(health_pb2.HealthCheckRequest(service="liveness"), timeout=10)
            assert next(watched).status == serving
            watched.cancel()
            return "Check of 4 services, Watch of 2"
        finally:
            channel.close()

    run(name, "error details decoded by grpcio-status", error_details)
    run(name, "grpc.health.v1 Check and Watch by grpcio-health-checking", health)
    for error in CASES["errors"]:
        run(name, f"error: {error['name']}", lambda error=error: triton_error(error, "grpc"))


# ---------------------------------------------------------------- KServe's SDK


def kserve_request(columns, model, binary, request_id, outputs=None):
    """A KServe request: numpy data (raw bytes over gRPC), binary data (REST), or plain lists (JSON, typed contents)."""
    from kserve import InferInput, InferRequest

    inputs = []
    for column in columns:
        array = column_array(column)
        if binary == "numpy":
            inputs.append(InferInput(column["name"], shape_of(column), column["datatype"], data=array))
        elif binary:
            tensor = InferInput(column["name"], shape_of(column), column["datatype"])
            tensor.set_data_from_numpy(array, binary_data=True)
            inputs.append(tensor)
        else:
            # NaN for a missing float: orjson writes it as null, gRPC carries it as is.
            inputs.append(InferInput(column["name"], shape_of(column), column["datatype"], data=array.reshape(-1).tolist()))
    return InferRequest(model_name=model, infer_inputs=inputs, request_id=request_id, request_outputs=outputs)


def kserve_outputs(response):
    by_name = {o.name: o for o in response.outputs}
    return lambda name: by_name[name].as_numpy()


def kserve_rest_checks():
    import httpx
    from kserve import InferenceRESTClient, RESTConfig
    from kserve.protocol.infer_type import RequestedOutput

    name = "kserve.InferenceRESTClient"

    async def readiness():
        async with InferenceRESTClient(RESTConfig(protocol="v2")) as client:
            assert await client.is_server_live(SERVER["http"])
            assert await client.is_server_ready(SERVER["http"])
            assert await client.is_model_ready(SERVER["http"], SERVER["model"], headers=auth_headers())

    def infer(batch, binary, binary_outputs=False):
        async def body():
            outputs = [RequestedOutput(o, {"binary_data": True}) for o in batch["expected"]] if binary_outputs else None
            async with InferenceRESTClient(RESTConfig(protocol="v2")) as client:
                response = await client.infer(SERVER["http"], kserve_request(batch["columns"], SERVER["model"], binary, "kserve-rest", outputs), model_name=SERVER["model"], headers=auth_headers())
            same_outputs(kserve_outputs(response), batch["expected"], batch["name"])
        return body

    async def error(case):
        async with InferenceRESTClient(RESTConfig(protocol="v2")) as client:
            try:
                await client.infer(SERVER["http"], kserve_request(case["columns"], case["model"], False, "kserve-error"), model_name=case["model"],
                                   headers={} if case["name"] == "missing key" else auth_headers())
            except httpx.HTTPStatusError as failure:
                assert_status(failure.response.status_code, case["http"]["status"], case["name"])
                assert case["http"]["message"] in failure.response.json()["error"], failure.response.text
                return failure.response.json()["error"]
        raise AssertionError(f"{case['name']}: the server accepted it")

    run(name, "liveness and readiness", readiness)
    for batch in CASES["batches"]:
        run(name, f"infer {batch['name']} batch, JSON", infer(batch, False))
        run(name, f"infer {batch['name']} batch, binary inputs and outputs", infer(batch, True, True))
    for case in CASES["errors"]:
        run(name, f"error: {case['name']}", lambda case=case: error(case))


def kserve_grpc_checks():
    import grpc
    from kserve import InferenceGRPCClient

    name = "kserve.InferenceGRPCClient"
    headers = [("authorization", AUTH)]

    async def readiness():
        async with InferenceGRPCClient(SERVER["grpc"], retries=0) as client:
            assert await client.is_server_live()
            assert await client.is_server_ready()
            assert await client.is_model_ready(SERVER["model"], headers=headers)

    def infer(batch, raw):
        async def body():
            async with InferenceGRPCClient(SERVER["grpc"], retries=0) as client:
                response = await client.infer(kserve_request(batch["columns"], SERVER["model"], "numpy" if raw else False, "kserve-grpc"), headers=headers)
            assert response.id == "kserve-grpc"
            same_outputs(kserve_outputs(response), batch["expected"], batch["name"])
        return body

    async def numeric_matrix():
        column = {"name": "input__0", "datatype": "FP32", "values": [v for row in NUMERIC["rows"] for v in row], "shape": [len(NUMERIC["rows"]), len(NUMERIC["rows"][0])]}
        request = kserve_request([column], NUMERIC["model"], False, "kserve-matrix")
        request.inputs[0].set_data_from_numpy(np.array(NUMERIC["rows"], dtype=np.float32), binary_data=True)
        async with InferenceGRPCClient(NUMERIC["grpc"], retries=0) as client:
            response = await client.infer(request)
        same_outputs(kserve_outputs(response), NUMERIC["expected"], "FP32 matrix")

    async def error(case):
        async with InferenceGRPCClient(SERVER["grpc"], retries=0) as client:
            try:
                await client.infer(kserve_request(case["columns"], case["model"], "numpy", "kserve-error"), headers=None if case["name"] == "missing key" else headers)
            except grpc.RpcError as failure:
                assert_status(failure.code().name, case["grpc"]["code"], case["name"])
                assert case["grpc"]["message"] in failure.details(), failure.details()
                return failure.details()
        raise AssertionError(f"{case['name']}: the server accepted it")

    run(name, "liveness and readiness", readiness)
    for batch in CASES["batches"]:
        run(name, f"infer {batch['name']} batch, typed contents", infer(batch, False))
        run(name, f"infer {batch['name']} batch, raw contents", infer(batch, True))
    run(name, "infer a 1,000-row FP32 [N, F] raw tensor", numeric_matrix)
    for case in CASES["errors"]:
        run(name, f"error: {case['name']}", lambda case=case: error(case))


SECTIONS = {
    "tritonclient.http": triton_http_checks,
    "tritonclient.grpc": triton_grpc_checks,
    "kserve.rest": kserve_rest_checks,
    "kserve.grpc": kserve_grpc_checks,
}

try:
    SECTIONS[sys.argv[2]]()
except Exception:  # noqa: BLE001 - a client that cannot even start is one failed check
    report(sys.argv[2], "set-up", False, traceback.format_exc(limit=4))
