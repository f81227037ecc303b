package oauth

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/opengenauth/genauth"
)

const maxNonceLen = 512

// authorizeRequest is a parsed authorization request whose client and
// redirect URI are known good, so failures from here on are redirected.
type authorizeRequest struct {
	app                 *genauth.Application
	redirectURI         string
	responseType        string
	fragment            bool // respond in the fragment rather than the query
	state               string
	scope               string
	nonce               string
	codeChallenge       string
	codeChallengeMethod string
	prompt              []string
}

// authorize serves GET and POST /P/auth (RFC 6749 section 4.1.1 and 4.2.1).
// Without a browser session it sends the user to the hosted login page and
// back here afterwards.
func (h *Handler) authorize(w http.ResponseWriter, r request) *Error {
	var p params
	var e *Error
	switch r.Method {
	case http.MethodGet:
		p, e = parseQuery(r.Request)
	case http.MethodPost:
		p, e = parseBody(w, r.Request)
	default:
		return methodNotAllowed("GET, POST")
	}
	if e != nil {
		h.cfg.ShowError(w, r.Request, http.StatusBadRequest, "Invalid authorization request", e.Description)
		return nil
	}
	ar, status, msg := h.authorizeClient(r, p)
	if ar == nil {
		h.cfg.ShowError(w, r.Request, status, "Invalid authorization request", msg)
		return nil
	}
	if e := ar.parse(p, r.protocol); e != nil {
		h.redirectError(w, r.Request, ar, e)
		return nil
	}
	sess, err := h.cfg.Sessions.Current(r.Request)
	if err != nil && !errors.Is(err, genauth.ErrNotFound) {
		h.cfg.Logger.ErrorContext(r.Context(), "reading session", "err", err)
		h.redirectError(w, r.Request, ar, serverError())
		return nil
	}
	switch {
	case slices.Contains(ar.prompt, "none") && sess == nil:
		h.redirectError(w, r.Request, ar, loginRequired("the user is not signed in"))
		return nil
	case sess == nil || slices.Contains(ar.prompt, "login"):
		// After login the user returns to this request without prompt=login,
		// which would otherwise send them back to the login page forever.
		delete(p, "prompt")
		h.toLogin(w, r.Request, p)
		return nil
	}
	if ar.responseType == "token" {
		h.issueImplicit(w, r, ar, sess)
	} else {
		h.issueCode(w, r, ar, sess)
	}
	return nil
}

// authorizeClient validates client_id and redirect_uri; failing that it
// returns an HTTP status and a message for the error page, since an
// unverified redirect URI must never be redirected to.
func (h *Handler) authorizeClient(r request, p params) (*authorizeRequest, int, string) {
	clientID := p.get("client_id")
	if clientID == "" {
		return nil, http.StatusBadRequest, "The request has no client_id."
	}
	app, err := h.cfg.Store.GetApplication(r.Context(), clientID)
	if errors.Is(err, genauth.ErrNotFound) {
		return nil, http.StatusBadRequest, "No application has this client_id."
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "looking up client", "err", err)
		return nil, http.StatusInternalServerError, "The server could not complete the request. Please try again."
	}
	redirectURI := p.get("redirect_uri")
	if redirectURI == "" {
		return nil, http.StatusBadRequest, "The request has no redirect_uri."
	}
	if !slices.Contains(app.RedirectURIs, redirectURI) {
		return nil, http.StatusBadRequest, "The redirect_uri is not a login callback URL of this application."
	}
	return &authorizeRequest{app: app, redirectURI: redirectURI, state: p.get("state")}, 0, ""
}

// parse validates everything after the client and redirect URI.
func (ar *authorizeRequest) parse(p params, protocol string) *Error {
	ar.responseType = p.get("response_type")
	switch ar.responseType {
	case "code":
		if !ar.app.AllowsGrant(genauth.GrantAuthorizationCode) {
			return unauthorizedClient("the authorization code flow is not enabled for this application")
		}
	case "token":
		ar.fragment = true
		if !ar.app.AllowsGrant(genauth.GrantImplicit) {
			return unauthorizedClient("the implicit flow is not enabled for this application")
		}
	case "":
		return invalidRequest("response_type is required")
	default:
		return unsupportedResponseType("response_type " + safeName(ar.responseType) + " is not supported")
	}
	switch p.get("response_mode") {
	case "":
	case "fragment":
		ar.fragment = true
	case "query":
		if ar.responseType == "token" {
			return invalidRequest("tokens are never sent in the query; use response_mode=fragment")
		}
	default:
		return invalidRequest("response_mode must be query or fragment")
	}
	scope, e := normalizeScope(p.get("scope"))
	if e != nil {
		return e
	}
	if scope == "" {
		scope = defaultScope(protocol)
	}
	ar.scope = scope
	ar.nonce = p.get("nonce")
	if len(ar.nonce) > maxNonceLen {
		return invalidRequest("nonce is too long")
	}
	ar.prompt = strings.Fields(p.get("prompt"))
	for _, v := range ar.prompt {
		if v != "none" && v != "login" && v != "consent" && v != "select_account" {
			return invalidRequest("prompt " + safeName(v) + " is not supported")
		}
	}
	if slices.Contains(ar.prompt, "none") && len(ar.prompt) > 1 {
		return invalidRequest("prompt=none cannot be combined with other values")
	}
	if ar.responseType == "code" {
		return ar.parsePKCE(p)
	}
	return nil
}

