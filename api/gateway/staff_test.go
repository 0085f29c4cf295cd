package gateway_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/evshop/shop/api/auth"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/ratelimit"
)

type staffMember struct {
	ID                string `json:"id"`
	Email             string `json:"email"`
	InvitationPending bool   `json:"invitationPending"`
	Roles             []struct {
		Role  string `json:"role"`
		Since string `json:"since"`
	} `json:"roles"`
}

func (m staffMember) roles() string {
	var out []string
	for _, r := range m.Roles {
		out = append(out, r.Role)
	}
	return strings.Join(out, ",")
}

func decodeAs[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	return v
}

func problemFields(t *testing.T, r response) string {
	t.Helper()
	p := decodeAs[httpx.Problem](t, r)
	var fields []string
	for _, f := range p.Errors {
		fields = append(fields, f.Field)
	}
	return strings.Join(fields, ",")
}

// adminBrowser bootstraps root@shop.test and signs a browser in as it.
func adminBrowser(t *testing.T, s *stack) (*browser, string) {
	t.Helper()
	if _, err := s.svc.BootstrapAdmin(t.Context(), "root@shop.test", password, "Root"); err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.fetchCSRF()
	r := b.do("POST", "/api/auth/login", map[string]string{"email": "root@shop.test", "password": password})
	wantStatus(t, r, 200)
	return b, r.json(t)["user"].(map[string]any)["id"].(string)
}

// TestStaffInvitationJourney: an admin invites an unknown address as
// support; the invitee opens the mailed link, chooses a password and signs
// in with the support role, which lets them into the back office but not
// into the staff pages.
func TestStaffInvitationJourney(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{})
	admin, _ := adminBrowser(t, s)

	r := admin.do("POST", "/api/admin/staff/invitations", map[string]string{"email": "New.Hire@shop.test", "role": "support", "name": "New Hire"})
	wantStatus(t, r, 201)
	res := decodeAs[struct {
		Status string      `json:"status"`
		Member staffMember `json:"member"`
	}](t, r)
	if res.Status != "invited" || !res.Member.InvitationPending || res.Member.roles() != "support" || res.Member.Email != "new.hire@shop.test" {
		t.Fatalf("invitation = %s", r.body)
	}
	// Re-inviting the pending address mails a fresh link; the first stops working.
	_, first := s.sealedToken(t, domain.TypeStaffInvited, "new.hire@shop.test")
	r = admin.do("POST", "/api/admin/staff/invitations", map[string]string{"email": "new.hire@shop.test", "role": "support"})
	wantStatus(t, r, 200)
	if st := r.json(t)["status"]; st != "reinvited" {
		t.Fatalf("re-invite status = %v", st)
	}
	_, token := s.sealedToken(t, domain.TypeStaffInvited, "new.hire@shop.test")

	hire := s.browser(t)
	hire.fetchCSRF()
	wantProblem(t, hire.do("POST", "/api/auth/login", map[string]string{"email": "new.hire@shop.test", "password": password}), 401)
	wantProblem(t, hire.do("POST", "/api/auth/invitation/accept", map[string]string{"token": first, "password": password}), 400)
	wantProblem(t, hire.do("POST", "/api/auth/password/reset", map[string]string{"token": token, "password": password}), 400)
	r = hire.do("POST", "/api/auth/invitation/accept", map[string]string{"token": token, "password": "qwerty123"})
	wantProblem(t, r, 422)
	if f := problemFields(t, r); f != "password" {
		t.Fatalf("fields = %s", f)
	}
	r = hire.do("POST", "/api/auth/invitation/accept", map[string]string{"token": token, "password": password})
	wantStatus(t, r, 200)
	wantProblem(t, hire.do("GET", "/api/auth/me", nil), 401) // accepting signs nobody in
	wantProblem(t, hire.do("POST", "/api/auth/invitation/accept", map[string]string{"token": token, "password": password}), 400)
	r = hire.do("POST", "/api/auth/login", map[string]string{"email": "new.hire@shop.test", "password": password})
	wantStatus(t, r, 200)
	if roles := fmt.Sprint(r.json(t)["user"].(map[string]any)["roles"]); roles != "[customer support]" {
		t.Fatalf("roles = %s", roles)
	}
	// Support staff may not manage staff.
	wantProblem(t, hire.do("GET", "/api/admin/staff", nil), 403)
	wantProblem(t, hire.do("POST", "/api/admin/staff/invitations", map[string]string{"email": "x@shop.test", "role": "admin"}), 403)

	r = admin.do("POST", "/api/admin/staff/invitations", map[string]string{"email": "new.hire@shop.test", "role": "support"})
	wantStatus(t, r, 200)
	if st := r.json(t)["status"]; st != "unchanged" {
		t.Fatalf("invite of a member = %v", st)
	}
	list := decodeAs[struct{ Items []staffMember }](t, admin.do("GET", "/api/admin/staff", nil))
	var got []string
	for _, m := range list.Items {
		got = append(got, m.Email+":"+m.roles()+fmt.Sprint(m.InvitationPending))
		for _, role := range m.Roles {
			if _, err := time.Parse(time.RFC3339, role.Since); err != nil {
				t.Fatalf("since %q: %v", role.Since, err)
			}
		}
	}
	if strings.Join(got, " ") != "new.hire@shop.test:supportfalse root@shop.test:adminfalse" {
		t.Fatalf("staff = %v", got)
	}
}

