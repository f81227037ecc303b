package management

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
)

// Management tokens and request signatures.
const (
	// TokenTTL is the lifetime of a management token (expires_in).
	TokenTTL = 7200 * time.Second
	// MaxClockSkew bounds how far a signed request's date may be from now.
	MaxClockSkew = 15 * time.Minute
	maxNonceLen  = 128
)

// apiCodes of authentication failures.
const (
	codeBadSignature = 1300
	codeBadDate      = 1303
	codeMissingDate  = 1304
	codeSkewedDate   = 1305
	codeReplay       = 1306
	codeBadLogin     = 2333
)

// tokenKey derives the key that signs management tokens from the access
// key secret, so that rotating the secret also ends every token.
func tokenKey(c *Credentials) []byte {
	m := hmac.New(sha256.New, []byte(c.Secret))
	m.Write([]byte("genauth management token"))
	return m.Sum(nil)
}

// tokenClaims is the payload of a management token. Every value is a hex id
// or an integer, so the JSON is plain ASCII whose base64url and standard
// base64 encodings agree (the Python SDK decodes it with the latter).
type tokenClaims struct {
	Exp        int64  `json:"exp"`
	Iat        int64  `json:"iat"`
	ScopedPool string `json:"scoped_userpool_id"`
	Sub        string `json:"sub"`
}

var tokenHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// issueToken returns a management token (an HS256 JWT) for the access key.
func issueToken(c *Credentials, now time.Time) string {
	payload, _ := json.Marshal(tokenClaims{ // cannot fail for this struct
		Exp:        now.Add(TokenTTL).Unix(),
		Iat:        now.Unix(),
		ScopedPool: c.ID,
		Sub:        c.ID,
	})
	signing := tokenHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, tokenKey(c))
	m.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verifyToken checks a management token's signature, pool and expiry.
func verifyToken(c *Credentials, tok string, now time.Time) *envelope.Error {
	bad := &envelope.Error{Status: http.StatusUnauthorized, Message: "the management token is invalid or expired"}
	header, rest, ok := strings.Cut(tok, ".")
	payloadPart, sig, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || header != tokenHeader {
		return bad
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return bad
	}
	m := hmac.New(sha256.New, tokenKey(c))
	m.Write([]byte(header + "." + payloadPart))
	if !hmac.Equal(got, m.Sum(nil)) {
		return bad
	}
	payload, err := base64.RawURLEncoding.DecodeString(payloadPart)
	if err != nil {
		return bad
	}
	var claims tokenClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return bad
	}
	if claims.ScopedPool != c.ID || now.Unix() >= claims.Exp {
		return bad
	}
	return nil
}

// signatureScheme is one of the two names of the HMAC scheme: the
// Authorization prefix and the prefix of the headers it signs.
type signatureScheme struct{ auth, headers string }

var schemes = []signatureScheme{{"authing", "x-authing-"}, {"genauth", "x-genauth-"}}

// authenticate checks the request's credentials: a management token (with or
// without "Bearer ") or an HMAC signature.
func (h *Handler) authenticate(r *http.Request, body []byte) *envelope.Error {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if auth == "" {
		return &envelope.Error{Status: http.StatusUnauthorized, Message: "authentication required: a management token or a request signature"}
	}
	c, err := h.keys.Load(r.Context())
	if err != nil {
		return h.wr.Internal(r, "loading the access key", err)
	}
	now := h.now()
	name, rest, _ := strings.Cut(auth, " ")
	for _, sc := range schemes {
		if strings.EqualFold(name, sc.auth) {
			return h.checkSignature(r, body, c, sc, strings.TrimSpace(rest), now)
		}
	}
	tok := auth
	if strings.EqualFold(name, "Bearer") {
		tok = strings.TrimSpace(rest)
	}
	return verifyToken(c, tok, now)
}

