package authn

import (
	"encoding/json"
	"net/http"
)

// systemInfo is GET system's answer (contract 2.2), sent without the
// envelope as the SDKs read it.
type systemInfo struct {
	RSA struct {
		PublicKey string `json:"publicKey"`
	} `json:"rsa"`
	SM2 struct {
		PublicKey string `json:"publicKey"`
	} `json:"sm2"`
	Version struct {
		Server  string `json:"server"`
		Console string `json:"console"`
		Login   string `json:"login"`
	} `json:"version"`
	PublicIPs []string `json:"publicIps"`
}

// system serves GET system: the password key's public half (sm2: none).
// The console and the login pages are this server, so they share its version.
func (h *Handler) system(w http.ResponseWriter, _ *http.Request) {
	var info systemInfo
	info.RSA.PublicKey = h.cfg.PasswordKey.PublicKey()
	info.Version.Server, info.Version.Console, info.Version.Login = h.cfg.Version, h.cfg.Version, h.cfg.Version
	info.PublicIPs = []string{}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(info)
}
