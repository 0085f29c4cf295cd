//go:build ignore

// gen_images writes images/<sku>.svg for every demo product: a soft
// gradient card in the category's colours with a simple glyph and the
// product name. Run with `go generate ./catalog/demo`; the files are
// committed so the shop needs no generator at run time.
package main

import (
	"fmt"
	"html"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/evshop/shop/catalog/demo"
)

type palette struct{ from, to, ink, glyph string }

var palettes = map[string]palette{
	"Kitchen":     {"#fde8d7", "#f6c9a8", "#7a3e1d", `<circle cx="200" cy="140" r="58" fill="none" stroke="#7a3e1d" stroke-width="10"/><rect x="250" y="128" width="70" height="22" rx="11" fill="#7a3e1d"/>`},
	"Outdoor":     {"#dff2e4", "#a9d8b8", "#1f5133", `<path d="M120 200 L200 80 L280 200 Z" fill="#1f5133" opacity="0.85"/><path d="M220 200 L270 125 L320 200 Z" fill="#2f7a4d"/>`},
	"Home":        {"#efe9f7", "#cdbfe6", "#43306b", `<path d="M130 150 L200 90 L270 150 L270 210 L130 210 Z" fill="#43306b" opacity="0.85"/><rect x="185" y="165" width="30" height="45" fill="#efe9f7"/>`},
	"Books":       {"#e3eefb", "#b3cdee", "#1d3c6b", `<rect x="135" y="85" width="60" height="120" rx="6" fill="#1d3c6b"/><rect x="205" y="85" width="60" height="120" rx="6" fill="#2f5d9e"/>`},
	"Electronics": {"#e6f5f7", "#a8dde4", "#11505a", `<rect x="125" y="90" width="150" height="100" rx="12" fill="none" stroke="#11505a" stroke-width="10"/><circle cx="200" cy="140" r="18" fill="#11505a"/>`},
	"Apparel":     {"#fbe6ec", "#f1b8c7", "#6d1f38", `<path d="M150 90 L175 80 Q200 100 225 80 L250 90 L285 125 L260 145 L250 135 L250 210 L150 210 L150 135 L140 145 L115 125 Z" fill="#6d1f38" opacity="0.9"/>`},
}

func main() {
	dir := "images"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, p := range demo.Products() {
		pal, ok := palettes[p.Category]
		if !ok {
			log.Fatalf("no palette for %s", p.Category)
		}
		svg := card(p, pal)
		if err := os.WriteFile(filepath.Join(dir, p.ImageFile()), []byte(svg), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	// Variants with an image of their own: the product's card in their tint,
	// named after the variant.
	byKey := map[string]demo.Product{}
	for _, p := range demo.Products() {
		byKey[p.SKU] = p
	}
	for _, f := range demo.Families() {
		base := byKey[f.ProductSKU]
		for _, v := range f.Variants {
			if v.Image == "" {
				continue
			}
			pal := palettes[base.Category]
			pal.from, pal.to = v.Tint[0], v.Tint[1]
			vp := base
			vp.SKU, vp.Name = strings.TrimSuffix(v.Image, ".svg"), base.Name+" — "+v.Options[0].Value
			if err := os.WriteFile(filepath.Join(dir, v.Image), []byte(card(vp, pal)), 0o644); err != nil {
				log.Fatal(err)
			}
		}
	}
}

func card(p demo.Product, pal palette) string {
	id := strings.ToLower(p.SKU)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300" role="img" aria-label="%s">`+"\n", html.EscapeString(p.Name))
	fmt.Fprintf(&b, `<defs><linearGradient id="g-%s" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="%s"/><stop offset="1" stop-color="%s"/></linearGradient></defs>`+"\n", id, pal.from, pal.to)
	fmt.Fprintf(&b, `<rect width="400" height="300" rx="24" fill="url(#g-%s)"/>`+"\n", id)
	b.WriteString(pal.glyph + "\n")
	fmt.Fprintf(&b, `<text x="200" y="258" text-anchor="middle" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="22" font-weight="600" fill="%s">%s</text>`+"\n", pal.ink, html.EscapeString(p.Name))
	b.WriteString("</svg>\n")
	return b.String()
}
