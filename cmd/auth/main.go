// Command auth runs the identity service on its own: accounts in PostgreSQL
// (schema "auth"), refresh tokens and rate limits in Redis, access tokens
// signed with AUTH_JWT_KEYS and published as JWKS, and the relay that moves
// the auth outbox to the bus.
//
//	auth                    serve (AUTH_BOOTSTRAP_ADMIN_EMAIL/_PASSWORD also ensure that admin)
//	auth bootstrap-admin    ensure the admin named by AUTH_BOOTSTRAP_ADMIN_EMAIL/_PASSWORD, then exit
//	auth genkey [kid]       print a new Ed25519 key as AUTH_JWT_KEYS reads it, then exit
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/wiring"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "genkey" {
		os.Exit(genkey(os.Args[2:]))
	}
	bootstrapOnly := len(os.Args) > 1 && os.Args[1] == "bootstrap-admin"
	if bootstrapOnly {
		os.Args = append(os.Args[:1], os.Args[2:]...)
	}
	wiring.Main("auth", wiring.ModeServer, func(ctx context.Context, in *wiring.Infra, s *wiring.AuthSettings) (*fiber.App, error) {
		if bootstrapOnly && (s.Auth.AdminEmail == "" || s.Auth.AdminPassword == "") {
			return nil, errors.New("bootstrap-admin needs AUTH_BOOTSTRAP_ADMIN_EMAIL and AUTH_BOOTSTRAP_ADMIN_PASSWORD")
		}
		a, err := in.Auth(ctx, s.Auth) // also ensures the bootstrap admin when configured
		if err != nil {
			return nil, err
		}
		if bootstrapOnly {
			in.Close()
			os.Exit(0)
		}
		app := in.NewApp("auth")
		wiring.MountAll(app, a.Routes)
		return app, nil
	})
}

func genkey(args []string) int {
	k, err := authn.GenerateSigningKey()
	if err == nil && len(args) > 0 {
		k, err = k.WithID(args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(k.MarshalSeed())
	return 0
}
