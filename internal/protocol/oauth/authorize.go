package oauth

import (
	"errors"
	"github.com/opengenauth/genauth/internal/protocol/claims"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/token"
)

const maxNonceLen = 512

// Consent decisions posted by the consent page.
const (
	consentApprove = "approve"
	consentDeny    = "deny"
	// consentField carries the decision; it is never part of an authorization request.
	consentField = "consent"
)

// authorizeRequest is a parsed authorization request whose client and
// redirect URI are known good, so failures from here on are redirected.
type authorizeRequest struct {
	app                 *model.Application
	protocol            string
	redirectURI         string
	responseType        string // normalised: fields sorted, e.g. "code id_token"
	code, token, idTok  bool   // what the response type asks for
	mode                string // query, fragment or form_post
	state               string
	scope               string
	nonce               string
	codeChallenge       string
	codeChallengeMethod string
	prompt              []string
	maxAge              time.Duration // < 0: none asked
	acrValues           []string      // acr_values, in order of preference
}

// authorize serves GET and POST /P/auth (RFC 6749 sections 4.1 and 4.2,
// OpenID Connect Core 3). Without a fresh enough browser session it sends the
// user to the hosted login page and back here afterwards.
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
	delete(p, consentField)
	h.runAuthorize(w, r, p, "")
	return nil
}

// consent serves POST /P/auth/consent, the consent page's answer. It carries
// the whole authorization request again, which is validated from scratch.
func (h *Handler) consent(w http.ResponseWriter, r request) *Error {
	if r.Method != http.MethodPost {
		return methodNotAllowed(http.MethodPost)
	}
	p, e := parseBody(w, r.Request)
	if e != nil {
		h.cfg.ShowError(w, r.Request, http.StatusBadRequest, "Invalid consent", e.Description)
		return nil
	}
	decision := p.get(consentField)
	delete(p, consentField)
	if decision != consentApprove && decision != consentDeny {
		h.cfg.ShowError(w, r.Request, http.StatusBadRequest, "Invalid consent", "Choose whether to allow or deny access.")
		return nil
	}
	h.runAuthorize(w, r, p, decision)
	return nil
}

// runAuthorize validates the request, makes sure the user is signed in and
// has consented, and answers the client. decision is the consent page's
// answer, empty when the request did not come from it.
func (h *Handler) runAuthorize(w http.ResponseWriter, r request, p params, decision string) {
	ar, status, msg := h.authorizeClient(r, p)
	if ar == nil {
		if status == http.StatusServiceUnavailable {
			// Without a verified client the error cannot be redirected.
			w.Header().Set("Retry-After", health.RetryAfter(model.ErrUnavailable))
			h.cfg.ShowError(w, r.Request, status, "Service unavailable", msg)
			return
		}
		h.cfg.ShowError(w, r.Request, status, "Invalid authorization request", msg)
		return
	}
	if e := ar.parse(p); e != nil {
		h.redirectError(w, r.Request, ar, e)
		return
	}
	ctx := r.Context()
	sess, err := h.cfg.Sessions.Current(r.Request)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		h.redirectError(w, r.Request, ar, h.internal(ctx, "reading session", err))
		return
	}
	now := h.now()
	needLogin := sess == nil ||
		(decision == "" && slices.Contains(ar.prompt, "login")) ||
		(ar.maxAge >= 0 && now.Sub(sess.AuthTime) > ar.maxAge)
	if needLogin {
		if slices.Contains(ar.prompt, "none") {
			h.redirectError(w, r.Request, ar, loginRequired("the user is not signed in"))
			return
		}
		// After login the user returns here without prompt=login or
		// max_age, which would otherwise send them back to the login page
		// forever (max_age=0 is older than any login by the time the
		// browser returns).
		delete(p, "prompt")
		delete(p, "max_age")
		h.toPage(w, r.Request, h.cfg.LoginPath, p)
		return
	}
	switch need, e := h.needsSecondFactor(r, ar, sess); {
	case e != nil:
		h.redirectError(w, r.Request, ar, e)
		return
	case need && slices.Contains(ar.prompt, "none"):
		h.redirectError(w, r.Request, ar, interactionRequired("the user must prove a second factor"))
		return
	case need:
		h.toPage(w, r.Request, h.cfg.StepUpPath, p)
		return
	}
	if ok := h.checkConsent(w, r, ar, p, sess, decision); !ok {
		return
	}
	user, err := h.cfg.Users.GetUser(ctx, sess.UserID)
	if err != nil {
		h.redirectError(w, r.Request, ar, h.internal(ctx, "looking up session user", err))
		return
	}
	v, e := h.issueAuthorization(r, ar, sess, user)
	if e != nil {
		h.redirectError(w, r.Request, ar, e)
		return
	}
	if ar.token {
		h.record(r.Request, model.AuditEvent{Type: model.AuditTokenIssue, UserID: user.ID, ClientID: ar.app.ID, Detail: model.GrantImplicit})
	}
	h.respond(w, r.Request, ar, v)
}

