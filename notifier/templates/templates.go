// Package templates owns the notifier's email templates: one plain-text
// (text/template) and one HTML (html/template) body per kind and language,
// embedded in the binary, personalised with the recipient's name and
// formatted for the language (money, dates). English is the fallback for any
// language or kind without its own translation.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/evshop/shop/domain/money"
)

//go:embed files
var files embed.FS

// Kind names one email.
type Kind string

// Every kind of email the notifier sends.
const (
	KindVerifyEmail       Kind = "verify_email"
	KindPasswordReset     Kind = "password_reset"
	KindPasswordChanged   Kind = "password_changed"
	KindOrderConfirmation Kind = "order_confirmation"
	KindPaymentFailed     Kind = "payment_failed"
	KindOrderShipped      Kind = "order_shipped"
	KindOrderCancelled    Kind = "order_cancelled"
	KindRefundIssued      Kind = "refund_issued"
	KindBasketReminder    Kind = "basket_reminder"
	KindBackInStock       Kind = "back_in_stock"
	KindOpsAlert          Kind = "ops_alert"
	KindOpsRecovery       Kind = "ops_recovery"
	KindStaffInvitation   Kind = "staff_invitation"
	KindRoleGranted       Kind = "role_granted"
	KindRoleRevoked       Kind = "role_revoked"
	KindReturnRequested   Kind = "return_requested"
	KindReturnApproved    Kind = "return_approved"
	KindReturnRejected    Kind = "return_rejected"
	KindReturnRefunded    Kind = "return_refunded"
)

// Kinds lists every kind, in a stable order.
func Kinds() []Kind {
	return []Kind{KindVerifyEmail, KindPasswordReset, KindPasswordChanged, KindOrderConfirmation, KindPaymentFailed, KindOrderShipped,
		KindOrderCancelled, KindRefundIssued, KindBasketReminder, KindBackInStock, KindOpsAlert, KindOpsRecovery,
		KindStaffInvitation, KindRoleGranted, KindRoleRevoked,
		KindReturnRequested, KindReturnApproved, KindReturnRejected, KindReturnRefunded}
}

// DefaultLanguage is used when the recipient's language has no templates.
const DefaultLanguage = "en"

// ErrUnknownKind is returned by Render for a kind without templates.
var ErrUnknownKind = errors.New("templates: unknown kind")

// Line is one order or basket line.
type Line struct {
	SKU       string
	Name      string
	Quantity  int
	UnitPrice money.DTO
}

// LineTotal is UnitPrice × Quantity.
func (l Line) LineTotal() money.DTO {
	return money.DTO{Amount: l.UnitPrice.Amount * int64(l.Quantity), Currency: l.UnitPrice.Currency}
}

// Breakdown is an order's price breakdown as the emails show it: shipping,
// discount, net, tax per rate. Orders placed before tax and shipping have
// none (nil).
type Breakdown struct {
	PricesIncludeTax bool      `json:"pricesIncludeTax"`
	Shipping         *Shipping `json:"shipping,omitempty"`
	Discount         money.DTO `json:"discount"`
	Net              money.DTO `json:"net"`
	Tax              money.DTO `json:"tax"`
	Rates            []TaxRate `json:"rates"`
}

// Shipping is the delivery charged (gross).
type Shipping struct {
	Name  string    `json:"name"`
	Gross money.DTO `json:"gross"`
}

// TaxRate is the tax at one rate (basis points: 1900 = 19 %) and the net
// amount it is on.
type TaxRate struct {
	RateBP int       `json:"rateBp"`
	Net    money.DTO `json:"net"`
	Tax    money.DTO `json:"tax"`
}

// Address is a postal address.
type Address struct {
	Name, Line1, Line2, City, PostalCode, Country string
}

// Alert describes an ops condition.
type Alert struct {
	Condition string // e.g. "readyz:catalog"
	Target    string // service name
	Detail    string
	Since     time.Time
	For       time.Duration
}

// Data is what every template can use; each kind reads the fields it needs.
type Data struct {
	Name           string // the recipient's name; templates greet generically when empty
	ShopURL        string
	Link           string // verify, reset, basket or tracking link
	UnsubscribeURL string
	OrderID        string
	Lines          []Line
	Total          money.DTO
	Breakdown      *Breakdown // order confirmation; nil for orders placed before tax
	Amount         money.DTO
	Address        Address
	Reason         string
	Carrier        string
	TrackingNumber string
	InvoiceNumber  string // the order confirmation's invoice
	ReturnID       string // the return emails' return number
	Alert          Alert
	Role           string // staff invitation and role mails: "support" or "admin"
}

// Rendered is a finished email body.
type Rendered struct {
	Lang    string
	Subject string
	Text    string
	HTML    string
}

type pair struct {
	text *texttemplate.Template // defines "subject" and "text"
	html *htmltemplate.Template // "layout" with "content"
}

// Set holds every parsed template.
type Set struct {
	byLang map[string]map[Kind]pair
}

