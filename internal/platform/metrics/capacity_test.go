package metrics

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/health"
	"github.com/opengenauth/genauth/internal/platform/password"
)

// TestCapacityMetrics: the hashing limiter's slots, running hashes and
// refusals, and the database's tracked state, as a scrape reads them.
func TestCapacityMetrics(t *testing.T) {
	m := New("test")
	l := password.NewLimiter(2, 0, time.Hour)
	tr := health.New(health.Config{Probe: func(context.Context) error { return model.ErrUnavailable }, ProbeEvery: time.Hour})
	defer tr.Close()
	m.WatchHashing(l)
	m.WatchHealth(tr)
	for range 2 {
		release, err := l.Acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer release()
	}
	if _, err := l.Acquire(t.Context()); err == nil {
		t.Fatal("a third hash got a slot")
	}
	tr.Failed(t.Context(), model.ErrUnavailable)
	want := `
# HELP genauth_db_available 0 from the first request that found the database unavailable (unreachable, read-only, full) until a probe's write succeeds, else 1; requests get 503 meanwhile.
# TYPE genauth_db_available gauge
genauth_db_available 0
# HELP genauth_db_unavailable_total Times requests found the database unavailable; an outage counts once.
# TYPE genauth_db_unavailable_total counter
genauth_db_unavailable_total 1
# HELP genauth_password_hash_slots Password hashes allowed to run at once (--hash-concurrency).
# TYPE genauth_password_hash_slots gauge
genauth_password_hash_slots 2
# HELP genauth_password_hashes_refused_total Requests refused with 503 because every hashing slot was busy and the queue full, or the wait ran out.
# TYPE genauth_password_hashes_refused_total counter
genauth_password_hashes_refused_total 1
# HELP genauth_password_hashes_running Password hashes and verifications running now.
# TYPE genauth_password_hashes_running gauge
genauth_password_hashes_running 2
`
	names := []string{"genauth_db_available", "genauth_db_unavailable_total", "genauth_password_hash_slots",
		"genauth_password_hashes_refused_total", "genauth_password_hashes_running"}
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}
