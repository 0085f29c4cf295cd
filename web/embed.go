// Package web holds the built storefront (web/dist, `npm run build`) inside
// the gateway and shop binaries, so a binary started outside the repository
// still serves it (WEB_DIR overrides it with a directory).
//
// A fresh clone has only web/dist/.gitkeep (committed; web/public/.gitkeep
// puts it back after every build), so go vet and go test work before the web
// app is built; Storefront then reports that the storefront is not built.
package web

import (
	"embed"
	"errors"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// ErrNotBuilt means the binary was compiled before `npm run build`.
var ErrNotBuilt = errors.New("storefront not built: run `npm run build` in web/ and rebuild the binary, or set WEB_DIR")

// Storefront returns the built storefront, rooted at its index.html.
func Storefront() (fs.FS, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil, ErrNotBuilt
	}
	return sub, nil
}
