package loadtest

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// A sign-in declined for now is a refusal with the answer's wait (1 s
// without a usable Retry-After), told apart as the throttle's or the
// hashing queue's; any other answer is not one.
func TestRefused(t *testing.T) {
	cases := []struct {
		status     int
		retryAfter string
		want       *refusal
	}{
		{http.StatusServiceUnavailable, "1", &refusal{wait: time.Second}},
		{http.StatusServiceUnavailable, "", &refusal{wait: time.Second}},
		{http.StatusTooManyRequests, "5", &refusal{wait: 5 * time.Second, throttled: true}},
		{http.StatusTooManyRequests, "soon", &refusal{wait: time.Second, throttled: true}},
		{http.StatusTooManyRequests, "-3", &refusal{wait: time.Second, throttled: true}},
		{http.StatusOK, "5", nil},
		{http.StatusUnauthorized, "", nil},
	}
	for _, c := range cases {
		r := reply{status: c.status, header: http.Header{}}
		if c.retryAfter != "" {
			r.header.Set("Retry-After", c.retryAfter)
		}
		err := refused("sign-in", c.status, r)
		got, ok := errors.AsType[*refusal](err)
		if c.want == nil {
			if err != nil {
				t.Errorf("%d: %v, want no refusal", c.status, err)
			}
			continue
		}
		if !ok || got.wait != c.want.wait || got.throttled != c.want.throttled {
			t.Errorf("%d Retry-After %q: %+v, want %+v", c.status, c.retryAfter, got, c.want)
		}
	}
}