// checkSignature verifies `<scheme> <AK>:<base64 HMAC-SHA1>`, then the
// date, then the nonce (recorded only for genuine requests).
func (h *Handler) checkSignature(r *http.Request, body []byte, c *Credentials, sc signatureScheme, cred string, now time.Time) *envelope.Error {
	badSig := &envelope.Error{Status: http.StatusUnauthorized, APICode: codeBadSignature, Message: "the request signature is invalid"}
	ak, sig, ok := strings.Cut(cred, ":")
	got, err := base64.StdEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal([]byte(ak), []byte(c.ID)) {
		return badSig
	}
	params, ambiguity := signedParams(r, body)
	m := hmac.New(sha1.New, []byte(c.Secret))
	m.Write([]byte(stringToSign(r, params, sc.headers)))
	if !hmac.Equal(got, m.Sum(nil)) {
		return badSig
	}
	dateValue := strings.TrimSpace(r.Header.Get("Date"))
	if dateValue == "" {
		return &envelope.Error{Status: http.StatusUnauthorized, APICode: codeMissingDate, Message: "the date header is required"}
	}
	date, ok := parseDate(dateValue)
	if !ok {
		return &envelope.Error{Status: http.StatusUnauthorized, APICode: codeBadDate,
			Message: "the date header must be an RFC 1123 date or epoch milliseconds"}
	}
	if d := now.Sub(date); d > MaxClockSkew || d < -MaxClockSkew {
		return &envelope.Error{Status: http.StatusUnauthorized, APICode: codeSkewedDate,
			Message: "the date header is more than " + MaxClockSkew.String() + " away from the server's clock"}
	}
	nonce := strings.TrimSpace(r.Header.Get(sc.headers + "signature-nonce"))
	if nonce == "" || len(nonce) > maxNonceLen {
		return &envelope.Error{Status: http.StatusUnauthorized, APICode: codeReplay,
			Message: sc.headers + "signature-nonce is required (at most 128 characters)"}
	}
	// The nonce outlives every date the skew check accepts.
	switch err := h.cfg.Store.UseNonce(r.Context(), nonce, now, now.Add(2*MaxClockSkew)); {
	case errors.Is(err, model.ErrConflict):
		return &envelope.Error{Status: http.StatusUnauthorized, APICode: codeReplay, Message: "this request was already received (nonce replayed)"}
	case err != nil:
		return h.wr.Internal(r, "recording the nonce", err)
	}
	// Refused only now, with its nonce used up: a request that someone read
	// on its way cannot come back rewritten into its other reading.
	if ambiguity != "" {
		return envelope.BadRequest("the parameters cannot be signed unambiguously: %s", ambiguity)
	}
	return nil
}

// parseDate reads an HTTP date or epoch milliseconds.
func parseDate(v string) (time.Time, bool) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms), true
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// stringToSign is the text the HMAC scheme signs: the method, the canonical
// headers (headerPrefix* and date) and the canonical resource, the path
// and the parameters as signedParams reads them.
func stringToSign(r *http.Request, params map[string]string, headerPrefix string) string {
	var names []string
	for name := range r.Header {
		lower := strings.ToLower(name)
		if lower == "date" || strings.HasPrefix(lower, headerPrefix) {
			names = append(names, lower)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(strings.ToUpper(r.Method) + "\n")
	for _, name := range names {
		b.WriteString(name + ":" + strings.TrimSpace(strings.Join(r.Header.Values(name), ",")) + "\n")
	}
	b.WriteString(r.URL.Path)
	if len(params) > 0 {
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			sep := "&"
			if i == 0 {
				sep = "?"
			}
			b.WriteString(sep + k + "=" + params[k])
		}
	}
	return b.String()
}

// signedParams are the request's parameters as the signature sees them:
// the query for GET (k[]=a&k[]=b or a repeated key as a JSON array), else the
// JSON body's top-level keys (strings as they are, other values as sent).
// ambiguity, when not "", says why the signed text could also be read as
// other parameters (see unambiguous).
func signedParams(r *http.Request, body []byte) (params map[string]string, ambiguity string) {
	out := map[string]string{}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		q, _ := url.ParseQuery(r.URL.RawQuery)
		// In order, so that a name given twice always reads the same way.
		for _, k := range slices.Sorted(maps.Keys(q)) {
			vs := q[k]
			name, isArray := strings.CutSuffix(k, "[]")
			if _, twice := out[name]; twice {
				// Both name[] and name: one of them would go unsigned.
				ambiguity = name + " is given both as " + name + "[] and " + name
			}
			if isArray || len(vs) > 1 {
				out[name] = jsonText(vs)
			} else {
				out[name] = vs[0]
			}
		}
	} else {
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) != nil {
			return out, ""
		}
		for k, raw := range fields {
			var s string
			if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
				out[k] = s
			} else {
				out[k] = string(raw)
			}
		}
	}
	if ambiguity == "" {
		ambiguity = unambiguous(out)
	}
	return out, ambiguity
}

// pairStart is text that reads as the start of a "key=value" pair after an
// "&": a key holds neither "&" nor "=".
var pairStart = regexp.MustCompile(`&[^&=]*=`)

// unambiguous checks that the signed text k1=v1&k2=v2... (keys sorted,
// nothing escaped: GenAuth's SDKs sign it so) spells these parameters and no
// others: no key holds "&" or "=", and no value holds pairStart. Then every
// "&" that would start a pair is a separator, so two parameter sets that
// both pass sign differently; merging or splitting parameters (say
// {"nickname":"n&password=X"} and {"nickname":"n","password":"X"}) needs a
// value that fails. It returns why not, or "".
func unambiguous(params map[string]string) string {
	for k, v := range params {
		if strings.ContainsAny(k, "&=") {
			return "a parameter name holds \"&\" or \"=\""
		}
		if pairStart.MatchString(v) {
			return "the value of " + k + " holds \"&name=\", which reads as another parameter; use a management token to send it"
		}
	}
	return ""
}

// jsonText is v as compact JSON, with <, > and & left as they are (as
// JavaScript's JSON.stringify writes them).
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings only: cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}

// hmacEqual compares two secrets in constant time, lengths included.
func hmacEqual(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return hmac.Equal(ha[:], hb[:])
}
