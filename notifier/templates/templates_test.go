package templates_test

import (
	"strings"
	"testing"

	"github.com/evshop/shop/domain/money"
	"github.com/evshop/shop/notifier/templates"
)

func TestEveryKindRendersInEveryLanguage(t *testing.T) {
	t.Parallel()
	set, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Languages(); len(got) < 2 {
		t.Fatalf("languages = %v, want English and at least one more", got)
	}
	for _, lang := range set.Languages() {
		for _, k := range templates.Kinds() {
			t.Run(lang+"/"+string(k), func(t *testing.T) {
				t.Parallel()
				d := templates.Sample(k)
				r, err := set.Render(k, lang, d)
				if err != nil {
					t.Fatal(err)
				}
				if r.Subject == "" || strings.ContainsAny(r.Subject, "\r\n") || r.Text == "" || !strings.Contains(r.HTML, "</html>") {
					t.Fatalf("incomplete rendering: %+v", r)
				}
				if d.Name != "" && !strings.Contains(r.Text, d.Name) {
					t.Errorf("text is not personalised with %q:\n%s", d.Name, r.Text)
				}
				if d.Link != "" && (!strings.Contains(r.Text, d.Link) || !strings.Contains(r.HTML, `href="`+strings.ReplaceAll(d.Link, "&", "&amp;"))) {
					t.Errorf("link %q missing", d.Link)
				}
				if strings.Contains(r.HTML, "<no value>") || strings.Contains(r.Text, "<no value>") {
					t.Error("a field rendered as <no value>")
				}
			})
		}
	}
}

func TestLanguageSpecificContent(t *testing.T) {
	t.Parallel()
	set, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang, kind      string
		wantLang        string
		subject, inText string
	}{
		{"en", "order_confirmation", "en", "is confirmed", "€2,024.00"},
		{"de", "order_confirmation", "de", "ist bestätigt", "2.024,00\u00a0€"},
		{"de-AT", "verify_email", "de", "Willkommen", "Hallo Ada Lovelace"},
		{"xx", "verify_email", "en", "Welcome", "Hello Ada Lovelace"},
		{"", "password_reset", "en", "Reset", "reset-password?token="},
		{"de", "ops_alert", "en", "[ALERT]", "readyz:catalog"}, // ops mail exists in English only
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.kind, func(t *testing.T) {
			t.Parallel()
			r, err := set.Render(templates.Kind(tt.kind), tt.lang, templates.Sample(templates.Kind(tt.kind)))
			if err != nil {
				t.Fatal(err)
			}
			if r.Lang != tt.wantLang || !strings.Contains(r.Subject, tt.subject) || !strings.Contains(r.Text, tt.inText) {
				t.Fatalf("lang=%s subject=%q text=\n%s", r.Lang, r.Subject, r.Text)
			}
		})
	}
}

func TestHTMLEscapesAndSubjectStaysOneLine(t *testing.T) {
	t.Parallel()
	set, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	d := templates.Sample(templates.KindVerifyEmail)
	d.Name = "<script>alert(1)</script>\r\nBcc: x@evil.example"
	d.Link = "javascript:alert(1)"
	r, err := set.Render(templates.KindVerifyEmail, "en", d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, `href="javascript:`) {
		t.Fatalf("HTML not escaped:\n%s", r.HTML)
	}
	if strings.ContainsAny(r.Subject, "\r\n") {
		t.Fatalf("subject has a line break: %q", r.Subject)
	}
	if _, err := set.Render("nope", "en", d); err == nil {
		t.Fatal("unknown kind rendered")
	}
}

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang string
		in   money.DTO
		want string
	}{
		{"en", money.DTO{Amount: 123456789, Currency: "EUR"}, "€1,234,567.89"},
		{"de", money.DTO{Amount: 123456789, Currency: "EUR"}, "1.234.567,89\u00a0€"},
		{"en", money.DTO{Amount: 5, Currency: "USD"}, "$0.05"},
		{"en", money.DTO{Amount: 1500, Currency: "JPY"}, "¥1,500"},
		{"en", money.DTO{Amount: 1000, Currency: "CHF"}, "CHF 10.00"},
		{"de", money.DTO{Amount: 1000, Currency: "SEK"}, "10,00\u00a0SEK"},
		{"en", money.DTO{Amount: 0, Currency: "EUR"}, "€0.00"},
	}
	for _, tt := range tests {
		if got := templates.FormatMoney(tt.lang, tt.in); got != tt.want {
			t.Errorf("FormatMoney(%s, %+v) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}
