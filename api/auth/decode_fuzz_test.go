package auth

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/evshop/shop/platform/httpx"
)

// Each auth endpoint's body decoder is fuzzed: whatever the bytes, it must
// not panic, and it must either refuse with a 4xx problem or return a value
// that holds only bounded, present fields and survives a JSON round trip.

var seeds = [][]byte{
	[]byte(`{"email":"ann@shop.test","password":"correct horse battery","name":"Ann"}`),
	[]byte(`{"token":"abc.def"}`),
	[]byte(`{"currentPassword":"a","newPassword":"b"}`),
	[]byte(`{"email":"x","unknown":1}`),
	[]byte(`{"email":1}`),
	[]byte(`[]`), []byte(`{}`), []byte(`null`), []byte(``), []byte(`{"a":`), []byte("\xff\xfe"),
	[]byte(`{"email":"a"}{"email":"b"}`), []byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`),
	[]byte(`{"email":"\u0000","password":"\ud800"}`),
}

func fuzzDecoder[T any](f *testing.F, decode func([]byte) (T, error)) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decode(body)
		if err != nil {
			var p *httpx.Problem
			if !errors.As(err, &p) || p.Status < 400 || p.Status > 499 {
				t.Fatalf("decode error is not a 4xx problem: %#v", err)
			}
			return
		}
		rv := reflect.ValueOf(v)
		for i := range rv.NumField() {
			s := rv.Field(i).String()
			if s == "" || len(s) > maxField {
				t.Fatalf("field %s accepted with length %d", rv.Type().Field(i).Name, len(s))
			}
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decode(again)
		if err != nil || !reflect.DeepEqual(back, v) {
			t.Fatalf("round trip: %v %#v != %#v", err, back, v)
		}
	})
}

func FuzzDecodeRegister(f *testing.F)       { fuzzDecoder(f, decodeRegister) }
func FuzzDecodeLogin(f *testing.F)          { fuzzDecoder(f, decodeLogin) }
func FuzzDecodeVerify(f *testing.F)         { fuzzDecoder(f, decodeToken) }
func FuzzDecodeForgot(f *testing.F)         { fuzzDecoder(f, decodeForgot) }
func FuzzDecodeReset(f *testing.F)          { fuzzDecoder(f, decodeReset) }
func FuzzDecodeChangePassword(f *testing.F) { fuzzDecoder(f, decodeChangePassword) }

func TestDecodeTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"ok", `{"email":"a@b.test","password":"pw"}`, 0},
		{"unknown field", `{"email":"a@b.test","password":"pw","admin":true}`, 422},
		{"wrong type", `{"email":1,"password":"pw"}`, 422},
		{"missing field", `{"email":"a@b.test"}`, 422},
		{"malformed", `{"email":`, 400},
		{"empty", ``, 400},
		{"two values", `{"email":"a","password":"b"} {}`, 400},
		{"not utf8", "{\"email\":\"\xff\",\"password\":\"b\"}", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeLogin([]byte(tt.body))
			var p *httpx.Problem
			switch {
			case tt.status == 0 && err != nil:
				t.Fatalf("err = %v", err)
			case tt.status != 0 && (!errors.As(err, &p) || p.Status != tt.status):
				t.Fatalf("err = %v, want status %d", err, tt.status)
			}
		})
	}
}

func FuzzDecodeRole(f *testing.F) {
	f.Add([]byte(`{"role":"support"}`))
	fuzzDecoder(f, decodeRole)
}

// FuzzDecodeInvite: the invitation's name is optional, so it may be empty;
// email and role never are, and nothing is longer than maxField.
func FuzzDecodeInvite(f *testing.F) {
	for _, s := range append(seeds, []byte(`{"email":"a@shop.test","role":"admin"}`), []byte(`{"email":"a@shop.test","role":"support","name":""}`)) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decodeInvite(body)
		if err != nil {
			var p *httpx.Problem
			if !errors.As(err, &p) || p.Status < 400 || p.Status > 499 {
				t.Fatalf("decode error is not a 4xx problem: %#v", err)
			}
			return
		}
		if v.Email == "" || v.Role == "" || len(v.Email) > maxField || len(v.Role) > maxField || len(v.Name) > maxField {
			t.Fatalf("accepted %#v", v)
		}
		again, _ := json.Marshal(v)
		if back, err := decodeInvite(again); err != nil || back != v {
			t.Fatalf("round trip: %v %#v != %#v", err, back, v)
		}
	})
}
