package k8s

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const root = "../.." // the module root, from this package's directory

// notServices are cmd/ binaries that are not deployed as services.
var notServices = []string{"shop", "shopctl", "docgen", "loadgen", "benchtable"}

// object is the part of a Kubernetes object the checks read.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		PodSelector *struct{} `yaml:"podSelector"`
		PolicyTypes []string  `yaml:"policyTypes"`
		Ingress     []any     `yaml:"ingress"`
		Template    struct {
			Spec struct {
				SecurityContext struct {
					RunAsNonRoot *bool `yaml:"runAsNonRoot"`
				} `yaml:"securityContext"`
				Containers []container `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
	StringData map[string]string `yaml:"stringData"`
}

type container struct {
	Name    string `yaml:"name"`
	Image   string `yaml:"image"`
	EnvFrom []struct {
		ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
		SecretRef    *struct{ Name string } `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Env []struct {
		Name string `yaml:"name"`
	} `yaml:"env"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
	} `yaml:"securityContext"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
	} `yaml:"httpGet"`
}

// readObjects decodes every document of a multi-document YAML file.
func readObjects(t *testing.T, path string) []object {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var objs []object
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if o.Kind != "" {
			objs = append(objs, o)
		}
	}
}

// cmdServices lists cmd/<name> directories that are services.
func cmdServices(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "cmd"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !slices.Contains(notServices, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

type compose struct {
	Services map[string]struct {
		Image string `yaml:"image"`
		Build struct {
			Args map[string]string `yaml:"args"`
		} `yaml:"build"`
		Healthcheck map[string]any `yaml:"healthcheck"`
	} `yaml:"services"`
}

// appServices returns the compose services built from the Dockerfile, by
// their SERVICE build argument.
func appServices(t *testing.T) (compose, []string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("compose.yaml is not valid YAML: %v", err)
	}
	var apps []string
	for name, s := range c.Services {
		if s.Build.Args["SERVICE"] != "" {
			apps = append(apps, name)
		}
	}
	sort.Strings(apps)
	return c, apps
}

func TestComposeNamesEveryService(t *testing.T) {
	t.Parallel()
	c, apps := appServices(t)
	if len(apps) == 0 {
		t.Fatal("compose.yaml builds no service")
	}
	for _, name := range cmdServices(t) {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("cmd/%s has no service in compose.yaml", name)
			continue
		}
		if got := s.Build.Args["SERVICE"]; got != name {
			t.Errorf("compose service %s builds SERVICE=%q", name, got)
		}
	}
	for _, name := range apps {
		if c.Services[name].Build.Args["SERVICE"] != name {
			t.Errorf("compose service %s builds another binary (%s)", name, c.Services[name].Build.Args["SERVICE"])
		}
		if c.Services[name].Healthcheck == nil {
			t.Errorf("compose service %s has no healthcheck", name)
		}
	}
}

// baseDeployments reads deploy/k8s/base/services/*.yaml by service name.
func baseDeployments(t *testing.T) map[string][]object {
	t.Helper()
	files, err := filepath.Glob("base/services/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no service manifests: %v", err)
	}
	out := map[string][]object{}
	for _, f := range files {
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = readObjects(t, f)
	}
	return out
}

func TestEveryComposeServiceIsDeployed(t *testing.T) {
	t.Parallel()
	_, apps := appServices(t)
	deployed := baseDeployments(t)
	for _, name := range apps {
		if _, ok := deployed[name]; !ok {
			t.Errorf("compose service %s has no deploy/k8s/base/services/%s.yaml", name, name)
		}
	}
	for name := range deployed {
		if !slices.Contains(apps, name) {
			t.Errorf("deploy/k8s/base/services/%s.yaml has no service in compose.yaml", name)
		}
	}
	kust, err := os.ReadFile("base/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name := range deployed {
		if !strings.Contains(string(kust), "services/"+name+".yaml") {
			t.Errorf("base/kustomization.yaml does not list services/%s.yaml", name)
		}
	}
}

