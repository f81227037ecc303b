package idtoken

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/go-jose/go-jose/v4"
	"io"
	"sync"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/platform/secret"
	"github.com/opengenauth/genauth/internal/platform/token"
)

// Rotation defaults. A key is published in JWKS a whole period before it
// starts signing, and stays published for Retention after a newer key takes
// over, so no cached JWKS and no unexpired id token ever meet an unknown key.
const (
	DefaultRotationPeriod = 30 * 24 * time.Hour
	DefaultRetention      = 7 * 24 * time.Hour
	// reloadEvery bounds how long a node keeps signing with a key another
	// node has already superseded (both stay published meanwhile).
	reloadEvery = time.Minute
	// SealPurpose is what signing keys are sealed under (see secret.Sealer).
	SealPurpose = "oidc signing key"
)

// Algorithms is every id token signing algorithm GenAuth offers.
var Algorithms = []string{model.SigningRS256, model.SigningES256}

// Keys manages the id token signing keys stored in the database.
type Keys struct {
	Store          KeyStore
	Sealer         *secret.Sealer
	Tokens         *token.Source
	Rand           io.Reader
	Now            func() time.Time
	RotationPeriod time.Duration
	Retention      time.Duration

	mu       sync.Mutex
	loadedAt time.Time
	all      []*model.SigningKey
	needs    model.SigningNeeds
	private  map[string]crypto.Signer // decrypted keys by kid
}

func (k *Keys) period() time.Duration {
	if k.RotationPeriod > 0 {
		return k.RotationPeriod
	}
	return DefaultRotationPeriod
}

func (k *Keys) retention() time.Duration {
	if k.Retention > 0 {
		return k.Retention
	}
	return DefaultRetention
}

// retentionFor is how long a superseded key stays published: the
// configured retention, or longer while some application's JWT access
// tokens live longer, so that every unexpired one still verifies offline.
func (k *Keys) retentionFor(n model.SigningNeeds) time.Duration {
	return max(k.retention(), n.LongestJWT)
}

// keyState is a key's place in its algorithm's timeline at some instant.
type keyState struct {
	active     *model.SigningKey   // signs now
	next       []*model.SigningKey // published, not signing yet
	previous   []*model.SigningKey // superseded, still published
	expired    []*model.SigningKey // superseded longer than retention ago
	supersedes map[string]time.Time
}

// classify splits keys (ordered by ActivatesAt) of alg at now.
func classify(keys []*model.SigningKey, alg string, now time.Time, retention time.Duration) keyState {
	var mine []*model.SigningKey
	for _, key := range keys {
		if key.Alg == alg {
			mine = append(mine, key)
		}
	}
	st := keyState{supersedes: map[string]time.Time{}}
	for i, key := range mine {
		if key.ActivatesAt.After(now) {
			st.next = append(st.next, key)
			continue
		}
		// The newest key that has activated is the signer; the ones before it
		// were superseded when their successor activated.
		if i+1 < len(mine) && !mine[i+1].ActivatesAt.After(now) {
			superseded := mine[i+1].ActivatesAt
			st.supersedes[key.ID] = superseded
			if now.Sub(superseded) > retention {
				st.expired = append(st.expired, key)
			} else {
				st.previous = append(st.previous, key)
			}
			continue
		}
		st.active = key
	}
	return st
}

// Ensure makes sure every algorithm has an active and a next key, and
// deletes keys past their retention. Several nodes may run it at once: at
// worst one more next key is published, which is harmless.
func (k *Keys) Ensure(ctx context.Context) error {
	keys, err := k.Store.ListSigningKeys(ctx)
	if err != nil {
		return err
	}
	needs, err := k.Store.SigningNeeds(ctx)
	if err != nil {
		return err
	}
	now := k.Now().UTC()
	for _, alg := range Algorithms {
		st := classify(keys, alg, now, k.retentionFor(needs))
		if st.active == nil {
			if _, err := k.create(ctx, alg, now); err != nil {
				return err
			}
		}
		if len(st.next) == 0 {
			at := now.Add(k.period())
			if st.active != nil && st.active.ActivatesAt.Add(k.period()).After(now) {
				at = st.active.ActivatesAt.Add(k.period())
			}
			if _, err := k.create(ctx, alg, at); err != nil {
				return err
			}
		}
		for _, old := range st.expired {
			if err := k.Store.DeleteSigningKey(ctx, old.ID); err != nil {
				return err
			}
		}
	}
	k.invalidate()
	return nil
}

// Rotate forces a rotation now: each algorithm's next key, already
// published, starts signing, and a new next key is made.
func (k *Keys) Rotate(ctx context.Context) error {
	if err := k.Ensure(ctx); err != nil {
		return err
	}
	keys, err := k.Store.ListSigningKeys(ctx)
	if err != nil {
		return err
	}
	now := k.Now().UTC()
	for _, alg := range Algorithms {
		st := classify(keys, alg, now, k.retention())
		if len(st.next) == 0 {
			return fmt.Errorf("idtoken: no next %s key to promote", alg)
		}
		// Keys order by activation time; one activated this very millisecond
		// must still sort before its successor.
		if st.active != nil && !st.active.ActivatesAt.Before(now) {
			if err := k.Store.ActivateSigningKey(ctx, st.active.ID, now.Add(-time.Millisecond)); err != nil {
				return err
			}
		}
		if err := k.Store.ActivateSigningKey(ctx, st.next[0].ID, now); err != nil {
			return err
		}
	}
	return k.Ensure(ctx)
}

