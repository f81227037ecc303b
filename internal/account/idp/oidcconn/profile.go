package oidcconn

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/opengenauth/genauth/internal/model"
)

// defaultClaims name the claim each profile field is read from when the
// connection's Mapping does not: OpenID Connect's names, which the
// generic OAuth 2.0 connection reads from its userinfo JSON too.
var defaultClaims = map[string]string{
	model.ProfileSubject:       "sub",
	model.ProfileEmail:         "email",
	model.ProfileEmailVerified: "email_verified",
	model.ProfileName:          "name",
	model.ProfileUsername:      "preferred_username",
	model.ProfilePicture:       "picture",
	model.ProfilePhone:         "phone_number",
}

// tokenOnly are the id token's claims about the token rather than the
// user; they stay out of the profile's Raw.
var tokenOnly = []string{"iss", "aud", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time", "azp", "jti", "sid", "acr", "amr"}

// tokenClaims are idt's user claims, numbers kept as json.Number.
func tokenClaims(idt *oidc.IDToken) (map[string]any, error) {
	var raw json.RawMessage
	if err := idt.Claims(&raw); err != nil {
		return nil, fmt.Errorf("%w: id token claims: %v", model.ErrUpstreamRefused, err)
	}
	m, err := jsonObject(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: id token claims: %v", model.ErrUpstreamRefused, err)
	}
	for _, k := range tokenOnly {
		delete(m, k)
	}
	return m, nil
}

// mapProfile reads the profile from claims by conn's Mapping. The subject
// must be a non-empty string or a number (given as its decimal string).
func mapProfile(conn *model.ExtIdpConn, claims map[string]any) (*model.UpstreamProfile, error) {
	claim := func(field string) any {
		name := conn.Fields.Mapping[field]
		if name == "" {
			name = defaultClaims[field]
		}
		return claims[name]
	}
	str := func(field string) string { return text(claim(field)) }
	p := &model.UpstreamProfile{
		Subject:  str(model.ProfileSubject),
		Email:    str(model.ProfileEmail),
		Phone:    str(model.ProfilePhone),
		Name:     str(model.ProfileName),
		Username: str(model.ProfileUsername),
		Picture:  str(model.ProfilePicture),
		Raw:      claims,
	}
	if p.Subject == "" {
		return nil, fmt.Errorf("%w: no subject in the claims", model.ErrUpstreamRefused)
	}
	switch v := claim(model.ProfileEmailVerified).(type) {
	case bool:
		p.EmailVerified = v
	case string:
		p.EmailVerified = strings.EqualFold(v, "true")
	case nil:
		p.EmailVerified = conn.Fields.TrustEmail && p.Email != ""
	}
	return p, nil
}

// text is a claim as a string: strings as they are, numbers in decimal,
// anything else "".
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		// An integer literal is already its decimal string, however long.
		if s := v.String(); strings.TrimLeft(strings.TrimPrefix(s, "-"), "0123456789") == "" {
			return s
		}
		if f, err := v.Float64(); err == nil {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return ""
}
