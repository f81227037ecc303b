package loadtest

import (
	"math/bits"
	"time"
)

// histogram records latencies in log-linear buckets: exact below 64 ns, then
// 32 buckets per power of two, so a quantile is off by at most about 3% and
// memory stays fixed however long a run lasts.
type histogram struct {
	counts [2048]uint64
	n      uint64
}

const subBuckets = 32

func bucketOf(d time.Duration) int {
	v := uint64(max(d, 0))
	if v < 2*subBuckets {
		return int(v)
	}
	shift := bits.Len64(v) - 6 // keep the top six bits
	return min(shift*subBuckets+int(v>>shift), len(histogram{}.counts)-1)
}

// bucketValue is the middle of bucket i's range.
func bucketValue(i int) time.Duration {
	if i < 2*subBuckets {
		return time.Duration(i)
	}
	shift := i/subBuckets - 1
	m := uint64(i - shift*subBuckets)
	return time.Duration(m<<shift + (1<<shift)/2)
}

func (h *histogram) record(d time.Duration) {
	h.counts[bucketOf(d)]++
	h.n++
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile returns the latency below which a fraction q of the samples fall.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n-1)) + 1
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return bucketValue(i)
		}
	}
	return bucketValue(len(h.counts) - 1)
}
