package gateway_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The OpenAPI document is the API's contract: every answer the tests get
// from the whole shop is checked against it (status documented for the
// operation, body matching its schema), so the document cannot drift from
// what is served without a test failing.
var contract struct {
	once   sync.Once
	router routers.Router
	err    error
}

func contractRouter(t testing.TB) routers.Router {
	t.Helper()
	contract.once.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile("openapi.json")
		if err != nil {
			contract.err = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contract.err = err
			return
		}
		doc.Servers = nil // match paths whatever host the test uses
		contract.router, contract.err = gorillamux.NewRouter(doc)
	})
	if contract.err != nil {
		t.Fatalf("openapi.json: %v", contract.err)
	}
	return contract.router
}

// checkAnswer fails t when the answer to req is not what the document says
// the operation can answer, or when the server accepted a request (2xx) the
// document says is invalid. Requests outside the document (a hostile path,
// an unknown method) are not checked here: they must get a problem+json,
// which their own tests assert.
func checkAnswer(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	t.Helper()
	route, params, err := contractRouter(t).FindRoute(req)
	if err != nil {
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}}
	if status < 300 && reqBody != nil {
		// What the server accepted, the document must accept too.
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
