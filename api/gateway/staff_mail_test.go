package gateway_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var inviteLink = regexp.MustCompile(`/accept-invite\?token=([A-Za-z0-9._~%-]+)`)

// mailTo waits for a mail to addr whose subject contains subject and returns
// its text and HTML.
func (b *shopper) mailTo(addr, subject string) string {
	b.t.Helper()
	var body string
	waitFor(b.t, "the mail "+subject+" to "+addr, func() bool {
		var mails []struct {
			To, Subject, Text, HTML string
		}
		a := b.send("GET", "/dev/mail.json", nil, nil)
		if a.status != 200 || json.Unmarshal(a.body, &mails) != nil {
			return false
		}
		for _, m := range mails {
			if strings.EqualFold(m.To, addr) && strings.Contains(m.Subject, subject) {
				body = m.Text + m.HTML
				return true
			}
		}
		return false
	})
	return body
}

// TestStaffInvitationThroughTheWholeShop: in the embedded shop (auth outbox →
// relay → bus → notifier), an admin invites a support person, who gets the
// mail, accepts it and signs in; the back-office APIs then answer them as
// support staff (orders and accounts yes; staff, discount codes, webhooks
// and sales no), and a revocation and a grant are mailed too.
func TestStaffInvitationThroughTheWholeShop(t *testing.T) {
	t.Parallel()
	shop := newEmbeddedShop(t)
	admin := shop.shopper(t)
	admin.signIn(hostileAdmin)
	const hire = "support.hire@shop.test"
	a := admin.must(admin.json("POST", "/api/admin/staff/invitations", map[string]string{"email": hire, "role": "support", "name": "Sue"}), 201, "invite")
	var res struct {
		Member struct{ ID string } `json:"member"`
	}
	if err := json.Unmarshal(a.body, &res); err != nil || res.Member.ID == "" {
		t.Fatalf("invite answer %s", a.body)
	}

	m := inviteLink.FindStringSubmatch(admin.mailTo(hire, "invited"))
	if m == nil {
		t.Fatal("the invitation mail has no link")
	}
	token, _ := url.QueryUnescape(m[1])
	sue := shop.shopper(t)
	sue.fetchCSRF()
	sue.must(sue.json("POST", "/api/auth/invitation/accept", map[string]string{"token": token, "password": hostilePassword}), 200, "accept")
	sue.signIn(hire)
	for path, status := range map[string]int{
		"/api/admin/orders":                                     200,
		"/api/auth/users/" + res.Member.ID:                      200,
		"/api/admin/staff":                                      403,
		"/api/admin/discounts":                                  403,
		"/api/admin/webhooks":                                   403,
		"/api/admin/sales?from=2026-01-01&to=2026-01-31&by=day": 403,
	} {
		sue.must(sue.send("GET", path, nil, nil), status, "support GET "+path)
	}

	admin.must(admin.send("DELETE", "/api/admin/staff/"+res.Member.ID+"/roles/support", nil, nil), 200, "revoke")
	if body := admin.mailTo(hire, "removed"); !strings.Contains(body, "support") {
		t.Fatalf("revocation mail: %s", body)
	}
	admin.must(admin.json("POST", "/api/admin/staff/"+res.Member.ID+"/roles", map[string]string{"role": "admin"}), 200, "grant")
	admin.mailTo(hire, "admin role")
}
