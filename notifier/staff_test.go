package notifier_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/evshop/shop/notifier"
)

// TestStaffEmails: the invitation carries its link; a grant and a
// revocation are told to the person once; grants that need no mail (of an
// invitation, the bootstrap, or stored before grants named their admin)
// send none, and neither does the password an invitee chose.
func TestStaffEmails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		typ       string
		lang      string
		data      map[string]any
		wantMails int
		subject   string
		inText    string
	}{
		{"invitation", notifier.EventStaffInvited, "", map[string]any{"role": "support", "invitedBy": "a1"}, 1, "invited", "as support staff"},
		{"invitation in German", notifier.EventStaffInvited, "de", map[string]any{"role": "admin", "invitedBy": "a1"}, 1, "Einladung", "als Administrator"},
		{"grant by an admin", notifier.EventRoleGranted, "", map[string]any{"role": "admin", "grantedBy": "a1"}, 1, "admin role", "https://shop.example/admin"},
		{"grant in German", notifier.EventRoleGranted, "de", map[string]any{"role": "support", "grantedBy": "a1"}, 1, "Rolle support", "Backoffice"},
		{"grant of an invitation", notifier.EventRoleGranted, "", map[string]any{"role": "support", "grantedBy": "a1", "viaInvitation": true}, 0, "", ""},
		{"grant of the bootstrap", notifier.EventRoleGranted, "", map[string]any{"role": "admin", "grantedBy": "bootstrap"}, 0, "", ""},
		{"grant stored before actors", notifier.EventRoleGranted, "", map[string]any{"role": "admin"}, 0, "", ""},
		{"revocation", notifier.EventRoleRevoked, "", map[string]any{"role": "support", "revokedBy": "a1"}, 1, "support role", "within 15 minutes"},
		{"revocation in German", notifier.EventRoleRevoked, "de", map[string]any{"role": "admin", "revokedBy": "a1"}, 1, "entfernt", "15 Minuten"},
		{"the invitee's first password", notifier.EventPasswordChanged, "", map[string]any{"reason": "invitation"}, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			ctx := context.Background()
			userID := uuid.NewString()
			if tt.lang != "" {
				h.prefs.Set(userID, notifier.MarketingContact{Lang: tt.lang})
			}
			plain := "tok-" + uuid.NewString()
			data := map[string]any{"userId": userID, "email": "staff@example.com", "name": "Sam", "sealedToken": h.box.Seal(plain, userID)}
			for k, v := range tt.data {
				data[k] = v
			}
			ev := event(tt.typ, "user-"+userID, 2, data)
			for range 2 { // a redelivery must not send again
				if err := h.handle(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			got := h.outbox.To("staff@example.com")
			if len(got) != tt.wantMails {
				t.Fatalf("%d mails, want %d", len(got), tt.wantMails)
			}
			if tt.wantMails == 0 {
				return
			}
			m := got[0]
			if !strings.Contains(m.Subject, tt.subject) || !strings.Contains(m.Text, "Sam") || !strings.Contains(m.Text, tt.inText) {
				t.Fatalf("mail = %q\n%s", m.Subject, m.Text)
			}
			if tt.typ == notifier.EventStaffInvited {
				link := "https://shop.example/accept-invite?token=" + url.QueryEscape(plain)
				if !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link) {
					t.Fatalf("link %s missing:\n%s", link, m.Text)
				}
			}
		})
	}
	t.Run("a malformed invitation is recorded for support", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, nil)
		ev := event(notifier.EventStaffInvited, "user-x", 0, map[string]any{"userId": "x", "email": "staff@example.com"})
		if err := h.handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		if failed, _ := h.n.FailedDeliveries(context.Background(), 10); len(failed) != 1 || failed[0].Key != ev.ID {
			t.Fatalf("failed deliveries = %+v", failed)
		}
	})
}
