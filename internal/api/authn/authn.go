package authn

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/mfa"
	"github.com/opengenauth/genauth/internal/account/reset"
	"github.com/opengenauth/genauth/internal/account/signin"
	"github.com/opengenauth/genauth/internal/account/throttle"
	"github.com/opengenauth/genauth/internal/account/users"
	"github.com/opengenauth/genauth/internal/api/envelope"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// API codes of the authentication API's business errors (contract section 8).
const (
	codeBadLogin    = 2333
	codeLocked      = 2005
	codeAppNotFound = 2011
	codeNotLoggedIn = 2020
	codeNoLDAP      = 2820002
	codeDecrypt     = 2016
	codeWrongCode   = 2001
	codeCodeExpired = 2300
	// update-password's wrong old password; a taken username, email or phone.
	codeWrongPassword = 2006
	codeUserExists    = 2026
)

// Config is what the authentication API needs.
type Config struct {
	Store  Store
	Tokens Tokens
	SignIn *signin.Service
	// PasswordKey decrypts rsa-encrypted passwords; Ensure must have run.
	PasswordKey *PasswordKey
	// Codes sends and checks verification codes; SendLimiter limits the
	// sends; Delivers says which kinds of message (model.MessageEmail,
	// model.MessageSMS) a provider delivers.
	Codes       Codes
	SendLimiter *throttle.Limiter
	Delivers    map[string]bool
	// Reset resets passwords with a code sent to the user.
	Reset *reset.Service
	// MFA is the second factors: the gate after signin's first factor,
	// enrollment and verification.
	MFA *mfa.Service
	// IdP serves the upstream identity providers: the LDAP and AD sign-in,
	// the application's providers and the user's linked identities.
	IdP *idp.Service
	// IDTokens verifies the id tokens generate-link-extidp-url names its
	// user by; Issuer is theirs (the public URL and /oidc).
	IDTokens IDTokens
	Issuer   string
	// Version is the server's, as GET system tells it.
	Version string
	IDs     *token.Source
	Now     func() time.Time
	Logger  *slog.Logger
	// Health learns of an unavailable database; nil: none is tracked.
	Health *health.Tracker
}

// Handler serves the authentication API.
type Handler struct {
	cfg Config
	wr  envelope.Writer
}

