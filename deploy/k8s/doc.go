// Package k8s holds no code: its tests check the Kubernetes manifests beside
// them (deploy/k8s/base and overlays) and compose.yaml against the code, so
// a new service, a renamed environment variable or a missing Secret fails CI
// instead of a rollout. Schema validation is scripts/check-deploy.sh's job
// (kubeconform); these tests cover what a schema cannot: cross references.
package k8s
