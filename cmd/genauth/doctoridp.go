package main

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/opengenauth/genauth/internal/account/idp"
	"github.com/opengenauth/genauth/internal/account/idp/ldapconn"
	"github.com/opengenauth/genauth/internal/account/idp/oidcconn"
	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
)

// idpCheckTimeout bounds doctor's question to each upstream provider.
const idpCheckTimeout = 10 * time.Second

// checkConnections asks every upstream connection what a sign-in would
// (idp.Service.Check): an OpenID Connect issuer's discovery, a directory's
// service bind and base DN. A provider that does not answer is a problem:
// its users cannot sign in. A connection no application enables is said.
func (c *cli) checkConnections(ctx context.Context, k *checkup, st doctorDB) {
	conns, err := st.ListExtIdpConns(ctx, "")
	if err != nil {
		k.fail("cannot read the identity provider connections: %v", err)
		return
	}
	if len(conns) == 0 {
		return
	}
	key, _, found, err := c.doctorSecret()
	if err != nil || !found {
		// checkKeys has said why.
		return
	}
	sealer, err := secret.NewSealer(key, rand.Reader)
	if err != nil {
		return
	}
	s := &idp.Service{Store: st, Sealer: sealer, Now: time.Now, Web: &oidcconn.Connector{Now: time.Now},
		LDAP: &ldapconn.Directory{Timeout: idpCheckTimeout}}
	for _, conn := range conns {
		apps, err := st.ListConnApps(ctx, conn.ID)
		if err != nil {
			k.fail("cannot read which applications enable the connection %s: %v", conn.Identifier, err)
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, idpCheckTimeout)
		ok, err := s.Check(cctx, conn)
		cancel()
		switch {
		case errors.Is(err, model.ErrUpstreamUnavailable) || errors.Is(err, model.ErrUpstreamRefused):
			k.fail("the %s connection %s does not work, so its users cannot sign in: %v", conn.Type, conn.Identifier, err)
		case err != nil:
			k.fail("cannot check the connection %s: %v", conn.Identifier, err)
		case !ok:
			k.info("the %s connection %s is configured; an OAuth 2.0 provider can only be tried by signing in", conn.Type, conn.Identifier)
		default:
			k.ok("the %s connection %s answers", conn.Type, conn.Identifier)
		}
		if len(apps) == 0 {
			k.info("no application offers the connection %s yet: genauth idp enable %s --app APP_ID", conn.Identifier, conn.Identifier)
		}
	}
}
