#!/usr/bin/env bash
# A local Kubernetes cluster running churn-predictor, end to end:
#   1. create a kind cluster (one node) that maps NodePort 30080 to 127.0.0.1:${HOST_PORT} (HTTP) and
#      30081 to 127.0.0.1:${GRPC_HOST_PORT} (gRPC; a cluster made before this mapping existed lacks it)
#   2. build the image and load it into the node (no registry involved)
#   3. install metrics-server, which the HPA needs for CPU metrics
#   4. apply deploy/kubernetes/overlays/local and wait for the rollout
#   5. smoke-test /health, /readyz and /predict through the Service
#
# Needs: docker (a running engine), kind, curl; kubectl on PATH, or the one `npm ci` ships
# (node scripts/install-kubectl.mjs). Re-running it reuses the cluster and rolls out a fresh build.
# Tear down with: kind delete cluster --name "${CLUSTER_NAME:-churn}"
#
# This script has not been run in CI (the CI machine has no Docker engine); CI only checks its syntax
# and runs shellcheck on it.
set -euo pipefail

CLUSTER_NAME="${CLUSTER_NAME:-churn}"
HOST_PORT="${HOST_PORT:-8080}"
GRPC_HOST_PORT="${GRPC_HOST_PORT:-8081}"
# Must match overlays/local/kustomization.yaml (images: newName/newTag).
IMAGE="churn-predictor:local"
METRICS_SERVER_VERSION="${METRICS_SERVER_VERSION:-v0.8.0}"
# Optional: pin the node image, e.g. kindest/node:v1.33.1 (empty: kind's default for its version).
KIND_NODE_IMAGE="${KIND_NODE_IMAGE:-}"
NAMESPACE="ml-serving"

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository_root"

log() { printf '\n==> %s\n' "$*"; }
fail() { printf 'kind-up: %s\n' "$*" >&2; exit 1; }

for tool in docker kind curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done
docker info >/dev/null 2>&1 || fail "the Docker engine is not reachable (is it running?)"

if command -v kubectl >/dev/null 2>&1; then
  KUBECTL="kubectl"
elif [[ -d node_modules ]]; then
  KUBECTL="$(node scripts/install-kubectl.mjs)"
else
  fail "kubectl not found: install it, or run npm ci so scripts/install-kubectl.mjs can extract one"
fi
kube() { "$KUBECTL" --context "kind-${CLUSTER_NAME}" "$@"; }

log "cluster ${CLUSTER_NAME}"
if kind get clusters | grep -qx "$CLUSTER_NAME"; then
  echo "reusing the existing cluster"
else
  image_flag=()
  [[ -n "$KIND_NODE_IMAGE" ]] && image_flag=(--image "$KIND_NODE_IMAGE")
  # The ${a[@]+...} form keeps an empty array from tripping `set -u` in macOS's bash 3.2.
  kind create cluster --name "$CLUSTER_NAME" ${image_flag[@]+"${image_flag[@]}"} --wait 120s --config - <<EOF
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
    extraPortMappings:
      # The local overlay's NodePort; reachable only from this machine.
      - containerPort: 30080
        hostPort: ${HOST_PORT}
        listenAddress: "127.0.0.1"
        protocol: TCP
      # The gRPC NodePort (Open Inference Protocol, grpc.health.v1).
      - containerPort: 30081
        hostPort: ${GRPC_HOST_PORT}
        listenAddress: "127.0.0.1"
        protocol: TCP
EOF
fi

log "image ${IMAGE}"
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
docker build --tag "$IMAGE" --build-arg "REVISION=${revision}" .
kind load docker-image "$IMAGE" --name "$CLUSTER_NAME"

log "metrics-server ${METRICS_SERVER_VERSION}"
kube apply -f "https://github.com/kubernetes-sigs/metrics-server/releases/download/${METRICS_SERVER_VERSION}/components.yaml"
# kind's kubelets serve self-signed certificates; add the flag once (re-runs must not repeat it).
if ! kube -n kube-system get deployment metrics-server -o jsonpath='{.spec.template.spec.containers[0].args}' \
    | grep -q -- '--kubelet-insecure-tls'; then
  kube -n kube-system patch deployment metrics-server --type=json \
    -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'
fi
kube -n kube-system rollout status deployment/metrics-server --timeout=180s

log "churn-predictor (overlays/local)"
kube apply -k deploy/kubernetes/overlays/local
# The tag stays `local` across builds, so restart to pick up the image just loaded.
kube -n "$NAMESPACE" rollout restart deployment/churn-predictor
kube -n "$NAMESPACE" rollout status deployment/churn-predictor --timeout=180s

log "smoke test through the Service (http://127.0.0.1:${HOST_PORT})"
base_url="http://127.0.0.1:${HOST_PORT}"
for attempt in $(seq 1 30); do
  if curl --fail --silent --show-error --max-time 2 "${base_url}/readyz" >/dev/null; then
    break
  fi
  [[ "$attempt" -eq 30 ]] && fail "${base_url}/readyz did not answer 200 within 60 s"
  sleep 2
done
curl --fail --silent --show-error --max-time 5 "${base_url}/health"
echo
curl --fail --silent --show-error --max-time 5 "${base_url}/predict" \
  --header 'content-type: application/json' \
  --data '{"customerID":"7590-VHVEG","gender":"Female","SeniorCitizen":0,"Partner":"Yes","Dependents":"No","tenure":1,"PhoneService":"No","MultipleLines":"No phone service","InternetService":"DSL","OnlineSecurity":"No","OnlineBackup":"Yes","DeviceProtection":"No","TechSupport":"No","StreamingTV":"No","StreamingMovies":"No","Contract":"Month-to-month","PaperlessBilling":"Yes","PaymentMethod":"Electronic check","MonthlyCharges":29.85,"TotalCharges":29.85}'
echo

log "ready"
cat <<EOF
  kubectl config use-context kind-${CLUSTER_NAME}
  kubectl -n ${NAMESPACE} get pods -l app.kubernetes.io/name=churn-predictor
  kubectl -n ${NAMESPACE} get hpa churn-predictor-hpa --watch
  curl ${base_url}/health
  # gRPC (Open Inference Protocol) on 127.0.0.1:${GRPC_HOST_PORT}: see docs/bring-your-own-model.md for client sessions
  kind delete cluster --name ${CLUSTER_NAME}     # when done
EOF
