package httpx

import (
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestAppConfigKeepsParams: a path parameter kept past its handler still
// reads as it was after later requests reuse Fiber's buffers. Without
// Immutable the kept "aaaa" reads "bbbb" once the next request is parsed.
func TestAppConfigKeepsParams(t *testing.T) {
	t.Parallel()
	app := fiber.New(AppConfig(slog.New(slog.DiscardHandler)))
	var kept []string
	app.Get("/items/:id", func(c *fiber.Ctx) error {
		kept = append(kept, c.Params("id"))
		return c.SendStatus(fiber.StatusNoContent)
	})
	for _, id := range []string{"aaaa", "bbbb", "cccc"} {
		res, err := app.Test(httptest.NewRequest("GET", "/items/"+id, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if want := []string{"aaaa", "bbbb", "cccc"}; !slices.Equal(kept, want) {
		t.Fatalf("kept params read %q, want %q", kept, want)
	}
}
