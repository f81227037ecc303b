package console

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

func TestNiceCeil(t *testing.T) {
	for in, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 5, 5: 5, 6: 10, 11: 20, 21: 50, 51: 100, 999: 1000, 1001: 2000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestChart(t *testing.T) {
	today := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := newChart(today, map[string]map[string]int{
		"2026-03-01": {model.AuditLoginSuccess: 6, model.AuditIdPSignIn: 4, model.AuditLoginFailure: 5},
		"2026-02-16": {model.AuditLoginFailure: 1},
		"2026-02-15": {model.AuditLoginSuccess: 99}, // before the 14 days
	})
	if len(c.Days) != chartDays || c.FirstDate != "2026-02-16" || c.LastDate != "2026-03-01" || c.SignIns != 10 || c.Failures != 6 {
		t.Fatalf("%+v", c)
	}
	// The scale tops at 10: the last day's sign-ins fill the plot, its
	// failures half of it; the first day's one failure is still drawn.
	plotH := c.BaselineY - plotTop
	want := []chartBar{
		{X: c.Labels[0].X, Y: c.BaselineY - plotH/10, W: barWidth, H: plotH / 10, Failure: true},
		{X: c.Labels[13].X - barWidth, Y: plotTop, W: barWidth, H: plotH},
		{X: c.Labels[13].X, Y: c.BaselineY - plotH/2, W: barWidth, H: plotH / 2, Failure: true},
	}
	if fmt.Sprint(c.Bars) != fmt.Sprint(want) {
		t.Errorf("bars %v\nwant %v", c.Bars, want)
	}
	if fmt.Sprint(c.Ticks) != fmt.Sprint([]chartTick{{c.BaselineY, 0}, {c.BaselineY - plotH/2, 5}, {plotTop, 10}}) {
		t.Errorf("ticks %v", c.Ticks)
	}
	if c.Labels[0].Text != "02-16" || c.Labels[13].Text != "03-01" || c.Labels[13].X > c.PlotRight {
		t.Errorf("labels %v", c.Labels)
	}
}

func TestOverview(t *testing.T) {
	hs := newHarness(t)
	_, b := hs.admin("root")
	hs.createUser("alice", "alice@example.com")
	var events []*model.AuditEvent
	add := func(typ string, at time.Time, n int) {
		for range n {
			events = append(events, &model.AuditEvent{Time: at, Type: typ})
		}
	}
	add(model.AuditLoginSuccess, hs.now.Add(-time.Hour), 3)
	add(model.AuditIdPSignIn, hs.now.Add(-2*time.Hour), 1)
	add(model.AuditLoginFailure, hs.now.Add(-24*time.Hour), 2)
	add(model.AuditLoginFailure, hs.now.AddDate(0, 0, -20), 7)
	if err := hs.store.AppendAuditEvents(t.Context(), events...); err != nil {
		t.Fatal(err)
	}
	page := body(t, hs.get(Path+"/", b))
	for _, want := range []string{
		`<span class="stat">2</span> users`, `<span class="stat">0</span> applications`,
		`<span class="stat">1</span> administrators`,
		`<svg class="chart" viewBox="0 0 640 240"`, `aria-labelledby="chart-title chart-desc"`,
		`<title id="chart-title">Sign-ins and failed sign-ins per day, 2026-02-16 to 2026-03-01 (UTC)</title>`,
		`4 sign-ins and 2 failed sign-ins in 14 days`,
		`<th scope="row">2026-03-01</th><td>4</td><td>0</td>`,
		`<th scope="row">2026-02-28</th><td>0</td><td>2</td>`,
		`<th scope="row">2026-02-16</th><td>0</td><td>0</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q", want)
		}
	}
	if strings.Contains(page, "style=") {
		t.Error("an inline style")
	}
}
