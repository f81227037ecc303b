package webhooktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/platform/sms"
)

// Receiver is a running webhook receiver; it stops at the end of the test.
type Receiver struct {
	URL string
	// Payloads receives each request that passed the signature check.
	Payloads chan sms.Payload
	// Refused counts requests whose signature failed.
	Refused atomic.Int64
	// FailNext makes the next n requests answer 503 (a gateway that is down).
	FailNext atomic.Int64
	srv      *httptest.Server
}

// Start starts a receiver that checks signatures under secret; it stops at
// the end of the test.
func Start(t testing.TB, secret string) *Receiver {
	t.Helper()
	r := New(secret)
	t.Cleanup(r.Close)
	return r
}

// New starts a receiver, for a program that is not a test (the browser
// tests' environment); Close stops it.
func New(secret string) *Receiver {
	r := &Receiver{Payloads: make(chan sms.Payload, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, "read", http.StatusBadRequest)
			return
		}
		if err := sms.Verify([]byte(secret), req.Header.Get(sms.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
			r.Refused.Add(1)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if r.FailNext.Add(-1) >= 0 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		r.FailNext.Store(0)
		var p sms.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "json", http.StatusBadRequest)
			return
		}
		r.Payloads <- p
		w.WriteHeader(http.StatusNoContent)
	}))
	r.srv = srv
	r.URL = srv.URL + "/sms"
	return r
}

// Close stops the receiver.
func (r *Receiver) Close() { r.srv.Close() }
