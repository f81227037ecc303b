package mail_test

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/mail"
	"github.com/opengenauth/genauth/internal/testkit/smtptest"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		url, from string
		want      string // Config.String(), or the error's start
		wantErr   bool
	}{
		{"smtp://mail.example.com", "no-reply@example.com", "smtp://mail.example.com:587", false},
		{"smtps://u:p@mail.example.com", "GenAuth <no-reply@example.com>", "smtps://u@mail.example.com:465", false},
		{"smtp://u%40x:p%3Aw@127.0.0.1:2525", "a@b.c", "smtp://u%40x@127.0.0.1:2525", false},
		{"http://mail.example.com", "a@b.c", "--smtp-url http://mail.example.com must start with smtp://", true},
		{"smtp://user:hunter2@", "a@b.c", "--smtp-url smtp://user:xxxxx@ names no host", true},
		{"smtp://user:hunter2@h:99999", "a@b.c", "--smtp-url smtp://user:xxxxx@h:99999 has a bad port", true},
		{"smtp://user:hunter2@h/path", "a@b.c", "--smtp-url smtp://user:xxxxx@h/path must have no path", true},
		{"smtp://h", "", "--smtp-from is needed", true},
		{"smtp://h", "not an address", `--smtp-from "not an address" is not an email address`, true},
		{"::", "a@b.c", "--smtp-url (unparsable URL) is not a URL", true},
	}
	for _, tt := range tests {
		c, err := mail.ParseConfig(tt.url, tt.from)
		if tt.wantErr {
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ParseConfig(%q) error = %v, want %q...", tt.url, err, tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "\n")) {
				t.Errorf("ParseConfig(%q) error %q shows the password or spans lines", tt.url, err)
			}
			continue
		}
		if err != nil || c.String() != tt.want {
			t.Errorf("ParseConfig(%q) = %v, %v; want %s", tt.url, c, err, tt.want)
		}
	}
}

func codeMessage(lang string) *model.Message {
	return &model.Message{ID: "m1", Kind: model.MessageEmail, To: "ada@example.com", Template: "verification_code",
		Lang: lang, Code: "042917", Channel: "CHANNEL_LOGIN", Lifetime: 5 * time.Minute}
}

func TestRender(t *testing.T) {
	tests := []struct {
		m                 *model.Message
		subject, textHas  string
		htmlHas, htmlLang string
	}{
		{codeMessage("en"), "Your verification code: 042917", "expires in 5 minutes", "042917", `lang="en"`},
		{codeMessage("zh"), "您的验证码：042917", "5 分钟内有效", "042917", `lang="zh-CN"`},
		{codeMessage(""), "Your verification code: 042917", "expires in 5 minutes", "042917", `lang="en"`},
		{&model.Message{ID: "<m2>", Template: "test", Lang: "zh"}, "GenAuth 测试邮件", "消息编号：<m2>", "&lt;m2&gt;", `lang="zh-CN"`},
	}
	for _, tt := range tests {
		r, err := mail.Render(tt.m)
		if err != nil {
			t.Fatalf("Render(%s, %q): %v", tt.m.Template, tt.m.Lang, err)
		}
		if r.Subject != tt.subject || !strings.Contains(r.Text, tt.textHas) ||
			!strings.Contains(r.HTML, tt.htmlHas) || !strings.Contains(r.HTML, tt.htmlLang) {
			t.Errorf("Render(%s, %q) = %+v", tt.m.Template, tt.m.Lang, r)
		}
		if tt.m.Code != "" && !strings.Contains(r.Text, "\n    "+tt.m.Code+"\n") {
			t.Errorf("the text body does not hold the code on a line of its own:\n%s", r.Text)
		}
	}
	for _, m := range []*model.Message{
		{Template: "nope", Lang: "en"},
		{Template: "test", Lang: "fr"},
		{Template: "verification_code", Lang: "en", Code: "12345", Lifetime: time.Minute},
		{Template: "verification_code", Lang: "en", Code: "123456"},
	} {
		if _, err := mail.Render(m); err == nil {
			t.Errorf("Render(%+v): no error", m)
		}
	}
}

func TestSend(t *testing.T) {
	tests := []struct {
		name   string
		opts   smtptest.Options
		scheme string
	}{
		{"Plain", smtptest.Options{}, "smtp"},
		{"STARTTLS", smtptest.Options{TLS: "starttls", User: "genauth", Password: "s3cret"}, "smtp"},
		{"ImplicitTLS", smtptest.Options{TLS: "implicit", User: "genauth", Password: "s3cret"}, "smtps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, tt.opts)
			u := tt.scheme + "://"
			if tt.opts.User != "" {
				u += tt.opts.User + ":" + tt.opts.Password + "@"
			}
			cfg, err := mail.ParseConfig(u+srv.Addr, "GenAuth <no-reply@example.com>")
			if err != nil {
				t.Fatal(err)
			}
			cfg.TLS = &tls.Config{RootCAs: srv.CertPool}
			s := mail.NewSMTP(cfg)
			if err := s.Check(t.Context()); err != nil {
				t.Fatalf("Check: %v", err)
			}
			if err := s.Send(t.Context(), codeMessage("zh")); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := <-srv.Messages
			if got.From != "no-reply@example.com" || got.To != "ada@example.com" || got.Subject != "您的验证码：042917" {
				t.Errorf("envelope/subject = %q %q %q", got.From, got.To, got.Subject)
			}
			if !strings.HasPrefix(got.ContentType, "multipart/alternative") ||
				!strings.Contains(got.Text, "042917") || !strings.Contains(got.HTML, "042917") {
				t.Errorf("message = %s\ntext %q\nhtml %q", got.ContentType, got.Text, got.HTML)
			}
			if got.TLS != (tt.opts.TLS != "") || got.Authed != (tt.opts.User != "") {
				t.Errorf("TLS %v, authenticated %v; want %v, %v", got.TLS, got.Authed, tt.opts.TLS != "", tt.opts.User != "")
			}
		})
	}
}

func TestSendFails(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: "starttls", User: "genauth", Password: "s3cret"})
	tests := []struct {
		name string
		url  string
		tls  *tls.Config
	}{
		{"WrongPassword", "smtp://genauth:wrong@" + srv.Addr, &tls.Config{RootCAs: srv.CertPool}},
		{"UntrustedCertificate", "smtp://genauth:s3cret@" + srv.Addr, nil},
		{"NothingListens", "smtp://127.0.0.1:1", nil},
		// PLAIN would send the password in clear: without TLS it is not used.
		{"PasswordWithoutTLS", "smtp://genauth:s3cret@" + smtptest.Start(t, smtptest.Options{User: "genauth", Password: "s3cret"}).Addr, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := mail.ParseConfig(tt.url, "no-reply@example.com")
			if err != nil {
				t.Fatal(err)
			}
			cfg.TLS = tt.tls
			s := mail.NewSMTP(cfg)
			if err := s.Check(t.Context()); err == nil {
				t.Error("Check: no error")
			}
			if err := s.Send(t.Context(), codeMessage("en")); err == nil {
				t.Error("Send: no error")
			}
		})
	}
	select {
	case m := <-srv.Messages:
		t.Errorf("a message got through: %q", m.Subject)
	default:
	}
}
