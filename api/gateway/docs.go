package gateway

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
	"strings"
)

// openAPIDoc is the OpenAPI 3.1 document of the whole public API. Each
// service's owner keeps its paths here true when the service changes.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the embedded document (for tests and tooling).
func OpenAPI() []byte { return bytes.Clone(openAPIDoc) }

type docs struct {
	raw  []byte
	html []byte
}

// The reference page is rendered on the server from the document, so it
// needs no script and works under the strict CSP.
type apiDoc struct {
	Info struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description"`
	} `json:"info"`
	Tags []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"tags"`
	Paths map[string]map[string]apiOp `json:"paths"`
	// Webhooks are what the shop POSTs to integrators, by event type.
	Webhooks   map[string]map[string]apiOp `json:"webhooks"`
	Components struct {
		Schemas    map[string]json.RawMessage `json:"schemas"`
		Parameters map[string]apiParam        `json:"parameters"`
	} `json:"components"`
}

type apiOp struct {
	Summary     string                 `json:"summary"`
	Description string                 `json:"description"`
	Tags        []string               `json:"tags"`
	Security    *[]map[string][]string `json:"security"`
	Parameters  []apiParam             `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Description string `json:"description"`
	} `json:"responses"`
}

type apiParam struct {
	Ref         string `json:"$ref"`
	Name        string `json:"name"`
	In          string `json:"in"`
	Required    bool   `json:"required"`
	Description string `json:"description"`
}

type pageOp struct {
	Method, Path, Summary, Description, Body string
	Secured                                  bool
	Params                                   []apiParam
	Responses                                []string
}

type pageTag struct {
	Name, Description string
	Ops               []pageOp
}

const pageSrc = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{margin-bottom:.2rem} h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem;text-transform:capitalize}
.op{border:1px solid #e3e3e3;border-radius:6px;padding:.6rem .9rem;margin:.8rem 0}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font-family:monospace}
.GET{color:#0a7d32}.POST{color:#b45f00}.PUT,.PATCH{color:#1f5fbf}.DELETE{color:#b3261e}
code{font-family:ui-monospace,monospace;background:#f4f4f4;padding:0 .25rem;border-radius:3px}
.lock{font-size:.8rem;color:#555;border:1px solid #ccc;border-radius:3px;padding:0 .3rem;margin-left:.4rem}
ul{margin:.3rem 0} small{color:#555}
</style></head><body>
<h1>{{.Title}}</h1><small>version {{.Version}} · machine-readable: <a href="/api/openapi.json">/api/openapi.json</a></small>
<p>{{.Description}}</p>
{{range .Tags}}<h2 id="{{.Name}}">{{.Name}}</h2><p>{{.Description}}</p>
{{range .Ops}}<div class="op"><div><span class="m {{.Method}}">{{.Method}}</span><code>{{.Path}}</code>{{if .Secured}}<span class="lock">sign-in</span>{{end}} — {{.Summary}}</div>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Params}}<ul>{{range .Params}}<li><code>{{.Name}}</code> ({{.In}}{{if .Required}}, required{{end}}) {{.Description}}</li>{{end}}</ul>{{end}}
{{if .Body}}<div>Body: <code>{{.Body}}</code></div>{{end}}
<div><small>Responses: {{range $i, $r := .Responses}}{{if $i}} · {{end}}{{$r}}{{end}}</small></div></div>
{{end}}{{end}}
</body></html>`

func loadDocs() (docs, error) {
	var d apiDoc
	if err := json.Unmarshal(openAPIDoc, &d); err != nil {
		return docs{}, fmt.Errorf("gateway: openapi.json: %w", err)
	}
	byTag := map[string]*pageTag{}
	var tags []*pageTag
	for _, t := range d.Tags {
		pt := &pageTag{Name: t.Name, Description: t.Description}
		byTag[t.Name] = pt
		tags = append(tags, pt)
	}
	add := func(items map[string]map[string]apiOp, methods ...string) {
		paths := make([]string, 0, len(items))
		for p := range items {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			for _, m := range methods {
				op, ok := items[p][m]
				if !ok {
					continue
				}
				po := pageOp{Method: strings.ToUpper(m), Path: p, Summary: op.Summary, Description: op.Description,
					Secured: op.Security == nil || len(*op.Security) > 0}
				for _, prm := range op.Parameters {
					if ref, ok := d.Components.Parameters[strings.TrimPrefix(prm.Ref, "#/components/parameters/")]; ok && prm.Ref != "" {
						prm = ref
					}
					po.Params = append(po.Params, prm)
				}
				if op.RequestBody != nil {
					if c, ok := op.RequestBody.Content["application/json"]; ok {
						po.Body = schemaName(c.Schema)
					}
				}
				codes := make([]string, 0, len(op.Responses))
				for code := range op.Responses {
					codes = append(codes, code)
				}
				sort.Strings(codes)
				for _, code := range codes {
					po.Responses = append(po.Responses, code+" "+op.Responses[code].Description)
				}
				tag := "other"
				if len(op.Tags) > 0 {
					tag = op.Tags[0]
				}
				pt, ok := byTag[tag]
				if !ok {
					pt = &pageTag{Name: tag}
					byTag[tag] = pt
					tags = append(tags, pt)
				}
				pt.Ops = append(pt.Ops, po)
			}
		}
	}
	add(d.Paths, "get", "post", "put", "patch", "delete")
	add(d.Webhooks, "post") // shown with the event type where a path would be
	pageTmpl, err := template.New("docs").Parse(pageSrc)
	if err != nil {
		return docs{}, err
	}
	var buf bytes.Buffer
	err = pageTmpl.Execute(&buf, struct {
		Title, Version, Description string
		Tags                        []*pageTag
	}{d.Info.Title, d.Info.Version, d.Info.Description, tags})
	if err != nil {
		return docs{}, err
	}
	return docs{raw: openAPIDoc, html: buf.Bytes()}, nil
}

func schemaName(raw json.RawMessage) string {
	var s struct {
		Ref string `json:"$ref"`
	}
	if json.Unmarshal(raw, &s) == nil && s.Ref != "" {
		return strings.TrimPrefix(s.Ref, "#/components/schemas/")
	}
	return "object"
}
