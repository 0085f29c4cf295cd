package k8s

import (
	"encoding/hex"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/wiring/settings"
)

// rendered is one object of `kustomize build`, the parts the checks read.
type rendered struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Name    string `yaml:"name"`
					Image   string `yaml:"image"`
					EnvFrom []struct {
						ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
						SecretRef    *struct{ Name string } `yaml:"secretRef"`
					} `yaml:"envFrom"`
					Env []struct {
						Name      string         `yaml:"name"`
						Value     string         `yaml:"value"`
						ValueFrom map[string]any `yaml:"valueFrom"`
					} `yaml:"env"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// render builds a kustomization with the kustomize library (what
// `kubectl kustomize` runs), so patches, generators and image overrides
// apply exactly as in a real deployment.
func render(t *testing.T, dir string) []rendered {
	t.Helper()
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var out []rendered
	for _, r := range rm.Resources() {
		raw, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		var o rendered
		if err := yaml.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// templateSecrets reads secrets.template.yaml with every placeholder
// replaced by a value of the right shape.
func templateSecrets(t *testing.T) map[string]map[string]string {
	t.Helper()
	key, err := authn.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	dummy := map[string]string{
		"MAIL_LINK_KEY": hex.EncodeToString(make([]byte, 32)),
		"CSRF_KEY":      hex.EncodeToString(make([]byte, 32)),
		"AUTH_JWT_KEYS": key.MarshalSeed(),
	}
	out := map[string]map[string]string{}
	for _, o := range readObjects(t, "base/secrets.template.yaml") {
		data := map[string]string{}
		for k, v := range o.StringData {
			if d, ok := dummy[k]; ok {
				v = d
			}
			data[k] = strings.ReplaceAll(v, "REPLACE_ME", "dummy")
		}
		out[o.Metadata.Name] = data
	}
	return out
}

// servers are the Secrets holding a server's URL, and which binaries open
// that server with the event store on eventStore (wiring: a bus on
// RabbitMQ keeps its dead letters and dedupe in PostgreSQL, so every binary
// on the bus opens PostgreSQL too; the admin rebuilds the read models on
// PostgreSQL, Redis and MongoDB).
func servers(eventStore string) map[string][]string {
	es := map[string][]string{"shop-esdb": nil}
	if eventStore == "esdb" {
		es["shop-esdb"] = []string{"admin", "basket", "catalog", "checkout", "ordering", "payment", "relay"}
	}
	return map[string][]string{
		"shop-postgres": {"admin", "auth", "basket", "catalog", "checkout", "client", "notifier", "ordering", "payment", "relay"},
		"shop-amqp":     {"admin", "auth", "basket", "catalog", "checkout", "client", "notifier", "ordering", "payment", "relay"},
		"shop-esdb":     es["shop-esdb"],
		"shop-mongo":    {"admin", "catalog", "client", "notifier"},
		"shop-redis":    {"admin", "auth", "basket", "catalog", "client", "gateway", "notifier"},
	}
}

// Each production overlay starts: every Deployment's binary accepts
// exactly the environment its ConfigMaps and Secrets give it (its own
// settings validation, as at start-up), and it mounts exactly the Secrets
// it reads. The default runs the PostgreSQL event store; EventStoreDB is
// one overlay away.
func TestProductionDeploymentsPassTheirBinarysValidation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ overlay, eventStore string }{
		{"overlays/production", "postgres"},
		{"overlays/production-esdb", "esdb"},
	} {
		t.Run(c.overlay, func(t *testing.T) {
			t.Parallel()
			checkDeployments(t, c.overlay, c.eventStore)
		})
	}
}

func checkDeployments(t *testing.T, overlay, eventStore string) {
	objs := render(t, overlay)
	servers := servers(eventStore)
	secrets := templateSecrets(t)
	configMaps := map[string]map[string]string{}
	for _, o := range objs {
		if o.Kind == "ConfigMap" {
			configMaps[o.Metadata.Name] = o.Data
		}
	}
	common, err := config.Describe(&settings.Common{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	isCommon := map[string]bool{}
	for _, v := range common {
		isCommon[v.Env] = true
	}
	deployments := 0
	for _, o := range objs {
		if o.Kind != "Deployment" {
			continue
		}
		deployments++
		name := o.Metadata.Name
		b, err := settings.BinaryNamed(name)
		if err != nil {
			t.Errorf("Deployment %s runs no known binary: %v", name, err)
			continue
		}
		c := o.Spec.Template.Spec.Containers[0]
		env := map[string]string{}
		var mounted []string
		for _, ef := range c.EnvFrom {
			switch {
			case ef.ConfigMapRef != nil:
				data, ok := configMaps[ef.ConfigMapRef.Name]
				if !ok {
					t.Errorf("%s: ConfigMap %s is not rendered", name, ef.ConfigMapRef.Name)
				}
				for k, v := range data {
					env[k] = v
				}
			case ef.SecretRef != nil:
				data, ok := secrets[ef.SecretRef.Name]
				if !ok {
					t.Errorf("%s: Secret %s is not in secrets.template.yaml", name, ef.SecretRef.Name)
				}
				mounted = append(mounted, ef.SecretRef.Name)
				for k, v := range data {
					env[k] = v
				}
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				env[e.Name] = e.Value
			}
		}
		if env["EVENTSTORE"] != eventStore {
			t.Errorf("%s: EVENTSTORE=%q, want %q", name, env["EVENTSTORE"], eventStore)
		}
		if _, err := b.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, nil); err != nil {
			t.Errorf("%s would exit at start with the production overlay's environment: %v", name, err)
		}

		// Least privilege: a service Secret is mounted exactly when the
		// binary reads one of its keys; a server's Secret exactly when the
		// binary opens that server.
		vars, err := b.Vars()
		if err != nil {
			t.Fatal(err)
		}
		reads := map[string]bool{}
		for _, v := range vars {
			if !isCommon[v.Env] {
				reads[v.Env] = true
			}
		}
		if reads["AWS_REGION"] { // the AWS SDK reads the SES credentials itself
			reads["AWS_ACCESS_KEY_ID"], reads["AWS_SECRET_ACCESS_KEY"] = true, true
		}
		var want []string
		for secret, data := range secrets {
			if users, ok := servers[secret]; ok {
				if slices.Contains(users, name) {
					want = append(want, secret)
				}
				continue
			}
			for k := range data {
				if reads[k] {
					want = append(want, secret)
					break
				}
			}
		}
		sort.Strings(want)
		sort.Strings(mounted)
		if !slices.Equal(mounted, want) {
			t.Errorf("%s mounts Secrets %v, its binary needs exactly %v", name, mounted, want)
		}
	}
	if deployments != len(settings.Binaries())-1 { // every binary but the one-process shop
		t.Errorf("%d Deployments rendered, want %d", deployments, len(settings.Binaries())-1)
	}
}

// Every image of the production overlay names an explicit release: a
// version tag or a digest, never latest or an untagged name.
func TestProductionImagesArePinned(t *testing.T) {
	t.Parallel()
	pinned := regexp.MustCompile(`^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9./_-]+(:v?[0-9]+\.[0-9]+\.[0-9]+[a-z0-9.-]*)?(@sha256:[0-9a-f]{64})?$`)
	for _, o := range render(t, "overlays/production") {
		for _, c := range o.Spec.Template.Spec.Containers {
			img := c.Image
			if !pinned.MatchString(img) || !(strings.Contains(img, "@sha256:") || regexp.MustCompile(`:v?[0-9]+\.[0-9]+\.[0-9]+`).MatchString(img)) {
				t.Errorf("%s %s: image %q is not pinned to a version or digest", o.Kind, o.Metadata.Name, img)
			}
		}
	}
}
