package authn

import (
	"encoding/json"
	"net/http"

	"github.com/opengenauth/genauth/internal/wire"
)

// system serves GET system (contract 2.2), without the envelope as the SDKs
// read it: the password key's public half (sm2: none). The console and the
// login pages are this server, so they share its version.
func (h *Handler) system(w http.ResponseWriter, _ *http.Request) {
	var info wire.SystemInfo
	info.RSA.PublicKey = h.cfg.PasswordKey.PublicKey()
	info.Version.Server, info.Version.Console, info.Version.Login = h.cfg.Version, h.cfg.Version, h.cfg.Version
	info.PublicIPs = []string{}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(info)
}
