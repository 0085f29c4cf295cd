#!/usr/bin/env bash
# Validates the deployment files offline:
#   1. renders the Kustomize base and every overlay (kustomize, pinned);
#   2. validates every rendered object, and the Secret template, with
#      kubeconform in strict mode against the JSON schemas vendored in
#      deploy/k8s/schemas (no network: no schema is downloaded);
#   3. checks compose.yaml parses and names every service of cmd/, and that
#      the manifests' cross references hold (go test ./deploy/k8s).
# Tools are installed once with `go install` into ./.tools/bin; later runs
# only check their versions, so a run takes a few seconds. Idempotent: it
# writes nothing outside .tools/ and a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS="${EVSHOP_TOOLS:-$HOME/.cache/evshop-tools}/bin"
mkdir -p "$TOOLS"

# Versions the Go module proxy serves here and that build with this Go.
KUBECONFORM_MOD=github.com/yannh/kubeconform
KUBECONFORM_VERSION=v0.8.0
KUSTOMIZE_MOD=sigs.k8s.io/kustomize/kustomize/v5
KUSTOMIZE_VERSION=v5.7.1
SCHEMAS="$ROOT/deploy/k8s/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json"

step() { printf -- '--> %s\n' "$*"; }

# ensure_tool NAME MODULE VERSION PACKAGE: installs PACKAGE@VERSION into
# .tools/bin unless the binary there was already built from MODULE VERSION.
ensure_tool() {
	local name=$1 mod=$2 version=$3 pkg=$4
	# Capture, then match (no `| grep -q` under pipefail: SIGPIPE).
	local info
	if [ -x "$TOOLS/$name" ] && info="$(go version -m "$TOOLS/$name" 2>/dev/null)" &&
		[[ "$info" =~ (^|$'\n')[[:space:]]+mod[[:space:]]+$mod[[:space:]]+$version([[:space:]]|$) ]]; then
		return 0
	fi
	step "installing $name $version (go install, once)"
	GOBIN="$TOOLS" go install "$pkg@$version"
}

ensure_tool kubeconform "$KUBECONFORM_MOD" "$KUBECONFORM_VERSION" "$KUBECONFORM_MOD/cmd/kubeconform"

# Rendering: the pinned kustomize; if it cannot be installed, kubectl's
# built-in kustomize; failing both, the raw files are validated directly
# (the overlays' patches are partial objects, so they are then skipped).
RENDER=""
if ensure_tool kustomize "$KUSTOMIZE_MOD" "$KUSTOMIZE_VERSION" "$KUSTOMIZE_MOD"; then
	RENDER="$TOOLS/kustomize build"
elif command -v kubectl >/dev/null 2>&1; then
	echo "warning: kustomize $KUSTOMIZE_VERSION could not be installed; using kubectl kustomize" >&2
	RENDER="kubectl kustomize"
else
	echo "warning: no kustomize available; validating raw manifests without rendering" >&2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

targets=()
if [ -n "$RENDER" ]; then
	for dir in deploy/k8s/base deploy/k8s/overlays/*/; do
		dir=${dir%/}
		out="$WORK/$(echo "$dir" | tr '/' '_').yaml"
		step "rendering $dir"
		$RENDER "$dir" >"$out"
		targets+=("$out")
	done
else
	while IFS= read -r f; do targets+=("$f"); done < <(find deploy/k8s/base -name '*.yaml' ! -name kustomization.yaml ! -name secrets.template.yaml | sort)
fi
targets+=(deploy/k8s/base/secrets.template.yaml)

step "kubeconform (strict, offline, vendored schemas) on ${#targets[@]} files"
# No -ignore-missing-schemas: a kind without a vendored schema fails, so
# adding one means adding its schema (deploy/k8s/schemas/generate.go).
"$TOOLS/kubeconform" -strict -summary -schema-location "$SCHEMAS" "${targets[@]}"

step "compose.yaml, manifest cross references, dashboard metrics (go test ./deploy/...)"
go test -count=1 ./deploy/k8s/ ./deploy/grafana/

step "deployment files are valid"