// New parses the embedded templates and checks that English covers every kind.
func New() (*Set, error) {
	s := &Set{byLang: map[string]map[Kind]pair{}}
	langs, err := fs.ReadDir(files, "files")
	if err != nil {
		return nil, err
	}
	for _, l := range langs {
		if !l.IsDir() {
			continue
		}
		lang := l.Name()
		funcs := funcsFor(lang)
		layout, err := fs.ReadFile(files, path.Join("files", lang, "layout.html"))
		if err != nil {
			return nil, fmt.Errorf("templates: %s has no layout.html: %w", lang, err)
		}
		s.byLang[lang] = map[Kind]pair{}
		for _, k := range Kinds() {
			txt, terr := fs.ReadFile(files, path.Join("files", lang, string(k)+".txt"))
			htm, herr := fs.ReadFile(files, path.Join("files", lang, string(k)+".html"))
			if errors.Is(terr, fs.ErrNotExist) && errors.Is(herr, fs.ErrNotExist) {
				continue // falls back to English
			}
			if terr != nil || herr != nil {
				return nil, fmt.Errorf("templates: %s/%s needs both .txt and .html", lang, k)
			}
			tt, err := texttemplate.New(string(k)).Funcs(texttemplate.FuncMap(funcs)).Option("missingkey=error").Parse(string(txt))
			if err != nil {
				return nil, fmt.Errorf("templates: %s/%s.txt: %w", lang, k, err)
			}
			if tt.Lookup("subject") == nil || tt.Lookup("text") == nil {
				return nil, fmt.Errorf("templates: %s/%s.txt must define subject and text", lang, k)
			}
			ht, err := htmltemplate.New("layout").Funcs(htmltemplate.FuncMap(funcs)).Option("missingkey=error").Parse(string(layout))
			if err == nil {
				ht, err = ht.Parse(string(htm))
			}
			if err != nil {
				return nil, fmt.Errorf("templates: %s/%s.html: %w", lang, k, err)
			}
			if ht.Lookup("content") == nil {
				return nil, fmt.Errorf("templates: %s/%s.html must define content", lang, k)
			}
			s.byLang[lang][k] = pair{text: tt, html: ht}
		}
	}
	en := s.byLang[DefaultLanguage]
	for _, k := range Kinds() {
		if _, ok := en[k]; !ok {
			return nil, fmt.Errorf("templates: English has no %s", k)
		}
	}
	return s, nil
}

// Languages lists the languages with templates, sorted.
func (s *Set) Languages() []string {
	out := make([]string, 0, len(s.byLang))
	for l := range s.byLang {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// NormalizeLanguage maps "de-DE", "DE", "de_AT" to "de"; anything without
// templates maps to English.
func (s *Set) NormalizeLanguage(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	if _, ok := s.byLang[l]; ok {
		return l
	}
	return DefaultLanguage
}

// Render renders kind in lang (falling back to English).
func (s *Set) Render(kind Kind, lang string, d Data) (Rendered, error) {
	lang = s.NormalizeLanguage(lang)
	p, ok := s.byLang[lang][kind]
	if !ok {
		lang = DefaultLanguage
		if p, ok = s.byLang[lang][kind]; !ok {
			return Rendered{}, fmt.Errorf("%w: %q", ErrUnknownKind, kind)
		}
	}
	var subj, text, html bytes.Buffer
	if err := p.text.ExecuteTemplate(&subj, "subject", d); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s/%s subject: %w", lang, kind, err)
	}
	if err := p.text.ExecuteTemplate(&text, "text", d); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s/%s text: %w", lang, kind, err)
	}
	if err := p.html.ExecuteTemplate(&html, "layout", d); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s/%s html: %w", lang, kind, err)
	}
	// Subjects are one line: a name with a line break must not inject headers.
	subject := strings.Join(strings.Fields(subj.String()), " ")
	return Rendered{Lang: lang, Subject: subject, Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}

func funcsFor(lang string) map[string]any {
	return map[string]any{
		"money":   func(d money.DTO) string { return FormatMoney(lang, d) },
		"date":    func(t time.Time) string { return FormatDate(lang, t) },
		"dur":     func(d time.Duration) string { return d.Round(time.Second).String() },
		"percent": func(bp int) string { return FormatPercent(lang, bp) },
	}
}

// FormatPercent formats a rate in basis points as a percentage without
// trailing zeros: 1900 → "19", 550 → "5.5" ("5,5" in German and French).
func FormatPercent(lang string, bp int) string {
	whole, frac := bp/100, bp%100
	if frac == 0 {
		return strconv.Itoa(whole)
	}
	f := strings.TrimRight(fmt.Sprintf("%02d", frac), "0")
	sep := "."
	if lang == "de" || lang == "fr" {
		sep = ","
	}
	return strconv.Itoa(whole) + sep + f
}