// checkConsent returns true when the user may go on: the application is
// first-party, the user consented before to these scopes, or just did. It
// otherwise answers the request itself.
func (h *Handler) checkConsent(w http.ResponseWriter, r request, ar *authorizeRequest, p params, sess *model.Session, decision string) bool {
	ctx := r.Context()
	forced := slices.Contains(ar.prompt, "consent")
	switch {
	case decision == consentDeny:
		h.redirectError(w, r.Request, ar, accessDenied("the user denied access"))
		return false
	case decision == consentApprove:
		now := h.now()
		scopes := strings.Fields(ar.scope)
		// A new approval adds to what the user allowed before.
		prev, err := h.cfg.Consents.GetConsent(ctx, sess.UserID, ar.app.ID)
		switch {
		case err == nil:
			for _, s := range prev.Scopes {
				if !slices.Contains(scopes, s) {
					scopes = append(scopes, s)
				}
			}
		case !errors.Is(err, model.ErrNotFound):
			h.redirectError(w, r.Request, ar, h.internal(ctx, "reading consent", err))
			return false
		}
		c := &model.Consent{UserID: sess.UserID, ClientID: ar.app.ID, Scopes: scopes, CreatedAt: now, UpdatedAt: now}
		if err := h.cfg.Consents.SaveConsent(ctx, c); err != nil {
			h.redirectError(w, r.Request, ar, h.internal(ctx, "saving consent", err))
			return false
		}
		return true
	case !ar.app.RequireConsent && !forced:
		return true
	}
	if !forced {
		c, err := h.cfg.Consents.GetConsent(ctx, sess.UserID, ar.app.ID)
		switch {
		case err == nil && covers(c.Scopes, ar.scope):
			return true
		case err != nil && !errors.Is(err, model.ErrNotFound):
			h.redirectError(w, r.Request, ar, h.internal(ctx, "reading consent", err))
			return false
		}
	}
	if slices.Contains(ar.prompt, "none") {
		h.redirectError(w, r.Request, ar, consentRequired("the user has not consented to these scopes"))
		return false
	}
	fields := make(map[string]string, len(p))
	for k, v := range p {
		fields[k] = v
	}
	w.Header().Set("Cache-Control", "no-store")
	h.cfg.ShowConsent(w, r.Request, ConsentPrompt{
		AppName: ar.app.Name,
		Scopes:  strings.Fields(ar.scope),
		Action:  "/" + ar.protocol + "/auth/consent",
		Fields:  fields,
	})
	return false
}

// ConsentPrompt is what the consent page shows and posts back.
type ConsentPrompt struct {
	AppName string
	Scopes  []string
	// Action is where the form posts, with Fields as hidden inputs and a
	// submit button named "consent" valued "approve" or "deny".
	Action string
	Fields map[string]string
}

func covers(granted []string, scope string) bool {
	for _, s := range strings.Fields(scope) {
		if !slices.Contains(granted, s) {
			return false
		}
	}
	return true
}