func (k *Keys) create(ctx context.Context, alg string, activates time.Time) (*model.SigningKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case model.SigningRS256:
		priv, err = rsa.GenerateKey(k.Rand, 2048)
	case model.SigningES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), k.Rand)
	default:
		return nil, fmt.Errorf("idtoken: unknown algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("idtoken: generating %s key: %w", alg, err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	sealed, err := k.Sealer.Seal(SealPurpose, pkcs8)
	if err != nil {
		return nil, err
	}
	key := &model.SigningKey{
		ID:               k.Tokens.JTI(),
		Alg:              alg,
		PublicDER:        pub,
		EncryptedPrivate: sealed,
		CreatedAt:        k.Now().UTC(),
		ActivatesAt:      activates,
	}
	return key, k.Store.CreateSigningKey(ctx, key)
}

func (k *Keys) invalidate() {
	k.mu.Lock()
	k.loadedAt = time.Time{}
	k.mu.Unlock()
}

// load returns the stored keys and what the applications need of them,
// re-reading both at most every reloadEvery and making sure an active and a
// next key exist. Two concurrent reloads do the same idempotent work, so
// only the cache fields are locked.
func (k *Keys) load(ctx context.Context) ([]*model.SigningKey, model.SigningNeeds, error) {
	now := k.Now().UTC()
	k.mu.Lock()
	if !k.loadedAt.IsZero() && now.Sub(k.loadedAt) < reloadEvery && !now.Before(k.loadedAt) {
		all, needs := k.all, k.needs
		k.mu.Unlock()
		return all, needs, nil
	}
	k.mu.Unlock()
	keys, err := k.Store.ListSigningKeys(ctx)
	if err != nil {
		return nil, model.SigningNeeds{}, err
	}
	needs, err := k.Store.SigningNeeds(ctx)
	if err != nil {
		return nil, model.SigningNeeds{}, err
	}
	for _, alg := range Algorithms {
		if st := classify(keys, alg, now, k.retentionFor(needs)); st.active == nil || len(st.next) == 0 {
			if err := k.Ensure(ctx); err != nil {
				return nil, model.SigningNeeds{}, err
			}
			if keys, err = k.Store.ListSigningKeys(ctx); err != nil {
				return nil, model.SigningNeeds{}, err
			}
			break
		}
	}
	k.mu.Lock()
	k.all, k.needs, k.loadedAt = keys, needs, now
	k.mu.Unlock()
	return keys, needs, nil
}

// signingKey is an active key ready to sign.
type signingKey struct {
	id     string
	alg    string
	signer crypto.Signer
}

// active returns the key that signs alg's id tokens now.
func (k *Keys) active(ctx context.Context, alg string) (*signingKey, error) {
	keys, needs, err := k.load(ctx)
	if err != nil {
		return nil, err
	}
	st := classify(keys, alg, k.Now().UTC(), k.retentionFor(needs))
	if st.active == nil {
		return nil, fmt.Errorf("idtoken: no active %s key", alg)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if s, ok := k.private[st.active.ID]; ok {
		return &signingKey{id: st.active.ID, alg: alg, signer: s}, nil
	}
	pkcs8, err := k.Sealer.Open(SealPurpose, st.active.EncryptedPrivate)
	if err != nil {
		return nil, err
	}
	parsed, err := x509.ParsePKCS8PrivateKey(pkcs8)
	if err != nil {
		return nil, err
	}
	s, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, errors.New("idtoken: stored key cannot sign")
	}
	if k.private == nil {
		k.private = map[string]crypto.Signer{}
	}
	k.private[st.active.ID] = s
	return &signingKey{id: st.active.ID, alg: alg, signer: s}, nil
}

// publicKey is a published verification key.
type publicKey struct {
	id  string
	alg string
	key crypto.PublicKey
}

// published returns the verification keys of algs, each algorithm's
// active key first, then the next and the recently superseded ones.
func (k *Keys) published(ctx context.Context, algs func(model.SigningNeeds) []string) ([]publicKey, error) {
	keys, needs, err := k.load(ctx)
	if err != nil {
		return nil, err
	}
	now := k.Now().UTC()
	var out []publicKey
	for _, alg := range algs(needs) {
		st := classify(keys, alg, now, k.retentionFor(needs))
		var group []*model.SigningKey
		if st.active != nil {
			group = append(group, st.active)
		}
		group = append(group, st.next...)
		group = append(group, st.previous...)
		for _, key := range group {
			pub, err := x509.ParsePKIXPublicKey(key.PublicDER)
			if err != nil {
				return nil, fmt.Errorf("idtoken: stored public key %s: %w", key.ID, err)
			}
			out = append(out, publicKey{id: key.ID, alg: alg, key: pub})
		}
	}
	return out, nil
}

// allAlgorithms verifies what this server signed, published or not.
func allAlgorithms(model.SigningNeeds) []string { return Algorithms }

// publishedAlgorithms are the algorithms whose keys JWKS lists: RS256
// first, its active key leading the set (the Node SDK falls back to the
// first key), and ES256 only while some application signs id tokens with
// it, because the Python SDK loads every JWKS key as RSA and one EC key
// breaks its offline check of every token.
func publishedAlgorithms(n model.SigningNeeds) []string {
	if n.ES256 {
		return Algorithms
	}
	return []string{model.SigningRS256}
}

// JWKS is the published key set: active, next and recently superseded keys.
func (k *Keys) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	keys, err := k.published(ctx, publishedAlgorithms)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, p := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: p.key, KeyID: p.id, Algorithm: p.alg, Use: "sig"})
	}
	return set, nil
}