// New returns the authentication API handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Tokens == nil || cfg.SignIn == nil || cfg.IDs == nil || cfg.PasswordKey == nil ||
		cfg.Codes == nil || cfg.SendLimiter == nil || cfg.Reset == nil || cfg.MFA == nil || cfg.IdP == nil || cfg.IDTokens == nil {
		return nil, errors.New("authn: Store, Tokens, SignIn, PasswordKey, IDs, Codes, SendLimiter, Reset, MFA, IdP and IDTokens are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Handler{cfg: cfg, wr: envelope.Writer{IDs: cfg.IDs, Logger: cfg.Logger, Name: "authn", Health: cfg.Health}}, nil
}

// call is one request: its parameters and its language.
type call struct {
	*http.Request
	h      *Handler
	lang   lang
	query  envelope.Query
	params envelope.Object
	// tokenHash is the hash of the access token user() accepted, issued
	// when it was issued, refreshed whether a refresh token minted it.
	tokenHash string
	issued    time.Time
	refreshed bool
}

func (c *call) fail(status, apiCode int, m message) *envelope.Error {
	return &envelope.Error{Status: status, APICode: apiCode, Message: m.in(c.lang)}
}

// throttled is the answer to an attempt the throttle refused (err, a
// *throttle.LockedError): 429, and Retry-After until the lock ends.
func (c *call) throttled(err error) *envelope.Error {
	e := c.fail(http.StatusTooManyRequests, 0, msgThrottled)
	e.RetryAfter = throttle.RetryAfter(err)
	return e
}

func (c *call) internal(what string, err error) *envelope.Error {
	return c.h.wr.Internal(c.Request, what, err)
}

// Register adds the authentication API's endpoints to the /api/v3 mux.
func (h *Handler) Register(mux *envelope.Mux) {
	for _, rt := range []struct {
		method, name string
		fn           func(*call) (any, *envelope.Error)
	}{
		{http.MethodPost, "check-app-id-secret", h.checkAppIDSecret},
		{http.MethodPost, "signin", h.signIn},
		{http.MethodPost, "signup", h.signUp},
		{http.MethodPost, "validate-password", h.validatePassword},
		{http.MethodGet, "get-profile", h.getProfile},
		{http.MethodPost, "send-email", h.sendEmail},
		{http.MethodPost, "send-sms", h.sendSMS},
		{http.MethodPost, "pre-check-code", h.preCheckCode},
		{http.MethodPost, "update-profile", h.updateProfile},
		{http.MethodPost, "update-password", h.updatePassword},
		{http.MethodGet, "get-security-info", h.getSecurityInfo},
		{http.MethodGet, "get-my-login-history", h.getMyLoginHistory},
		{http.MethodGet, "get-my-logged-in-apps", h.getMyLoggedInApps},
		{http.MethodGet, "get-my-accessible-apps", h.getMyAccessibleApps},
		{http.MethodPost, "verify-reset-password-request", h.verifyResetPasswordRequest},
		{http.MethodPost, "reset-password", h.resetPassword},
		{http.MethodPost, "bind-email", h.bindEmail},
		{http.MethodPost, "unbind-email", h.unbindEmail},
		{http.MethodPost, "bind-phone", h.bindPhone},
		{http.MethodPost, "unbind-phone", h.unbindPhone},
		{http.MethodPost, "verify-update-email-request", h.verifyUpdateEmailRequest},
		{http.MethodPost, "update-email", h.updateEmail},
		{http.MethodPost, "verify-update-phone-request", h.verifyUpdatePhoneRequest},
		{http.MethodPost, "update-phone", h.updatePhone},
		{http.MethodPost, "verify-delete-account-request", h.verifyDeleteAccountRequest},
		{http.MethodPost, "delete-account", h.deleteAccount},
		{http.MethodPost, "mfa-totp-verify", h.mfaTOTPVerify},
		{http.MethodPost, "mfa-sms-verify", h.mfaSMSVerify},
		{http.MethodPost, "mfa-email-verify", h.mfaEmailVerify},
		{http.MethodPost, "mfa-recovery-code-verify", h.mfaRecoveryVerify},
		{http.MethodGet, "list-factors-to-enroll", h.listFactorsToEnroll},
		{http.MethodPost, "send-enroll-factor-request", h.sendEnrollFactorRequest},
		{http.MethodPost, "enroll-factor", h.enrollFactor},
		{http.MethodGet, "list-enrolled-factors", h.listEnrolledFactors},
		{http.MethodGet, "get-factor", h.getFactor},
		{http.MethodGet, "get-factors", h.getFactor},
		{http.MethodPost, "reset-factor", h.resetFactor},
		{http.MethodGet, "webauthn/registration", h.getRegistration},
		{http.MethodPost, "webauthn/registration", h.postRegistration},
		{http.MethodGet, "webauthn/authentication", h.getAuthentication},
		{http.MethodPost, "webauthn/authentication", h.postAuthentication},
		{http.MethodGet, "get-application-enabled-extidps", h.getApplicationEnabledExtIdps},
		{http.MethodGet, "generate-link-extidp-url", h.generateLinkExtIdpURL},
		{http.MethodPost, "unlink-extidp", h.unlinkExtIdp},
		{http.MethodGet, "get-identities", h.getIdentities},
	} {
		mux.Handle(rt.method, rt.name, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			data, e := h.serve(r, rt.fn)
			h.wr.Write(w, data, e)
		}))
	}
	mux.Handle(http.MethodGet, "system", http.HandlerFunc(h.system))
	mux.NotYet(notYet...)
}

