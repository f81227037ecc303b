package apps

import (
	"errors"
	"net/url"
	"strings"

	"github.com/opengenauth/genauth/internal/model"
)

const (
	maxScopesLen  = 1024
	maxWebOrigins = 100
)

// protocolSettings validates p's allowed scopes, claim format, access
// token format and web origins and sets them on app; app.DefaultProtocol
// must be set already.
func protocolSettings(app *model.Application, p CreateParams) error {
	scopes, err := normalizeScopes(p.AllowedScopes)
	if err != nil {
		return err
	}
	app.AllowedScopes = scopes
	app.ClaimsFormat = orDefault(strings.ToLower(strings.TrimSpace(p.ClaimsFormat)), model.ClaimsStandard)
	if app.ClaimsFormat != model.ClaimsStandard && app.ClaimsFormat != model.ClaimsGenAuth {
		return invalid("unknown claims format %q (want standard or genauth)", p.ClaimsFormat)
	}
	format := model.AccessTokenJWT
	if app.DefaultProtocol == model.ProtocolOAuth {
		format = model.AccessTokenOpaque
	}
	app.AccessTokenFormat = orDefault(strings.ToLower(strings.TrimSpace(p.AccessTokenFormat)), format)
	if app.AccessTokenFormat != model.AccessTokenOpaque && app.AccessTokenFormat != model.AccessTokenJWT {
		return invalid("unknown access token format %q (want opaque or jwt)", p.AccessTokenFormat)
	}
	if len(p.WebOrigins) > maxWebOrigins {
		return invalid("at most %d web origins", maxWebOrigins)
	}
	app.WebOrigins = nil
	for _, o := range p.WebOrigins {
		norm, err := NormalizeOrigin(o)
		if err != nil {
			return invalid("web origin %q: %v", o, err)
		}
		app.WebOrigins = append(app.WebOrigins, norm)
	}
	app.WebOrigins = dedupe(app.WebOrigins)
	return nil
}

// normalizeScopes checks a space-separated scope list (RFC 6749 section
// 3.3 characters) and returns it with duplicates and extra spaces removed.
func normalizeScopes(raw string) (string, error) {
	if len(raw) > maxScopesLen {
		return "", invalid("the allowed scopes are longer than %d characters", maxScopesLen)
	}
	var out []string
	for _, s := range strings.Fields(raw) {
		for _, c := range s {
			if c < 0x21 || c == '"' || c == '\\' || c > 0x7e {
				return "", invalid("the allowed scope %q contains a character a scope cannot hold", s)
			}
		}
		out = append(out, s)
	}
	out = dedupe(out)
	for _, s := range out {
		if s == model.AnyScope && len(out) > 1 {
			return "", invalid("the allowed scope * means any scope and stands alone")
		}
	}
	return strings.Join(out, " "), nil
}

// NormalizeOrigin returns u as a browser sends it in the Origin header
// (RFC 6454): a lower-case http or https scheme and host, and the port
// only when it is not the scheme's default. A path, query, fragment or user
// name is refused, and so are "*" and "null".
func NormalizeOrigin(u string) (string, error) {
	parsed, err := url.Parse(u)
	if err != nil || len(u) > 2048 {
		return "", errInvalidOrigin
	}
	scheme := strings.ToLower(parsed.Scheme)
	if (scheme != "http" && scheme != "https") || parsed.Host == "" || parsed.User != nil || parsed.Opaque != "" ||
		(parsed.Path != "" && parsed.Path != "/") || parsed.RawQuery != "" || parsed.ForceQuery || parsed.Fragment != "" ||
		strings.Contains(u, "#") {
		return "", errInvalidOrigin
	}
	host, port := strings.ToLower(parsed.Hostname()), parsed.Port()
	if host == "" {
		return "", errInvalidOrigin
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	} else if strings.Trim(host, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" {
		return "", errInvalidOrigin // no wildcards; a browser sends international names as punycode
	}
	if port != "" {
		return scheme + "://" + host + ":" + port, nil
	}
	return scheme + "://" + host, nil
}

var errInvalidOrigin = errors.New("not an origin: want http or https://host[:port] and nothing after")

// WebOrigins are the browser origins that may read app's protocol answers:
// its web origins, or when it lists none, those of its http and https login
// callbacks.
func WebOrigins(app *model.Application) []string {
	if len(app.WebOrigins) > 0 {
		return app.WebOrigins
	}
	var out []string
	for _, u := range app.RedirectURIs {
		parsed, err := url.Parse(u)
		if err != nil {
			continue
		}
		parsed.Path, parsed.RawPath, parsed.RawQuery, parsed.Fragment, parsed.User = "", "", "", "", nil
		if o, err := NormalizeOrigin(parsed.String()); err == nil {
			out = append(out, o)
		}
	}
	return dedupe(out)
}
