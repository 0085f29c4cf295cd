package testenv

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// HTTPRequest is one request for Serve: fuzz targets build them from
// arbitrary bytes, so nothing here is validated.
type HTTPRequest struct {
	Method string
	Target string // path and query, e.g. "/api/basket/items?x=1"
	Header [][2]string
	Body   []byte
}

// HTTPResponse is what Serve got back.
type HTTPResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// Serve runs r through app's handler in this goroutine, without a network
// connection or a server goroutine, so a fuzz target can send thousands of
// requests a second and a panic in a handler crashes the fuzz input that
// caused it (apps without the recover middleware).
func Serve(app *fiber.App, r HTTPRequest) HTTPResponse {
	var req fasthttp.Request
	req.Header.SetMethod(r.Method)
	req.SetRequestURI(r.Target)
	req.Header.SetHost("shop.test")
	for _, h := range r.Header {
		req.Header.Set(h[0], h[1])
	}
	if r.Body != nil {
		req.SetBody(r.Body)
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	app.Handler()(&ctx)
	return HTTPResponse{
		Status:      ctx.Response.StatusCode(),
		ContentType: string(ctx.Response.Header.ContentType()),
		Body:        append([]byte(nil), ctx.Response.Body()...),
	}
}

// CheckHostile fails t unless res is an acceptable answer to hostile input:
// never a 5xx, and every 4xx an RFC 9457 problem+json whose status matches.
// 2xx/3xx answers are allowed: fuzzed input is sometimes valid.
func CheckHostile(t testing.TB, what string, res HTTPResponse) {
	t.Helper()
	if res.Status >= 500 || res.Status < 100 {
		t.Fatalf("%s: status %d; body %.300q", what, res.Status, res.Body)
	}
	if res.Status >= 400 {
		CheckProblem(t, what, res.Status, res.ContentType, res.Body)
	}
}

// CheckProblem fails t unless the answer is a problem+json of that status.
func CheckProblem(t testing.TB, what string, status int, contentType string, body []byte) {
	t.Helper()
	if !strings.HasPrefix(contentType, "application/problem+json") {
		t.Fatalf("%s: %d with content type %q, want application/problem+json; body %.300q", what, status, contentType, body)
	}
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Status != status || p.Title == "" {
		t.Fatalf("%s: problem body %.300q does not carry status %d (%v)", what, body, status, err)
	}
}
