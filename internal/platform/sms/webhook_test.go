package sms_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/sms"
	"github.com/opengenauth/genauth/internal/testkit/webhooktest"
)

const secret = "0123456789abcdef-webhook"

func message() *model.Message {
	return &model.Message{ID: "m1", Kind: model.MessageSMS, To: "+8613800138000", Template: "verification_code",
		Lang: "zh", Code: "042917", Channel: "CHANNEL_LOGIN", Lifetime: 5 * time.Minute}
}

func TestSendSigned(t *testing.T) {
	r := webhooktest.Start(t, secret)
	w, err := sms.New(r.URL, secret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(t.Context(), message()); err != nil {
		t.Fatal(err)
	}
	p := <-r.Payloads
	if p.ID != "m1" || p.Phone != "+8613800138000" || p.Code != "042917" || p.Channel != "CHANNEL_LOGIN" ||
		p.Lang != "zh" || p.Minutes != 5 || p.Timestamp == 0 {
		t.Errorf("payload = %+v", p)
	}
	r.FailNext.Store(1)
	if err := w.Send(t.Context(), message()); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("Send to a failing gateway: %v, want the 503", err)
	}
	wrong, err := sms.New(r.URL, "another secret, 16+ chars", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := wrong.Send(t.Context(), message()); err == nil || r.Refused.Load() != 1 {
		t.Errorf("Send under another secret: %v, refused %d; want 401 and one refusal", err, r.Refused.Load())
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	elsewhere := webhooktest.Start(t, secret)
	srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	defer srv.Close()
	w, err := sms.New(srv.URL, secret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(t.Context(), message()); err == nil {
		t.Error("Send answered by a redirect: no error")
	}
	select {
	case p := <-elsewhere.Payloads:
		t.Errorf("the redirect was followed: %+v", p)
	default:
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	body := []byte(`{"phone":"+1"}`)
	good := sms.Sign([]byte(secret), now.Unix(), body)
	tests := []struct {
		name   string
		header string
		body   string
		at     time.Time
		ok     bool
	}{
		{"Good", good, string(body), now, true},
		{"FourMinutesLater", good, string(body), now.Add(4 * time.Minute), true},
		{"Replayed", good, string(body), now.Add(6 * time.Minute), false},
		{"FromTheFuture", good, string(body), now.Add(-6 * time.Minute), false},
		{"OtherBody", good, `{"phone":"+2"}`, now, false},
		{"OtherTime", strings.Replace(good, "t=1750000000", "t=1750000001", 1), string(body), now, false},
		{"Missing", "", string(body), now, false},
		{"NoTime", good[strings.Index(good, "v1="):], string(body), now, false},
		{"BadHex", "t=1750000000,v1=zz", string(body), now, false},
	}
	for _, tt := range tests {
		err := sms.Verify([]byte(secret), tt.header, []byte(tt.body), tt.at, 5*time.Minute)
		if (err == nil) != tt.ok {
			t.Errorf("%s: Verify = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
	if !strings.HasPrefix(good, "t=1750000000,v1=") || len(good) != len("t=1750000000,v1=")+64 {
		t.Errorf("signature header %q is not t=<unix>,v1=<64 hex>", good)
	}
}

func TestNew(t *testing.T) {
	for _, tt := range []struct{ url, secret, want string }{
		{"ftp://x", secret, "is not an http(s) URL"},
		{"https://", secret, "is not an http(s) URL"},
		{"https://u:p@gw.example.com/sms", secret, "must not contain credentials"},
		{"https://gw.example.com/sms", "short", "--sms-webhook-secret is needed"},
	} {
		_, err := sms.New(tt.url, tt.secret, time.Now)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%q) = %v, want %q", tt.url, err, tt.want)
		}
	}
}

func TestSendErrorHidesTheURL(t *testing.T) {
	w, err := sms.New("http://127.0.0.1:1/sms?token=gateway-token", secret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	err = w.Send(t.Context(), message())
	if err == nil || strings.Contains(err.Error(), "gateway-token") {
		t.Errorf("Send to nothing: %v; want an error without the URL", err)
	}
}