// TestStaffRules: every refusal of the staff routes.
func TestStaffRules(t *testing.T) {
	t.Parallel()
	s := newStack(t, options{})
	admin, adminID := adminBrowser(t, s)
	customer := s.browser(t)
	customerID := customer.signUp("cust@shop.test", password)
	anon := s.browser(t)
	anon.fetchCSRF()

	wantProblem(t, anon.do("GET", "/api/admin/staff", nil), 401)
	wantProblem(t, anon.do("GET", "/api/admin/staff/audit", nil), 401)
	wantProblem(t, customer.do("GET", "/api/admin/staff", nil), 403)
	wantProblem(t, customer.do("POST", "/api/admin/staff/"+customerID+"/roles", map[string]string{"role": "admin"}), 403)

	tests := []struct {
		name, method, path string
		body               any
		status             int
		fields             string
	}{
		{"invite as customer", "POST", "/api/admin/staff/invitations", map[string]string{"email": "a@shop.test", "role": "customer"}, 422, "role"},
		{"invite bad input", "POST", "/api/admin/staff/invitations", map[string]string{"email": "nope", "role": "root", "name": "\u202e"}, 422, "email,role,name"},
		{"invite missing fields", "POST", "/api/admin/staff/invitations", map[string]string{}, 422, "email,role"},
		{"invite unknown field", "POST", "/api/admin/staff/invitations", `{"email":"a@shop.test","role":"admin","roles":["admin"]}`, 422, ""},
		{"invite malformed", "POST", "/api/admin/staff/invitations", `{"email":`, 400, ""},
		{"grant customer", "POST", "/api/admin/staff/" + customerID + "/roles", map[string]string{"role": "customer"}, 422, "role"},
		{"grant unknown role", "POST", "/api/admin/staff/" + customerID + "/roles", map[string]string{"role": "root"}, 422, "role"},
		{"grant to nobody", "POST", "/api/admin/staff/no-such-user/roles", map[string]string{"role": "support"}, 404, ""},
		{"grant oversized id", "POST", "/api/admin/staff/" + strings.Repeat("x", 300) + "/roles", map[string]string{"role": "support"}, 404, ""},
		{"revoke customer", "DELETE", "/api/admin/staff/" + customerID + "/roles/customer", nil, 422, "role"},
		{"revoke from nobody", "DELETE", "/api/admin/staff/no-such-user/roles/support", nil, 404, ""},
		{"the last admin keeps the role", "DELETE", "/api/admin/staff/" + adminID + "/roles/admin", nil, 409, ""},
		{"audit limit", "GET", "/api/admin/staff/audit?limit=0", nil, 422, "limit"},
		{"audit before", "GET", "/api/admin/staff/audit?before=x&limit=500", nil, 422, "limit,before"},
	}
	for _, tt := range tests {
		r := admin.do(tt.method, tt.path, tt.body)
		wantProblem(t, r, tt.status)
		if f := problemFields(t, r); tt.fields != "" && f != tt.fields {
			t.Fatalf("%s: fields %q, want %q", tt.name, f, tt.fields)
		}
	}

	// Grant twice (once recorded), then a second admin lets the first step down.
	for range 2 {
		r := admin.do("POST", "/api/admin/staff/"+customerID+"/roles", map[string]string{"role": "admin"})
		wantStatus(t, r, 200)
		if m := decodeAs[staffMember](t, r); m.roles() != "admin" {
			t.Fatalf("after grant: %s", r.body)
		}
	}
	r := admin.do("DELETE", "/api/admin/staff/"+customerID+"/roles/support", nil)
	wantStatus(t, r, 200)
	r = admin.do("DELETE", "/api/admin/staff/"+adminID+"/roles/admin", nil)
	wantStatus(t, r, 200)
	if m := decodeAs[staffMember](t, r); m.roles() != "" || len(m.Roles) != 0 {
		t.Fatalf("after stepping down: %s", r.body)
	}

	// The new admin's role reaches their session at the next refresh.
	wantProblem(t, customer.do("GET", "/api/admin/staff/audit", nil), 403)
	wantStatus(t, customer.do("POST", "/api/auth/refresh", nil), 200)
	audit := decodeAs[struct {
		Items []struct {
			Action, Role, Email, Actor, ActorEmail string
		}
		Next uint64
	}](t, customer.do("GET", "/api/admin/staff/audit?limit=10", nil))
	var got []string
	for _, e := range audit.Items {
		got = append(got, e.Action+" "+e.Role+" "+e.Email+" by "+e.Actor+" "+e.ActorEmail)
	}
	want := []string{
		"revoked admin root@shop.test by " + adminID + " root@shop.test",
		"granted admin cust@shop.test by " + adminID + " root@shop.test",
		"granted admin root@shop.test by bootstrap ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || audit.Next != 0 {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	page := decodeAs[struct {
		Items []json.RawMessage
		Next  uint64
	}](t, customer.do("GET", "/api/admin/staff/audit?limit=2", nil))
	if len(page.Items) != 2 || page.Next == 0 {
		t.Fatalf("first page: %d items, next %d", len(page.Items), page.Next)
	}
	rest := decodeAs[struct{ Items []json.RawMessage }](t, customer.do("GET", fmt.Sprintf("/api/admin/staff/audit?limit=2&before=%d", page.Next), nil))
	if len(rest.Items) != 1 {
		t.Fatalf("second page: %d items", len(rest.Items))
	}
	// The stepped-down admin's access token still says admin until it
	// expires (the documented bound); its next refresh re-reads the roles.
	wantStatus(t, admin.do("GET", "/api/admin/staff", nil), 200)
	wantStatus(t, admin.do("POST", "/api/auth/refresh", nil), 200)
	wantProblem(t, admin.do("GET", "/api/admin/staff", nil), 403)
}

func TestStaffInvitationsAreRateLimited(t *testing.T) {
	t.Parallel()
	limits := auth.DefaultLimits()
	limits.InvitePerAddress = ratelimit.Limit{Events: 2, Window: time.Hour}
	s := newStack(t, options{authLimits: &limits})
	admin, _ := adminBrowser(t, s)
	for range 2 {
		r := admin.do("POST", "/api/admin/staff/invitations", map[string]string{"email": "spam@shop.test", "role": "support"})
		if r.status != 201 && r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	}
	r := admin.do("POST", "/api/admin/staff/invitations", map[string]string{"email": "SPAM@shop.test", "role": "support"})
	wantProblem(t, r, 429)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	wantStatus(t, admin.do("POST", "/api/admin/staff/invitations", map[string]string{"email": "other@shop.test", "role": "support"}), 201)
}