// authorizeClient validates client_id and redirect_uri; failing that it
// returns an HTTP status and a message for the error page, since an
// unverified redirect URI must never be redirected to.
func (h *Handler) authorizeClient(r request, p params) (*authorizeRequest, int, string) {
	clientID := p.get("client_id")
	if clientID == "" {
		return nil, http.StatusBadRequest, "The request has no client_id."
	}
	app, err := h.cfg.Apps.GetApplication(r.Context(), clientID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, http.StatusBadRequest, "No application has this client_id."
	}
	if err != nil {
		if h.cfg.Health.Failed(r.Context(), err) {
			return nil, http.StatusServiceUnavailable, "The service cannot answer right now. Please try again in a moment."
		}
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
	ar := &authorizeRequest{app: app, protocol: r.protocol, redirectURI: redirectURI, state: p.get("state"), mode: "query"}
	// Until the response type is known good, errors go where its default
	// mode would send them: the fragment for anything that returns tokens.
	for _, w := range strings.Fields(p.get("response_type")) {
		if w == "token" || w == "id_token" {
			ar.mode = "fragment"
		}
	}
	return ar, 0, ""
}

// parse validates everything after the client and redirect URI.
func (ar *authorizeRequest) parse(p params) *Error {
	if e := ar.parseResponseType(p.get("response_type")); e != nil {
		return e
	}
	switch m := p.get("response_mode"); m {
	case "":
	case "query":
		if ar.responseType != "code" {
			return invalidRequest("tokens are never sent in the query; use response_mode=fragment or form_post")
		}
		ar.mode = m
	case "fragment", "form_post":
		ar.mode = m
	default:
		return invalidRequest("response_mode must be query, fragment or form_post")
	}
	if ar.protocol == model.ProtocolOIDC {
		if _, ok := p["request"]; ok {
			return requestNotSupported("request_not_supported", "request objects are not supported")
		}
		if _, ok := p["request_uri"]; ok {
			return requestNotSupported("request_uri_not_supported", "request_uri is not supported")
		}
	}
	scope, e := normalizeScope(p.get("scope"))
	if e != nil {
		return e
	}
	if scope == "" {
		scope = defaultScope(ar.protocol)
	}
	ar.scope = scope
	if ar.idTok && !claims.IsOIDC(ar.protocol, scope) {
		return invalidScope("response types with id_token need the openid scope")
	}
	ar.nonce = p.get("nonce")
	if len(ar.nonce) > maxNonceLen {
		return invalidRequest("nonce is too long")
	}
	if ar.idTok && ar.nonce == "" {
		return invalidRequest("nonce is required when an id_token is returned from the authorization endpoint")
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
	ar.maxAge = -1
	if v, ok := p["max_age"]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1<<31 {
			return invalidRequest("max_age must be a non-negative number of seconds")
		}
		ar.maxAge = time.Duration(n) * time.Second
	}
	ar.acrValues = strings.Fields(p.get("acr_values"))
	if ar.code {
		return ar.parsePKCE(p)
	}
	return nil
}

// parseResponseType accepts code and token everywhere and the OpenID Connect
// types with id_token under /oidc; the order of the words does not matter.
func (ar *authorizeRequest) parseResponseType(raw string) *Error {
	if raw == "" {
		return invalidRequest("response_type is required")
	}
	words := strings.Fields(raw)
	sort.Strings(words)
	ar.responseType = strings.Join(words, " ")
	switch ar.responseType {
	case "code":
		ar.code = true
	case "token":
		ar.token = true
	case "id_token", "id_token token", "code id_token":
		if ar.protocol != model.ProtocolOIDC {
			return unsupportedResponseType("response_type " + ar.responseType + " is served under /oidc only")
		}
		ar.idTok = true
		ar.code = ar.responseType == "code id_token"
		ar.token = ar.responseType == "id_token token"
	default:
		return unsupportedResponseType("response_type " + safeName(raw) + " is not supported")
	}
	ar.mode = "fragment"
	if ar.responseType == "code" {
		ar.mode = "query"
	}
	if ar.code && !ar.app.AllowsGrant(model.GrantAuthorizationCode) {
		return unauthorizedClient("the authorization code flow is not enabled for this application")
	}
	if (ar.token || ar.idTok) && !ar.app.AllowsGrant(model.GrantImplicit) {
		return unauthorizedClient("the implicit flow is not enabled for this application")
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
		if ar.app.TokenAuthMethod == model.AuthNone {
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
	if method == pkcePlain && ar.app.RejectPKCEPlain {
		return invalidRequest("this application accepts only code_challenge_method=S256")
	}
	if !validPKCEValue(challenge) {
		return invalidRequest("code_challenge must be 43 to 128 unreserved characters")
	}
	ar.codeChallenge, ar.codeChallengeMethod = challenge, method
	return nil
}

// issueAuthorization mints what the response type asks for.
func (h *Handler) issueAuthorization(r request, ar *authorizeRequest, sess *model.Session, user *model.User) (url.Values, *Error) {
	ctx := r.Context()
	now := h.now()
	grantID := h.cfg.Tokens.JTI()
	acr := idtoken.ACR(sess.AMR, ar.acrValues)
	v := url.Values{}
	var codeValue, accessValue string
	if ar.code {
		codeValue = h.cfg.Tokens.Opaque()
		code := &model.AuthCode{
			Hash:                token.Hash(codeValue),
			GrantID:             grantID,
			ClientID:            ar.app.ID,
			UserID:              sess.UserID,
			RedirectURI:         ar.redirectURI,
			Scope:               ar.scope,
			Protocol:            ar.protocol,
			Nonce:               ar.nonce,
			CodeChallenge:       ar.codeChallenge,
			CodeChallengeMethod: ar.codeChallengeMethod,
			SessionIDHash:       sess.IDHash,
			AuthTime:            sess.AuthTime,
			AMR:                 sess.AMR,
			ACR:                 acr,
			CreatedAt:           now,
			ExpiresAt:           now.Add(model.AuthCodeTTL),
		}
		if err := h.cfg.Store.CreateAuthCode(ctx, code); err != nil {
			return nil, h.internal(ctx, "storing code", err)
		}
		v.Set("code", codeValue)
	}
	if ar.token {
		var access *model.Token
		var e *Error
		if access, accessValue, e = h.mintAccess(ctx, ar.app, sess.UserID, ar.scope, ar.protocol, grantID, now); e != nil {
			return nil, e
		}
		if err := h.cfg.Store.CreateTokens(ctx, access); err != nil {
			return nil, h.internal(ctx, "storing implicit token", err)
		}
		v.Set("access_token", accessValue)
		v.Set("token_type", "Bearer")
		v.Set("expires_in", strconv.FormatInt(int64(ar.app.AccessTokenTTL/time.Second), 10))
		v.Set("scope", ar.scope)
	}
	if ar.idTok {
		idToken, err := h.cfg.Keys.Sign(ctx, idtoken.Token{
			Issuer:      h.issuer(ar.protocol),
			User:        user,
			App:         ar.app,
			Scope:       ar.scope,
			Nonce:       ar.nonce,
			AuthTime:    sess.AuthTime,
			AMR:         sess.AMR,
			ACR:         acr,
			SessionID:   sessionID(sess.IDHash),
			AccessToken: accessValue,
			Code:        codeValue,
		})
		if err != nil {
			return nil, h.internal(ctx, "signing id token", err)
		}
		v.Set("id_token", idToken)
	}
	if ar.state != "" {
		v.Set("state", ar.state)
	}
	return v, nil
}

// redirectError sends an error back to the client's verified redirect URI.
func (h *Handler) redirectError(w http.ResponseWriter, r *http.Request, ar *authorizeRequest, e *Error) {
	v := url.Values{"error": {e.Code}, "error_description": {e.Description}}
	if ar.state != "" {
		v.Set("state", ar.state)
	}
	h.respond(w, r, ar, v)
}

// respond delivers an authorization response in the request's mode, with
// `iss` (RFC 9207) so that clients can detect mix-up attacks.
func (h *Handler) respond(w http.ResponseWriter, r *http.Request, ar *authorizeRequest, v url.Values) {
	v.Set("iss", h.issuer(ar.protocol))
	w.Header().Set("Cache-Control", "no-store")
	target := ar.redirectURI
	switch ar.mode {
	case "form_post":
		h.formPost(w, r, target, v)
		return
	case "fragment":
		target += "#" + v.Encode()
	default:
		if strings.Contains(target, "?") {
			target += "&" + v.Encode()
		} else {
			target += "?" + v.Encode()
		}
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// needsSecondFactor says whether sess, signed in with one factor, must
// prove a second before this request is answered: the request's
// acr_values ask for it, or the MFA policy of its application requires
// it. A session is judged by what it proved, not by the policy it was
// created under, so a single sign-on session from an application without
// MFA cannot reach one that requires it.
func (h *Handler) needsSecondFactor(r request, ar *authorizeRequest, sess *model.Session) (bool, *Error) {
	if slices.Contains(sess.AMR, "mfa") {
		return false, nil
	}
	if idtoken.WantsSecondFactor(sess.AMR, ar.acrValues) {
		return true, nil
	}
	if h.cfg.MFAPolicy == nil {
		return false, nil
	}
	policy, err := h.cfg.MFAPolicy(r.Context(), ar.app)
	if err != nil {
		return false, h.internal(r.Context(), "reading the MFA policy", err)
	}
	return policy == model.MFARequired, nil
}

// toPage sends the browser to a hosted page (login, step-up), which
// returns it to this authorization request afterwards.
func (h *Handler) toPage(w http.ResponseWriter, r *http.Request, page string, p params) {
	v := url.Values{}
	for k, val := range p {
		v.Set(k, val)
	}
	returnTo := strings.TrimSuffix(r.URL.Path, "/consent") + "?" + v.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, page+"?"+url.Values{"return_to": {returnTo}}.Encode(), http.StatusFound)
}
