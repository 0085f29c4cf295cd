// Package deploy holds the container image build and, in its tests, the
// check that every compose.yaml service starts with its compose environment.
// The Kubernetes manifests are in deploy/k8s.
package deploy