// parsePKCE validates code_challenge (RFC 7636) and requires it of public clients.
func (ar *authorizeRequest) parsePKCE(p params) *Error {
	challenge, method := p.get("code_challenge"), p.get("code_challenge_method")
	if challenge == "" {
		if method != "" {
			return invalidRequest("code_challenge_method was sent without code_challenge")
		}
		if ar.app.TokenAuthMethod == genauth.AuthNone {
			return invalidRequest("public clients must use PKCE (code_challenge)")
		}
		return nil
	}
	if method == "" {
		method = pkcePlain
	}
	if method != pkceS256 && method != pkcePlain {
		return invalidRequest("code_challenge_method must be S256 or plain")
	}
	if !validPKCEValue(challenge) {
		return invalidRequest("code_challenge must be 43 to 128 unreserved characters")
	}
	ar.codeChallenge, ar.codeChallengeMethod = challenge, method
	return nil
}

func (h *Handler) issueCode(w http.ResponseWriter, r request, ar *authorizeRequest, sess *genauth.Session) {
	now := h.now()
	value := h.cfg.Tokens.Opaque()
	code := &genauth.AuthCode{
		Hash:                hashToken(value),
		GrantID:             h.cfg.Tokens.JTI(),
		ClientID:            ar.app.ID,
		UserID:              sess.UserID,
		RedirectURI:         ar.redirectURI,
		Scope:               ar.scope,
		Protocol:            r.protocol,
		Nonce:               ar.nonce,
		CodeChallenge:       ar.codeChallenge,
		CodeChallengeMethod: ar.codeChallengeMethod,
		SessionIDHash:       sess.IDHash,
		AuthTime:            sess.AuthTime,
		CreatedAt:           now,
		ExpiresAt:           now.Add(genauth.AuthCodeTTL),
	}
	if err := h.cfg.Store.CreateAuthCode(r.Context(), code); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "storing code", "err", err)
		h.redirectError(w, r.Request, ar, serverError())
		return
	}
	v := url.Values{"code": {value}}
	if ar.state != "" {
		v.Set("state", ar.state)
	}
	h.redirect(w, r.Request, ar, v)
}

func (h *Handler) issueImplicit(w http.ResponseWriter, r request, ar *authorizeRequest, sess *genauth.Session) {
	now := h.now()
	access, value := h.mint(genauth.TokenAccess, ar.app, sess.UserID, ar.scope, r.protocol, h.cfg.Tokens.JTI(), now)
	if err := h.cfg.Store.CreateTokens(r.Context(), access); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "storing implicit token", "err", err)
		h.redirectError(w, r.Request, ar, serverError())
		return
	}
	v := url.Values{
		"access_token": {value},
		"token_type":   {"Bearer"},
		"expires_in":   {strconv.FormatInt(int64(ar.app.AccessTokenTTL.Seconds()), 10)},
		"scope":        {ar.scope},
	}
	if ar.state != "" {
		v.Set("state", ar.state)
	}
	h.redirect(w, r.Request, ar, v)
}

// redirectError sends an error back to the client's verified redirect URI.
func (h *Handler) redirectError(w http.ResponseWriter, r *http.Request, ar *authorizeRequest, e *Error) {
	v := url.Values{"error": {e.Code}, "error_description": {e.Description}}
	if ar.state != "" {
		v.Set("state", ar.state)
	}
	h.redirect(w, r, ar, v)
}

// redirect appends v to the redirect URI's query (keeping its own
// parameters) or puts it in the fragment.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, ar *authorizeRequest, v url.Values) {
	target := ar.redirectURI
	switch {
	case ar.fragment:
		target += "#" + v.Encode()
	case strings.Contains(target, "?"):
		target += "&" + v.Encode()
	default:
		target += "?" + v.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}

// toLogin sends the browser to the hosted login page, which returns it to
// this authorization request afterwards.
func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request, p params) {
	v := url.Values{}
	for k, val := range p {
		v.Set(k, val)
	}
	returnTo := r.URL.Path + "?" + v.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, h.cfg.LoginPath+"?"+url.Values{"return_to": {returnTo}}.Encode(), http.StatusFound)
}
