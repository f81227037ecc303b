package console

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/pages/i18n"
	"github.com/opengenauth/genauth/internal/protocol/idtoken"
)

func TestKeysListAndRotate(t *testing.T) {
	hs := newHarness(t)
	root, b := hs.admin("root")
	before, err := hs.keys.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	page := body(t, hs.get(keysPath, b))
	for _, want := range []string{`aria-current="page">Signing keys`, "a new one takes over every 30 days",
		"stays published for 7 days", `<code>` + before.Keys[0].ID + `</code>`, `keys-active">Active`, `keys-next">Next`} {
		if !strings.Contains(page, want) {
			t.Errorf("list lacks %s\n%s", want, page)
		}
	}
	if zh := body(t, hs.get(keysPath+"?lang=zh-CN", b)); !strings.Contains(zh, "使用中") {
		t.Errorf("Chinese list:\n%s", zh)
	}
	confirm := body(t, hs.get(keysPath+"/rotate", b))
	if !strings.Contains(confirm, "keep verifying") || !strings.Contains(confirm, `action="/console/keys/rotate"`) {
		t.Errorf("confirmation:\n%s", confirm)
	}
	if after, _ := hs.keys.Status(t.Context()); after.Keys[0].ID != before.Keys[0].ID {
		t.Fatal("the confirmation page rotated the keys")
	}
	resp := hs.post(keysPath+"/rotate", nil, b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != keysPath+"?done=keys.rotated" {
		t.Fatalf("rotate: %d", resp.StatusCode)
	}
	after, err := hs.keys.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var formerNext, formerActive string
	for _, k := range before.Keys {
		if k.Alg == model.SigningRS256 && k.State == idtoken.KeyNext {
			formerNext = k.ID
		}
		if k.Alg == model.SigningRS256 && k.State == idtoken.KeyActive {
			formerActive = k.ID
		}
	}
	states := map[string]string{}
	for _, k := range after.Keys {
		states[k.ID] = k.State
	}
	if states[formerNext] != idtoken.KeyActive || states[formerActive] != idtoken.KeyRetired {
		t.Errorf("after rotating: %v", states)
	}
	wantChange(t, hs, root, "signing keys rotated", "")
	if ev := hs.events(model.AuditConsoleChange); !strings.Contains(ev[len(ev)-1].Detail, "RS256 "+formerNext) {
		t.Errorf("event: %+v", ev[len(ev)-1])
	}
	page = body(t, hs.get(keysPath+"?done=keys.rotated", b))
	if !strings.Contains(page, "Signing keys rotated.") || !strings.Contains(page, `keys-retired">Retired`) {
		t.Errorf("list after rotating:\n%s", page)
	}
	jwks, err := hs.keys.JWKS(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(jwks.Keys) != 3 {
		t.Errorf("JWKS has %d keys after a rotation; want the new next, the active and the retired", len(jwks.Keys))
	}
}

func TestKeysSpan(t *testing.T) {
	for d, want := range map[string]keysSpan{
		"168h": {"keys.days", "7"}, "2h": {"keys.hours", "2"}, "90m": {"keys.hours", "2"}, "720h": {"keys.days", "30"},
	} {
		dur, _ := time.ParseDuration(d)
		if got := keysSpanOf(dur); got != want {
			t.Errorf("%s: %v; want %v", d, got, want)
		}
	}
	for _, lang := range i18n.Supported {
		for _, s := range []string{idtoken.KeyNext, idtoken.KeyActive, idtoken.KeyRetired, idtoken.KeyExpired} {
			if !hasKey(lang, "keys.state."+s) {
				t.Errorf("%s: no keys.state.%s", lang, s)
			}
		}
	}
}
