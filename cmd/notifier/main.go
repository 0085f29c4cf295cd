// Command notifier runs the notification service on its own: it consumes
// identity, ordering and payment events from the bus and sends the customer
// emails through Amazon SES v2 (or any SES-compatible endpoint) in each
// customer's language and name (read from the client service's profiles),
// tracks baskets (caught up from the event store's basket events, or their
// queue with PROJECTIONS_SOURCE=bus) and runs the abandoned-basket reminder
// sweep for opted-in customers and the ops alert watcher, delivers the outbound webhooks (read from the
// event store; docs/webhooks.md), and serves the unsubscribe endpoint, the
// support view of failed deliveries and the admin API of webhooks.
//
//	notifier [flags]                        serve (default)
//	notifier preview [-lang xx] [-out dir]  render every template with sample data
//	notifier config                         print the settings table (Markdown)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/notifier/templates"
	"github.com/evshop/shop/platform/config"
	"github.com/evshop/shop/wiring"
	"github.com/evshop/shop/wiring/providers/esdbstore"
	"github.com/evshop/shop/wiring/providers/mailproviders"
	"github.com/evshop/shop/wiring/providers/mongostores"
	"github.com/evshop/shop/wiring/settings"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "preview":
			if err := preview(os.Args[2:], os.Stdout); err != nil {
				fmt.Fprintln(os.Stderr, "notifier:", err)
				os.Exit(1)
			}
			return
		case "config":
			b, _ := settings.BinaryNamed("notifier")
			vars, err := b.Vars()
			if err != nil {
				fmt.Fprintln(os.Stderr, "notifier:", err)
				os.Exit(1)
			}
			fmt.Print(config.Markdown(vars, nil))
			return
		case "serve":
			os.Args = append(os.Args[:1], os.Args[2:]...)
		}
	}
	wiring.Main("notifier", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.NotifierSettings) (*fiber.App, error) {
		esdbstore.Set(&in.Providers)
		mongostores.Set(&in.Providers)
		mailproviders.Set(&in.Providers)
		profiles, err := in.ClientProfiles(ctx)
		if err != nil {
			return nil, err
		}
		n, err := in.Notifier(ctx, s.Notifier, profiles)
		if err != nil {
			return nil, err
		}
		app := in.NewApp("notifier")
		wiring.MountAll(app, n.Routes)
		return app, nil
	})
}

// preview renders every kind in every (or one) language, to files under out
// or as a summary on w.
func preview(args []string, w io.Writer) error {
	var s settings.PreviewSettings
	if _, err := config.Load(&s, config.Options{Name: "notifier preview", Args: args, Lookup: os.LookupEnv, Output: os.Stderr}); err != nil {
		return err
	}
	lang, out := &s.Lang, &s.Out
	set, err := templates.New()
	if err != nil {
		return err
	}
	langs := set.Languages()
	if *lang != "" {
		if set.NormalizeLanguage(*lang) != strings.ToLower(*lang) {
			return fmt.Errorf("no templates for language %q (have %s)", *lang, strings.Join(langs, ", "))
		}
		langs = []string{strings.ToLower(*lang)}
	}
	for _, l := range langs {
		for _, k := range templates.Kinds() {
			r, err := set.Render(k, l, templates.Sample(k))
			if err != nil {
				return err
			}
			if *out == "" {
				fmt.Fprintf(w, "===== %s/%s (rendered in %s)\nSubject: %s\n\n%s\n", l, k, r.Lang, r.Subject, r.Text)
				continue
			}
			dir := filepath.Join(*out, l)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			text := "Subject: " + r.Subject + "\n\n" + r.Text
			if err := os.WriteFile(filepath.Join(dir, string(k)+".txt"), []byte(text), 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, string(k)+".html"), []byte(r.HTML), 0o644); err != nil {
				return err
			}
		}
	}
	if *out != "" {
		fmt.Fprintf(w, "wrote %d templates × %d languages to %s\n", len(templates.Kinds()), len(langs), *out)
	}
	return nil
}
