package gateway_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPasswordChangeIsMailedToTheAccount: in the whole embedded shop, a
// password change through the API ends with a mail to the account's address
// in the mail outbox (auth outbox → relay → bus → notifier).
func TestPasswordChangeIsMailedToTheAccount(t *testing.T) {
	t.Parallel()
	shop := newEmbeddedShop(t)
	const email = "changes.password@shop.test"
	b := shop.shopper(t)
	b.signUp(email)
	b.must(b.json("POST", "/api/auth/password/change", map[string]string{
		"currentPassword": hostilePassword, "newPassword": "a brand new passphrase 7"}), 200, "change password")
	waitFor(t, "the password-changed email", func() bool {
		var mails []struct {
			To      string `json:"to"`
			Subject string `json:"subject"`
			Text    string `json:"text"`
		}
		a := b.send("GET", "/dev/mail.json", nil, nil)
		if a.status != 200 || json.Unmarshal(a.body, &mails) != nil {
			return false
		}
		for _, m := range mails {
			if strings.EqualFold(m.To, email) && strings.Contains(m.Subject, "password was changed") &&
				strings.Contains(m.Text, "/forgot-password") {
				return true
			}
		}
		return false
	})
}