// notYet is what authing-node-sdk 4.0.1's AuthenticationClient calls that
// GenAuth does not serve (contract, appendix): Node-only passkey calls,
// captcha, and the families GenAuth has no feature for.
var notYet = []string{
	"get-captcha-code", "signin-by-mobile", "switch-login-by-user", "get-user-select-login-public-accounts",
	"get-country-list", "pub-userEvent", "verify-invite-code", "signup-by-invitation", "join-by-invitation",
	// Node-only passkey calls; the four documented ones are served (contract 6.2).
	"webauthn/login/", "webauthn/registration/", "webauthn/mfa-bind/", "webauthn/mfa-verify/",
	"webauthn/credentials", "webauthn/credentials/",
	"get-my-tenant-list", "get-my-role-list", "get-my-group-list", "get-my-department-list",
	"get-my-authorized-resources", "get-user-auth-resource-list", "get-user-auth-resource-permission-list",
	"get-user-auth-resource-struct", "check-permission-string-resource", "check-permission-array-resource",
	"check-permission-tree-resource", "applications-permission-applicable", "roles-permission-applicable",
	"mydevices/", "approval", "approval-batch", "approval-initiated-list",
	"gene-qrcode", "check-qrcode-status", "exchange-tokenset-with-qrcode-ticket", "change-qrcode-status",
	"set-qrcode-status", "get-qrcode-status", "qrcode-app-login", "get-app-login-qrcode-status",
	"signin-by-push", "check-pushcode-status", "change-pushcode-status", "set-pushcode-status",
	"get-pushlogin-relation-apps", "gene-fastpass-qrcode-info", "get-fastpass-client-apps",
	"decrypt-wechat-miniprogram-data", "decrypt-douyin-miniprogram-data", "get-wechat-access-token",
	"get-wechat-access-token-info", "get-alipay-authinfo",
	"generate-policy-invitation-token", "get-policy-invitation-context", "generate-universal-invitation-link-by-member",
	"get-universal-invitation-public-config", "clear-my-all-invitation-links",
}

// serve reads the parameters (the query for GET, where a body is ignored;
// the JSON body otherwise) and runs fn.
func (h *Handler) serve(r *http.Request, fn func(*call) (any, *envelope.Error)) (any, *envelope.Error) {
	c := &call{Request: r, h: h, lang: langOf(r), query: envelope.Query{Values: r.URL.Query()}}
	if r.Method != http.MethodGet {
		body, e := envelope.ReadBody(r)
		if e != nil {
			return nil, e
		}
		if c.params, e = envelope.ParseObject(body); e != nil {
			return nil, e
		}
	}
	return fn(c)
}

// app is the application a call is for: the app id header in either
// spelling, else client_id in the body (contract 1.4).
func (c *call) app() (*model.Application, *envelope.Error) {
	id := strings.TrimSpace(c.Header.Get("X-Authing-App-Id"))
	if id == "" {
		id = strings.TrimSpace(c.Header.Get("X-Genauth-App-Id"))
	}
	if id == "" {
		var e *envelope.Error
		if id, e = c.params.Text("client_id"); e != nil {
			return nil, e
		}
	}
	if id == "" {
		return nil, c.fail(http.StatusBadRequest, 0, msgAppRequired)
	}
	// A header is not checked at the edge: an id that is no text names no application.
	if !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return nil, c.fail(http.StatusNotFound, codeAppNotFound, msgAppNotFound)
	}
	app, err := c.h.cfg.Store.GetApplication(c.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		return nil, c.fail(http.StatusNotFound, codeAppNotFound, msgAppNotFound)
	}
	if err != nil {
		return nil, c.internal("looking up the application", err)
	}
	return app, nil
}

// bearer is the Authorization header's token, raw or as Bearer (contract 1.5).
func (c *call) bearer() string {
	value := strings.TrimSpace(c.Header.Get("Authorization"))
	if scheme, rest, ok := strings.Cut(value, " "); ok && strings.EqualFold(scheme, "Bearer") {
		value = strings.TrimSpace(rest)
	}
	return value
}

// user is the signed-in user of a User endpoint: the access token in
// Authorization, raw or as Bearer (contract 1.5), one this server issued to
// a user, active, and its user still allowed in.
func (c *call) user() (*model.User, *envelope.Error) {
	unauthorized := c.fail(http.StatusUnauthorized, codeNotLoggedIn, msgUnauthorized)
	value := c.bearer()
	if value == "" {
		return nil, unauthorized
	}
	ctx := c.Context()
	t, u, err := c.h.cfg.Store.GetTokenWithUser(ctx, token.Hash(value))
	if errors.Is(err, model.ErrNotFound) {
		return nil, unauthorized
	}
	if err != nil {
		return nil, c.internal("looking up the access token", err)
	}
	if t.Kind != model.TokenAccess || u == nil || !t.Active(c.h.cfg.Now().UTC()) {
		return nil, unauthorized
	}
	if !users.Active(u) {
		return nil, unauthorized
	}
	c.tokenHash, c.issued, c.refreshed = t.Hash, t.IssuedAt, t.ParentID != ""
	return u, nil
}
