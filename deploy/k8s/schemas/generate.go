//go:build ignore

// Command generate writes the strict, standalone JSON schemas that
// scripts/check-deploy.sh gives kubeconform, for the few Kubernetes kinds the
// manifests use. kubeconform normally downloads them, and CI has no network.
//
// The source is the Kubernetes OpenAPI definitions file (Kubernetes 1.33)
// that the kubeconform module itself ships as a test fixture, so the schemas
// come from the same Go module as the validator, fetched through the Go
// module proxy. Each kind's definition is inlined ($refs resolved) and every
// object with declared properties gets additionalProperties: false, so a
// misspelt or misplaced field fails validation (kubeconform's "strict").
//
//	go run deploy/k8s/schemas/generate.go
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

const (
	kubeconform = "github.com/yannh/kubeconform@v0.8.0"
	// The fixture's file name is kubeconform's cache key; its content is
	// checked against sourceSHA256 so an upstream change cannot slip in.
	fixture      = "fixtures/cache/6dc6142c64b944d783a3e783526114da8e747a14a11d8b32dd1f12e2d89a8330"
	sourceSHA256 = "de398e755b7113f9422571bc8923923fb78b580a0fa84f34383bf37abd3f6adf"
	outDir       = "deploy/k8s/schemas"
)

// kinds the manifests use: OpenAPI definition name → group/version/kind.
var kinds = []struct{ def, apiVersion, kind string }{
	{"io.k8s.api.core.v1.Namespace", "v1", "Namespace"},
	{"io.k8s.api.core.v1.ServiceAccount", "v1", "ServiceAccount"},
	{"io.k8s.api.core.v1.ConfigMap", "v1", "ConfigMap"},
	{"io.k8s.api.core.v1.Secret", "v1", "Secret"},
	{"io.k8s.api.core.v1.Service", "v1", "Service"},
	{"io.k8s.api.apps.v1.Deployment", "apps/v1", "Deployment"},
	{"io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler", "autoscaling/v2", "HorizontalPodAutoscaler"},
	{"io.k8s.api.policy.v1.PodDisruptionBudget", "policy/v1", "PodDisruptionBudget"},
	{"io.k8s.api.networking.v1.NetworkPolicy", "networking.k8s.io/v1", "NetworkPolicy"},
	{"io.k8s.api.networking.v1.Ingress", "networking.k8s.io/v1", "Ingress"},
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run() error {
	out, err := exec.Command("go", "mod", "download", "-json", kubeconform).Output()
	if err != nil {
		return fmt.Errorf("go mod download %s: %w", kubeconform, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return fmt.Errorf("go mod download: no module directory: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(mod.Dir, fixture))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != sourceSHA256 {
		return fmt.Errorf("%s: sha256 %s, want %s", fixture, got, sourceSHA256)
	}
	var doc struct {
		Definitions map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("definitions: %w", err)
	}
	for _, k := range kinds {
		def, ok := doc.Definitions[k.def]
		if !ok {
			return fmt.Errorf("definition %s missing", k.def)
		}
		schema, err := inline(def, doc.Definitions, map[string]bool{k.def: true})
		if err != nil {
			return fmt.Errorf("%s: %w", k.kind, err)
		}
		obj := schema.(map[string]any)
		props := obj["properties"].(map[string]any)
		// Pin the type fields, as kubeconform's published schemas do, so a
		// document of another kind can never validate against this file.
		props["apiVersion"] = map[string]any{"type": "string", "enum": []any{k.apiVersion}}
		props["kind"] = map[string]any{"type": "string", "enum": []any{k.kind}}
		obj["$schema"] = "http://json-schema.org/schema#"
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", " ")
		if err := enc.Encode(obj); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(outDir, fileName(k.apiVersion, k.kind)), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d schemas from %s/%s\n", len(kinds), kubeconform, fixture)
	return nil
}

// fileName follows kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}.json.
func fileName(apiVersion, kind string) string {
	group, version, ok := strings.Cut(apiVersion, "/")
	suffix := "-" + strings.ToLower(strings.Split(group, ".")[0])
	if ok {
		suffix += "-" + strings.ToLower(version)
	}
	return strings.ToLower(kind) + suffix + ".json"
}

// inline returns s with every $ref replaced by its (inlined) definition,
// descriptions and Kubernetes extensions dropped (they only add size), and
// additionalProperties: false on every object that declares properties.
// seen holds the definitions on the current path: a cycle is an error, since
// a standalone schema cannot express one without $ref.
func inline(s any, defs map[string]any, seen map[string]bool) (any, error) {
	switch v := s.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/definitions/")
			if seen[name] {
				return nil, fmt.Errorf("recursive definition %s", name)
			}
			def, ok := defs[name]
			if !ok {
				return nil, fmt.Errorf("unknown $ref %s", ref)
			}
			seen[name] = true
			defer delete(seen, name)
			return inline(def, defs, seen)
		}
		out := map[string]any{}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "description" || strings.HasPrefix(k, "x-kubernetes-") {
				continue
			}
			if k == "properties" {
				// Property names are data here, not keywords: keep them all,
				// even one called "description".
				props := map[string]any{}
				for name, p := range v[k].(map[string]any) {
					ip, err := inline(p, defs, seen)
					if err != nil {
						return nil, err
					}
					props[name] = ip
				}
				out[k] = props
				continue
			}
			iv, err := inline(v[k], defs, seen)
			if err != nil {
				return nil, err
			}
			out[k] = iv
		}
		if _, hasProps := out["properties"]; hasProps {
			if _, set := out["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			ie, err := inline(e, defs, seen)
			if err != nil {
				return nil, err
			}
			out[i] = ie
		}
		return out, nil
	default:
		return v, nil
	}
}
