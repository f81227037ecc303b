package oauth

import (
	"slices"
	"strings"

	"github.com/opengenauth/genauth/internal/model"
)

// Default scopes when a request names none.
const (
	defaultOAuthScope = "user"
	defaultOIDCScope  = "openid profile email phone address"
	maxScopeLen       = 1024
)

func defaultScope(protocol string) string {
	if protocol == model.ProtocolOIDC {
		return defaultOIDCScope
	}
	return defaultOAuthScope
}

// normalizeScope checks RFC 6749 section 3.3 syntax and returns the scope
// with duplicates and extra spaces removed, in the order given.
func normalizeScope(raw string) (string, *Error) {
	if len(raw) > maxScopeLen {
		return "", invalidScope("the scope is too long")
	}
	var out []string
	for _, s := range strings.Fields(raw) {
		for _, c := range s {
			if c < 0x21 || c == '"' || c == '\\' || c > 0x7e {
				return "", invalidScope("the scope contains an invalid character")
			}
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, " "), nil
}

// narrowScope returns requested when every part of it is in granted.
func narrowScope(requested, granted string) (string, *Error) {
	req, e := normalizeScope(requested)
	if e != nil {
		return "", e
	}
	have := strings.Fields(granted)
	for _, s := range strings.Fields(req) {
		if !slices.Contains(have, s) {
			return "", invalidScope("the scope " + s + " was not granted")
		}
	}
	return req, nil
}

// allowedScope checks a normalised client_credentials scope against the
// application's allowed scopes (model.AnyScope: any).
func allowedScope(scope, allowed string) *Error {
	if allowed == model.AnyScope {
		return nil
	}
	have := strings.Fields(allowed)
	for _, s := range strings.Fields(scope) {
		if !slices.Contains(have, s) {
			return invalidScope("the scope " + s + " is not allowed for this client")
		}
	}
	return nil
}
