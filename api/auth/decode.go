package auth

import (
	"github.com/evshop/shop/platform/httpx"
)

// Request bodies. Decoding is strict (httpx.DecodeBytes: JSON object, UTF-8,
// bounded depth, no unknown fields); the decode functions add the presence
// and size checks every endpoint shares, so the handlers and the fuzz targets
// run exactly the same code.

// maxField bounds any string field before it reaches the domain or a hash.
const maxField = 1024

type registerRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type tokenRequest struct {
	Token string `json:"token"`
}

type forgotRequest struct {
	Email string `json:"email"`
}

type resetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

type changePasswordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// required reports every empty or oversized field as one 422 problem.
func required(fields ...[2]string) error {
	var errs []httpx.FieldError
	for _, f := range fields {
		switch {
		case f[1] == "":
			errs = append(errs, httpx.FieldError{Field: f[0], Reason: "is required"})
		case len(f[1]) > maxField:
			errs = append(errs, httpx.FieldError{Field: f[0], Reason: "is too long"})
		}
	}
	if len(errs) > 0 {
		return httpx.Invalid(errs...)
	}
	return nil
}

func decodeRegister(body []byte) (registerRequest, error) {
	var r registerRequest
	if err := httpx.DecodeBytes(body, &r); err != nil {
		return r, err
	}
	return r, required([2]string{"email", r.Email}, [2]string{"password", r.Password}, [2]string{"name", r.Name})
}

func decodeLogin(body []byte) (loginRequest, error) {
	var r loginRequest
	if err := httpx.DecodeBytes(body, &r); err != nil {
		return r, err
	}
	return r, required([2]string{"email", r.Email}, [2]string{"password", r.Password})
}

func decodeToken(body []byte) (tokenRequest, error) {
	var r tokenRequest
	if err := httpx.DecodeBytes(body, &r); err != nil {
		return r, err
	}
	return r, required([2]string{"token", r.Token})
}

func decodeForgot(body []byte) (forgotRequest, error) {
	var r forgotRequest
	if err := httpx.DecodeBytes(body, &r); err != nil {
		return r, err
	}
	return r, required([2]string{"email", r.Email})
}

func decodeReset(body []byte) (resetRequest, error) {
	var r resetRequest
	if err := httpx.DecodeBytes(body, &r); err != nil {
		return r, err
	}
	return r, required([2]string{"token", r.Token}, [2]string{"password", r.Password})
}

func decodeChangePassword(body []byte) (changePasswordRequest, error) {
	var r changePasswordRequest
	if err := httpx.DecodeBytes(body, &r); err != nil {
		return r, err
	}
	return r, required([2]string{"currentPassword", r.CurrentPassword}, [2]string{"newPassword", r.NewPassword})
}