// minorDigits is the number of decimals of currencies that differ from 2.
var minorDigits = map[string]int{"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "JOD": 3, "TND": 3}

var symbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"}

// FormatMoney formats minor units for lang: "€1,234.50" in English,
// "1.234,50 €" in German and French. Integer arithmetic only.
func FormatMoney(lang string, d money.DTO) string {
	digits, ok := minorDigits[d.Currency]
	if !ok {
		digits = 2
	}
	amt := d.Amount
	neg := amt < 0
	if neg {
		amt = -amt
	}
	div := int64(1)
	for range digits {
		div *= 10
	}
	major, minor := amt/div, amt%div
	thousands, decimal := ",", "."
	if lang != "en" {
		thousands, decimal = ".", ","
		if lang == "fr" {
			thousands = "\u202f"
		}
	}
	s := groupThousands(major, thousands)
	if digits > 0 {
		s += decimal + fmt.Sprintf("%0*d", digits, minor)
	}
	sym, ok := symbols[d.Currency]
	if !ok {
		sym = d.Currency
	}
	if neg {
		s = "-" + s
	}
	if lang == "en" {
		if len([]rune(sym)) == 1 {
			return sym + s
		}
		return sym + " " + s
	}
	return s + "\u00a0" + sym
}

func groupThousands(n int64, sep string) string {
	raw := fmt.Sprintf("%d", n)
	var b strings.Builder
	for i, r := range raw {
		if i > 0 && (len(raw)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatDate formats a date for lang.
func FormatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if lang == "en" {
		return t.Format("2 January 2006, 15:04 UTC")
	}
	return t.Format("02.01.2006, 15:04 UTC")
}

// Sample returns realistic sample data for kind (preview and tests).
func Sample(kind Kind) Data {
	d := Data{
		Name:    "Ada Lovelace",
		ShopURL: "https://shop.example",
		OrderID: "0b8f4c1e-8d2a-4a8e-9a57-3c6f1f1b2a10",
		Lines: []Line{
			{SKU: "MUG-BLUE", Name: "Blue Mug", Quantity: 2, UnitPrice: money.DTO{Amount: 1250, Currency: "EUR"}},
			{SKU: "TEE-L", Name: "T-Shirt <L>", Quantity: 1, UnitPrice: money.DTO{Amount: 199900, Currency: "EUR"}},
		},
		Total: money.DTO{Amount: 202400, Currency: "EUR"},
		Breakdown: &Breakdown{PricesIncludeTax: true, Shipping: &Shipping{Name: "Standard delivery", Gross: money.DTO{Amount: 0, Currency: "EUR"}},
			Discount: money.DTO{Currency: "EUR"}, Net: money.DTO{Amount: 170084, Currency: "EUR"}, Tax: money.DTO{Amount: 32316, Currency: "EUR"},
			Rates: []TaxRate{{RateBP: 1900, Net: money.DTO{Amount: 170084, Currency: "EUR"}, Tax: money.DTO{Amount: 32316, Currency: "EUR"}}}},
		Amount:  money.DTO{Amount: 2500, Currency: "EUR"},
		Address: Address{Name: "Ada Lovelace", Line1: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", Country: "GB"},
		Reason:  "card declined",
	}
	switch kind {
	case KindVerifyEmail:
		d.Link = "https://shop.example/verify?token=sample-token"
	case KindPasswordReset:
		d.Link = "https://shop.example/reset-password?token=sample-token"
	case KindPasswordChanged:
		d.Link = "https://shop.example/forgot-password"
	case KindOrderShipped:
		d.Carrier, d.TrackingNumber = "DHL", "JJD000390007827123"
	case KindOrderCancelled:
		d.Reason = "payment timeout"
	case KindRefundIssued:
		d.Reason = "item damaged"
	case KindBasketReminder:
		d.Link = "https://shop.example/basket"
		d.UnsubscribeURL = "https://shop.example/api/notifications/unsubscribe?token=sample"
	case KindBackInStock:
		d.Link = "https://shop.example/products/MUG-01"
		d.UnsubscribeURL = "https://shop.example/api/notifications/unsubscribe?token=sample"
		d.Lines = []Line{{SKU: "MUG-01", Name: "Blue Mug", Quantity: 1}}
	case KindStaffInvitation:
		d.Link, d.Role = "https://shop.example/accept-invite?token=sample-token", "support"
	case KindRoleGranted:
		d.Link, d.Role = "https://shop.example/admin", "admin"
	case KindRoleRevoked:
		d.Role = "support"
	case KindReturnRequested, KindReturnApproved, KindReturnRejected, KindReturnRefunded:
		d.ReturnID = d.OrderID + "-r1"
		d.Lines = []Line{{SKU: "MUG-BLUE", Name: "Blue Mug", Quantity: 1}}
		d.Link = "https://shop.example/orders/" + d.OrderID
		d.Reason = "the seal was broken"
	case KindOpsAlert, KindOpsRecovery:
		d.Name = ""
		d.Alert = Alert{Condition: "readyz:catalog", Target: "catalog", Detail: "GET http://127.0.0.1:8082/readyz: 503",
			Since: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC), For: 2*time.Minute + 30*time.Second}
	}
	return d
}
