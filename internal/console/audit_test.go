package console

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// seedEvents appends n events a minute apart ending an hour before the
// harness's now: login.failure for even i, token.issue for odd, user u<i%3>,
// client app<i%2>.
func (hs *harness) seedEvents(n int) {
	hs.t.Helper()
	events := make([]*model.AuditEvent, n)
	for i := range events {
		events[i] = &model.AuditEvent{Time: hs.now.Add(-time.Hour - time.Duration(n-i)*time.Minute),
			Type:   []string{model.AuditLoginFailure, model.AuditTokenIssue}[i%2],
			UserID: fmt.Sprintf("u%d", i%3), ClientID: fmt.Sprintf("app%d", i%2), IP: "192.0.2.1", Detail: fmt.Sprintf("event %d", i)}
	}
	if err := hs.store.AppendAuditEvents(hs.t.Context(), events...); err != nil {
		hs.t.Fatal(err)
	}
}

var (
	rowDetail = regexp.MustCompile(`<td class="detail">([^<]*)</td>`)
	nextLink  = regexp.MustCompile(`<a href="([^"]*)" rel="next">`)
)

// auditPages follows the trail's next links from target and returns the
// details of every row, page by page.
func (hs *harness) auditPages(target string, b *browser) [][]string {
	hs.t.Helper()
	var pages [][]string
	for target != "" {
		resp := hs.get(target, b)
		page := body(hs.t, resp)
		if resp.StatusCode != http.StatusOK {
			hs.t.Fatalf("%s: %d\n%s", target, resp.StatusCode, page)
		}
		var rows []string
		for _, m := range rowDetail.FindAllStringSubmatch(page, -1) {
			rows = append(rows, m[1])
		}
		pages = append(pages, rows)
		if strings.Contains(target, "after=") && !strings.Contains(page, "First page") {
			hs.t.Errorf("page %d has no link to the first", len(pages))
		}
		target = ""
		if m := nextLink.FindStringSubmatch(page); m != nil {
			target = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	return pages
}

func TestAuditTrail(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	hs.seedEvents(120)
	details := func(from, to, step int) []string {
		var out []string
		for i := from; i >= to; i -= step {
			out = append(out, fmt.Sprintf("event %d", i))
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		query string
		want  [][]string
	}{
		{"by type, paged", "?type=login.failure", [][]string{details(118, 20, 2), details(18, 0, 2)}},
		{"by type and user", "?type=token.issue&user=u0", [][]string{details(117, 3, 6)}},
		{"by application", "?app=app1&from=2026-03-01&to=2026-03-01", [][]string{details(119, 21, 2), details(19, 1, 2)}},
		{"a day without events", "?from=2026-02-27&to=2026-02-28", [][]string{nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := hs.auditPages(Path+"/audit"+tc.query, b)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v\nwant %v", got, tc.want)
			}
		})
	}
	// All events: the seeded ones and the administrator's sign-in, newest first.
	pages := hs.auditPages(Path+"/audit", b)
	if len(pages) != 3 || len(pages[0]) != 50 || len(pages[2]) != 21 {
		t.Errorf("unfiltered pages: %d", len(pages))
	}
	page := body(t, hs.get(Path+"/audit?type=token.issue&user=u1", b))
	for _, want := range []string{`aria-current="page">Audit trail`, `<option value="token.issue" selected>`,
		`<a href="/console/users/u1">u1</a>`, `<a href="/console/apps/app1">app1</a>`, `value="u1"`,
		`href="/console/audit.csv?type=token.issue&amp;user=u1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q", want)
		}
	}
}

func TestAuditTrailRefused(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	for _, tc := range []struct {
		query, field string
	}{
		{"?type=login.nothing", `id="audit-type-error"`},
		{"?from=yesterday", `id="audit-from-error"`},
		{"?to=2026-13-01", `id="audit-to-error"`},
		{"?from=2026-03-02&to=2026-03-01", `id="audit-to-error"`},
		{"?after=not-a-cursor", "This page link is not valid"},
	} {
		for _, path := range []string{"/audit", "/audit.csv"} {
			if path == "/audit.csv" && strings.HasPrefix(tc.query, "?after") {
				continue
			}
			resp := hs.get(Path+path+tc.query, b)
			if page := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, tc.field) {
				t.Errorf("%s%s: %d\n%s", path, tc.query, resp.StatusCode, page)
			}
		}
	}
	// Without a console session the pages send the browser to sign in.
	for _, path := range []string{"/audit", "/audit.csv", "/", "/settings"} {
		if resp := hs.get(Path+path, nil); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s signed out: %d", path, resp.StatusCode)
		}
	}
}

func TestAuditCSV(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	hs.seedEvents(2*exportPage + 100)
	hostile := []*model.AuditEvent{
		{Time: hs.now.Add(-time.Minute), Type: model.AuditLoginFailure, UserID: "+1-2", Detail: `=HYPERLINK("http://evil.example","a, b")`},
		{Time: hs.now.Add(-time.Minute), Type: model.AuditLoginFailure, UserID: "@u", Detail: "line one\nline \"two\""},
	}
	if err := hs.store.AppendAuditEvents(t.Context(), hostile...); err != nil {
		t.Fatal(err)
	}
	resp := hs.get(Path+"/audit.csv?type=login.failure", b)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="genauth-audit-20260301-120000.csv"`) {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"time", "type", "user_id", "client_id", "ip", "detail"}; fmt.Sprint(rows[0]) != fmt.Sprint(want) {
		t.Errorf("header %q", rows[0])
	}
	if len(rows) != 1+2+(2*exportPage+100)/2 {
		t.Errorf("%d rows", len(rows))
	}
	// Newest first; cells a spreadsheet would take for a formula begin with '.
	for i, want := range [][]string{
		{"2026-03-01T11:59:00Z", "login.failure", "'@u", "", "", "line one\nline \"two\""},
		{"2026-03-01T11:59:00Z", "login.failure", "'+1-2", "", "", `'=HYPERLINK("http://evil.example","a, b")`},
		{"2026-03-01T10:58:00Z", "login.failure", "u1", "app0", "192.0.2.1", fmt.Sprintf("event %d", 2*exportPage+100-2)},
	} {
		if fmt.Sprintf("%q", rows[1+i]) != fmt.Sprintf("%q", want) {
			t.Errorf("row %d: %q, want %q", 1+i, rows[1+i], want)
		}
	}
	if last := rows[len(rows)-1]; last[5] != "event 0" {
		t.Errorf("last row %q", last)
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{"": "", "=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", "login.failure": "login.failure"} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// parseAuditFilter keeps what it was given for the form and turns the
// dates into a half-open range of whole UTC days.
func TestParseAuditFilter(t *testing.T) {
	f, ok := parseAuditFilter(url.Values{"type": {"login.success"}, "user": {" u1 "}, "from": {"2026-03-01"}, "to": {"2026-03-01"}})
	if !ok || f.User != "u1" || f.query.UserID != "u1" || !f.query.Since.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) ||
		!f.query.Until.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("%+v %v", f, ok)
	}
	if got := f.values().Encode(); got != "from=2026-03-01&to=2026-03-01&type=login.success&user=u1" {
		t.Errorf("values %s", got)
	}
}