func TestServiceManifests(t *testing.T) {
	t.Parallel()
	secrets := map[string]bool{}
	for _, o := range readObjects(t, "base/secrets.template.yaml") {
		if o.Kind != "Secret" {
			t.Errorf("secrets.template.yaml holds a %s", o.Kind)
		}
		secrets[o.Metadata.Name] = true
		for k, v := range o.StringData {
			if !strings.Contains(v, "REPLACE_ME") {
				t.Errorf("secret %s key %s is not a placeholder", o.Metadata.Name, k)
			}
		}
	}
	configMaps := generatedConfigMaps(t)
	for name, objs := range baseDeployments(t) {
		kinds := map[string]object{}
		for _, o := range objs {
			if o.Metadata.Name != name {
				t.Errorf("%s.yaml: %s named %q", name, o.Kind, o.Metadata.Name)
			}
			kinds[o.Kind] = o
		}
		for _, k := range []string{"Deployment", "Service", "PodDisruptionBudget"} {
			if _, ok := kinds[k]; !ok {
				t.Errorf("%s: no %s", name, k)
			}
		}
		d := kinds["Deployment"]
		if p := d.Spec.Template.Spec.SecurityContext.RunAsNonRoot; p == nil || !*p {
			t.Errorf("%s: pod not runAsNonRoot", name)
		}
		if len(d.Spec.Template.Spec.Containers) != 1 {
			t.Errorf("%s: %d containers, want 1", name, len(d.Spec.Template.Spec.Containers))
			continue
		}
		c := d.Spec.Template.Spec.Containers[0]
		if c.Image != "evshop/"+name {
			t.Errorf("%s: image %q, want evshop/%s (overlays set the tag)", name, c.Image, name)
		}
		if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
			t.Errorf("%s: readiness probe is not /readyz", name)
		}
		if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
			t.Errorf("%s: liveness probe is not /healthz", name)
		}
		sc := c.SecurityContext
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Errorf("%s: container must have a read-only root fs and no privilege escalation", name)
		}
		for _, r := range []string{"cpu", "memory"} {
			if c.Resources.Requests[r] == "" || c.Resources.Limits[r] == "" {
				t.Errorf("%s: no %s request/limit", name, r)
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.SecretRef != nil && !secrets[ef.SecretRef.Name] {
				t.Errorf("%s: Secret %s is not in secrets.template.yaml", name, ef.SecretRef.Name)
			}
			if ef.ConfigMapRef != nil && configMaps[ef.ConfigMapRef.Name] == nil {
				t.Errorf("%s: ConfigMap %s is not generated by base/kustomization.yaml", name, ef.ConfigMapRef.Name)
			}
		}
	}
}

// generatedConfigMaps returns the configMapGenerator entries of the base:
// name → literal keys.
func generatedConfigMaps(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile("base/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		ConfigMapGenerator []struct {
			Name     string   `yaml:"name"`
			Literals []string `yaml:"literals"`
		} `yaml:"configMapGenerator"`
	}
	if err := yaml.Unmarshal(raw, &k); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, g := range k.ConfigMapGenerator {
		for _, l := range g.Literals {
			key, _, _ := strings.Cut(l, "=")
			out[g.Name] = append(out[g.Name], key)
		}
	}
	return out
}

// TestConfigKeysExistInCode catches a misspelt or renamed environment
// variable: every key the manifests set must be a string literal somewhere
// in the Go code (the config declarations), except the OpenTelemetry SDK's
// own variables, which the SDK reads.
func TestConfigKeysExistInCode(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, ks := range generatedConfigMaps(t) {
		keys = append(keys, ks...)
	}
	for _, f := range []string{"overlays/production/kustomization.yaml", "overlays/production-esdb/kustomization.yaml"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^\s*- ([A-Z][A-Z0-9_]*)=`).FindAllStringSubmatch(string(raw), -1) {
			keys = append(keys, m[1])
		}
	}
	for _, o := range readObjects(t, "base/secrets.template.yaml") {
		for k := range o.StringData {
			keys = append(keys, k)
		}
	}
	var code strings.Builder
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "web" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			code.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	src := code.String()
	for _, k := range keys {
		if strings.HasPrefix(k, "OTEL_") || strings.HasPrefix(k, "AWS_") && k != "AWS_REGION" && k != "AWS_ENDPOINT_URL_SES" {
			continue // read by the OpenTelemetry and AWS SDKs themselves
		}
		if !declared(src, k) {
			t.Errorf("manifests set %s, which no Go code reads", k)
		}
	}
}

// declared reports whether src names the variable k as a literal, or as a
// literal prefix plus a literal suffix ("UPSTREAM_"+svc over {"AUTH", …}).
func declared(src, k string) bool {
	if strings.Contains(src, `"`+k+`"`) {
		return true
	}
	prefix, suffix, ok := strings.Cut(k, "_")
	return ok && strings.Contains(src, `"`+prefix+`_"`) && strings.Contains(src, `"`+suffix+`"`)
}

func TestNetworkPoliciesDenyByDefault(t *testing.T) {
	t.Parallel()
	var deny bool
	for _, o := range readObjects(t, "base/networkpolicies.yaml") {
		if o.Kind == "NetworkPolicy" && o.Spec.PodSelector != nil && slices.Contains(o.Spec.PolicyTypes, "Ingress") && len(o.Spec.Ingress) == 0 {
			deny = true
		}
	}
	if !deny {
		t.Fatal("no default-deny ingress NetworkPolicy")
	}
}
