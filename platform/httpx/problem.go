// Package httpx holds the HTTP edge habits every service shares: RFC 9457
// problem+json errors, strict JSON decoding, and the Fiber error handler that
// turns any error into a problem without leaking internals.
package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// ContentTypeProblem is the media type of RFC 9457 error bodies.
const ContentTypeProblem = "application/problem+json"

// FieldError names one invalid input field.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Problem is an RFC 9457 problem detail. It is also an error, so handlers can
// simply return one.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

// NewProblem builds a problem whose type is derived from the status.
func NewProblem(status int, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: statusTitle(status), Status: status, Detail: detail}
}

// BadRequest is a 400 problem.
func BadRequest(detail string) *Problem { return NewProblem(fiber.StatusBadRequest, detail) }

// Invalid is a 422 problem listing invalid fields.
func Invalid(errs ...FieldError) *Problem {
	p := NewProblem(fiber.StatusUnprocessableEntity, "the request has invalid fields")
	p.Errors = errs
	return p
}

// NotFound is a 404 problem.
func NotFound(detail string) *Problem { return NewProblem(fiber.StatusNotFound, detail) }

// Forbidden is a 403 problem.
func Forbidden(detail string) *Problem { return NewProblem(fiber.StatusForbidden, detail) }

// Unauthorized is a 401 problem.
func Unauthorized(detail string) *Problem { return NewProblem(fiber.StatusUnauthorized, detail) }

// Conflict is a 409 problem.
func Conflict(detail string) *Problem { return NewProblem(fiber.StatusConflict, detail) }

func statusTitle(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Error"
}

// WriteProblem sends p as the response.
func WriteProblem(c *fiber.Ctx, p *Problem) error {
	if p.Instance == "" {
		p.Instance = c.Path()
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, ContentTypeProblem)
	return c.Send(body)
}

// AppConfig is the Fiber configuration every service's app starts from, and
// every handler test's: problems through ErrorHandler, and strings copied out
// of Fiber's buffers (Immutable). Fiber reuses a request's buffers for the
// next one, so without it a path parameter kept past its handler — a map key
// a store overwrites, say — changes under the keeper.
func AppConfig(log *slog.Logger) fiber.Config {
	return fiber.Config{ErrorHandler: ErrorHandler(log), Immutable: true}
}

// ErrorHandler is the Fiber error handler of every service: problems are sent
// as they are, Fiber errors keep their status, anything else is a 500 whose
// detail is logged but never sent.
func ErrorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var p *Problem
		var fe *fiber.Error
		switch {
		case errors.As(err, &p):
			return WriteProblem(c, p)
		case errors.As(err, &fe):
			return WriteProblem(c, NewProblem(fe.Code, fe.Message))
		default:
			log.ErrorContext(c.UserContext(), "request failed", "path", c.Path(), "method", c.Method(), "err", err, "request_id", c.GetRespHeader(fiber.HeaderXRequestID))
			return WriteProblem(c, NewProblem(fiber.StatusInternalServerError, "internal error"))
		}
	}
}

// MaxJSONDepth bounds nesting so a hostile body cannot exhaust the stack.
const MaxJSONDepth = 32

// DecodeJSON strictly decodes the request body into v: the content type must be
// JSON, the body valid UTF-8 and a single object, nesting bounded, and unknown
// fields are refused. Every failure is a 4xx Problem.
func DecodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ct != fiber.MIMEApplicationJSON {
		return NewProblem(fiber.StatusUnsupportedMediaType, "the body must be application/json")
	}
	return DecodeBytes(c.Body(), v)
}

// DecodeBytes applies DecodeJSON's rules to a raw body (also used by fuzz tests
// and message handlers).
func DecodeBytes(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return BadRequest("the body is empty")
	}
	if !utf8.Valid(body) {
		return BadRequest("the body is not valid UTF-8")
	}
	if depth(body) > MaxJSONDepth {
		return BadRequest("the body is nested too deeply")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr):
			return Invalid(FieldError{Field: typeErr.Field, Reason: "has the wrong type"})
		case errors.As(err, &syntaxErr):
			return BadRequest(fmt.Sprintf("malformed JSON at byte %d", syntaxErr.Offset))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return Invalid(FieldError{Field: strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), Reason: "is not a known field"})
		default:
			return BadRequest("malformed JSON")
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return BadRequest("the body must hold a single JSON value")
	}
	return nil
}

// depth returns the maximum nesting of arrays/objects, ignoring string contents.
func depth(b []byte) int {
	max, cur := 0, 0
	inStr, esc := false, false
	for _, ch := range b {
		switch {
		case esc:
			esc = false
		case inStr && ch == '\\':
			esc = true
		case ch == '"':
			inStr = !inStr
		case inStr:
		case ch == '{' || ch == '[':
			cur++
			if cur > max {
				max = cur
			}
		case ch == '}' || ch == ']':
			cur--
		}
	}
	return max
}
