package oauth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/opengenauth/genauth/internal/account/apps"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/protocol/cors"
)

// credentials are what a request presented to authenticate its client.
type credentials struct {
	basic         bool // an Authorization: Basic header was sent
	basicIDs      []string
	basicSecrets  []string
	bodyID        string
	bodySecret    string
	bodyHasSecret bool
}

// readCredentials collects client credentials from the Basic header and the body.
func readCredentials(r *http.Request, p params) (credentials, *Error) {
	c := credentials{bodyID: p.get("client_id"), bodySecret: p.get("client_secret")}
	_, c.bodyHasSecret = p["client_secret"]
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return c, nil
	}
	scheme, value, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return c, nil
	}
	c.basic = true
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return c, invalidClient("the Basic authorization header is not valid base64", true)
	}
	id, secret, ok := strings.Cut(string(raw), ":")
	if !ok || id == "" {
		return c, invalidClient("the Basic authorization header must hold client_id:client_secret", true)
	}
	// SDKs send the raw id:secret; RFC 6749 section 2.3.1 form-encodes both. Accept either.
	c.basicIDs, c.basicSecrets = []string{id}, []string{secret}
	if decID, err := url.QueryUnescape(id); err == nil && decID != id {
		c.basicIDs = append(c.basicIDs, decID)
	}
	if decSecret, err := url.QueryUnescape(secret); err == nil && decSecret != secret {
		c.basicSecrets = append(c.basicSecrets, decSecret)
	}
	return c, nil
}

// authenticateClient identifies and authenticates the client of a token,
// introspection or revocation request. method picks the application's
// configured auth method for the endpoint. A client configured for
// client_secret_post or client_secret_basic may present its secret either
// way (both carry the same secret); a `none` client is identified by
// client_id alone and a stray secret is ignored.
func (h *Handler) authenticateClient(r *http.Request, p params, method func(*model.Application) string) (*model.Application, *Error) {
	app, e := h.checkClient(r, p, method)
	if e == nil {
		// The answer is the client's: readable from its web origins only.
		cors.Allow(r.Context(), app)
	}
	return app, e
}

func (h *Handler) checkClient(r *http.Request, p params, method func(*model.Application) string) (*model.Application, *Error) {
	c, e := readCredentials(r, p)
	if e != nil {
		return nil, e
	}
	if c.bodyID == "" && !c.basic {
		return nil, invalidClient("client authentication is required (client_id missing)", false)
	}
	app, e := h.lookupClient(r, c)
	if e != nil {
		return nil, e
	}
	if method(app) == model.AuthNone {
		return app, nil
	}
	if !c.basic {
		if c.bodyHasSecret && apps.CheckSecret(app, c.bodySecret) {
			return app, nil
		}
		if !c.bodyHasSecret {
			return nil, invalidClient("this client must authenticate with its secret", false)
		}
		return nil, invalidClient("client authentication failed", false)
	}
	for _, s := range c.basicSecrets {
		if !apps.CheckSecret(app, s) {
			continue
		}
		// Credentials sent in both places must agree.
		if c.bodyHasSecret && !apps.CheckSecret(app, c.bodySecret) {
			return nil, invalidClient("the Basic header and the body carry different secrets", true)
		}
		return app, nil
	}
	return nil, invalidClient("client authentication failed", c.basic)
}

// lookupClient finds the client named by the Basic header and/or the body,
// which must agree when both are present.
func (h *Handler) lookupClient(r *http.Request, c credentials) (*model.Application, *Error) {
	candidates := c.basicIDs
	if !c.basic {
		candidates = []string{c.bodyID}
	}
	for _, id := range candidates {
		app, err := h.cfg.Apps.GetApplication(r.Context(), id)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, h.internal(r.Context(), "looking up client", err)
		}
		if c.basic && c.bodyID != "" && c.bodyID != app.ID {
			return nil, invalidClient("the Basic header and the body name different clients", true)
		}
		return app, nil
	}
	return nil, invalidClient("unknown client", c.basic)
}
