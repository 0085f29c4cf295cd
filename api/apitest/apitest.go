// Package apitest checks HTTP answers against the shop's one HTTP contract,
// api/gateway/openapi.json, for the API packages' tests: every answer must be
// one the document says the operation gives, and every request the API
// accepted must be one the document accepts. Requests outside the document
// (hostile paths, unknown methods) are left to the tests' own assertions.
package apitest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/evshop/shop/api/gateway"
)

var contract struct {
	once   sync.Once
	router routers.Router
	err    error
}

// Router is the document's router (loaded and validated once per test binary).
func Router(t testing.TB) routers.Router {
	t.Helper()
	contract.once.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(gateway.OpenAPI())
		if err == nil {
			err = doc.Validate(context.Background())
		}
		if err == nil {
			doc.Servers = nil // match paths whatever host the test uses
			contract.router, err = gorillamux.NewRouter(doc)
		}
		contract.err = err
	})
	if contract.err != nil {
		t.Fatalf("openapi.json: %v", contract.err)
	}
	return contract.router
}

// Check fails t when the answer (status, header, body) to req is not what
// the document says its operation answers, or when the server accepted
// (2xx) a request body the document refuses. reqBody is the body req was
// sent with (nil: none).
func Check(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	t.Helper()
	route, params, err := Router(t).FindRoute(req)
	if err != nil {
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}}
	if status < 300 && reqBody != nil {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			msg, _, _ := strings.Cut(err.Error(), "\n")
			t.Errorf("%s %s was accepted (%d) but the document refuses it: %s", req.Method, req.URL.Path, status, msg)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: in.Options}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		msg, _, _ := strings.Cut(err.Error(), "\n") // the first line names the mismatch; the rest dumps the schema
		t.Errorf("%s %s → %d does not match openapi.json: %s\nbody: %.300s", req.Method, req.URL.Path, status, msg, body)
	}
}

// CheckJSON is Check for a JSON request given as method, path and body
// ("" for none), as a test sent it to the API mounted at its gateway path.
// A trailing slash is dropped: the document names collections without it
// (the gateway serves both).
func CheckJSON(t testing.TB, method, path, reqBody string, status int, header http.Header, body []byte) {
	t.Helper()
	req := httptest.NewRequest(method, strings.TrimSuffix(path, "/"), strings.NewReader(reqBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", "t")
	var sent []byte
	if reqBody != "" {
		sent = []byte(reqBody)
	}
	Check(t, req, sent, status, header, body)
}
