package idtoken

import (
	"context"
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// A signing key's state, as Status reports it.
const (
	KeyNext    = "next"    // published ahead of time; signs from ActivatesAt
	KeyActive  = "active"  // signs now
	KeyRetired = "retired" // superseded; published until Until, so its tokens still verify
	KeyExpired = "expired" // superseded longer than the retention; the next Ensure deletes it
)

// KeyInfo is a stored signing key as an administrator sees it: no key
// material.
type KeyInfo struct {
	ID          string // the JWS kid
	Alg         string
	State       string
	Published   bool // in JWKS now (ES256 keys only while an application signs with ES256)
	CreatedAt   time.Time
	ActivatesAt time.Time
	// SupersededAt is when a newer key took over; zero while active or next.
	SupersededAt time.Time
	// Until is when a retired key leaves JWKS; zero while active or next.
	Until time.Time
}

// KeyStatus is every stored key and the timings that place them.
type KeyStatus struct {
	// Keys are grouped by algorithm (Algorithms' order), each group's
	// newest activation first: next, active, retired, expired.
	Keys []KeyInfo
	// Retention is how long a key superseded now stays published: the
	// configured retention, or the longest JWT access token life if longer.
	Retention      time.Duration
	RotationPeriod time.Duration
}

// Status reads the stored keys afresh (not this node's cache) and places
// each in its algorithm's timeline now.
func (k *Keys) Status(ctx context.Context) (*KeyStatus, error) {
	keys, err := k.Store.ListSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	needs, err := k.Store.SigningNeeds(ctx)
	if err != nil {
		return nil, err
	}
	now := k.Now().UTC()
	out := &KeyStatus{Retention: k.retentionFor(needs), RotationPeriod: k.period()}
	published := map[string]bool{}
	for _, alg := range publishedAlgorithms(needs) {
		published[alg] = true
	}
	for _, alg := range Algorithms {
		st := classify(keys, alg, now, out.Retention)
		var group []KeyInfo
		add := func(list []*model.SigningKey, state string) {
			for _, key := range list {
				info := KeyInfo{ID: key.ID, Alg: alg, State: state, CreatedAt: key.CreatedAt, ActivatesAt: key.ActivatesAt,
					Published: published[alg] && state != KeyExpired}
				if at, ok := st.supersedes[key.ID]; ok {
					info.SupersededAt, info.Until = at, at.Add(out.Retention)
				}
				group = append(group, info)
			}
		}
		// Oldest activation first, as classify keeps the store's order;
		// then reversed.
		add(st.expired, KeyExpired)
		add(st.previous, KeyRetired)
		if st.active != nil {
			add([]*model.SigningKey{st.active}, KeyActive)
		}
		add(st.next, KeyNext)
		for i, j := 0, len(group)-1; i < j; i, j = i+1, j-1 {
			group[i], group[j] = group[j], group[i]
		}
		out.Keys = append(out.Keys, group...)
	}
	return out, nil
}
