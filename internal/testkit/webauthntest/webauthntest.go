package webauthntest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/fxamacker/cbor/v2"
)

// ErrExcluded is a creation refused because the authenticator holds a
// credential of the exclusion list (a browser's InvalidStateError).
var ErrExcluded = errors.New("webauthntest: the authenticator holds an excluded credential")

// ErrNoCredential is a sign-in for which the authenticator holds no
// credential (a browser's NotAllowedError).
var ErrNoCredential = errors.New("webauthntest: no credential for this relying party")

// Flags of the authenticator data (WebAuthn Level 3, 6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagBS = 0x10
	flagAT = 0x40
)

// coseES256 is the COSE algorithm identifier of ECDSA P-256 with SHA-256.
const coseES256 = -7

// Credential is a credential the authenticator holds.
type Credential struct {
	ID         []byte
	RPID       string
	UserHandle []byte
	Key        *ecdsa.PrivateKey
}

// Authenticator is a software authenticator. Its fields may be changed
// between ceremonies; it is not safe for concurrent use.
type Authenticator struct {
	// UP, UV, BE and BS are the flags it sets: user present, user
	// verified, backup eligible, backed up.
	UP, UV, BE, BS bool
	// Counter is the signature counter it reports; when Counting, each
	// signature advances it first. Counting false and Counter 0 is an
	// authenticator without a counter (as synced passkeys are).
	Counter  uint32
	Counting bool
	// RPID, when set, is the relying party hashed into the authenticator
	// data instead of the options' (a relying party the test plays).
	RPID string

	creds []*Credential
}

// New returns an authenticator that verifies its user and counts its
// signatures, with no credential.
func New() *Authenticator {
	return &Authenticator{UP: true, UV: true, Counting: true}
}

// Credentials are the credentials it holds, oldest first.
func (a *Authenticator) Credentials() []*Credential { return slices.Clone(a.creds) }

// creationOptions is what Create reads of PublicKeyCredentialCreationOptions.
type creationOptions struct {
	RP struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Challenge string       `json:"challenge"`
	Params    []param      `json:"pubKeyCredParams"`
	Exclude   []descriptor `json:"excludeCredentials"`
}

type param struct {
	Alg int `json:"alg"`
}

type descriptor struct {
	ID string `json:"id"`
}

// requestOptions is what Get reads of PublicKeyCredentialRequestOptions.
type requestOptions struct {
	Challenge string       `json:"challenge"`
	RPID      string       `json:"rpId"`
	Allow     []descriptor `json:"allowCredentials"`
}

// unwrap accepts the publicKey object or {"publicKey": ...} around it.
func unwrap(options []byte, into any) error {
	var outer struct {
		PublicKey json.RawMessage `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &outer); err != nil {
		return fmt.Errorf("webauthntest: reading the options: %w", err)
	}
	if len(outer.PublicKey) > 0 {
		options = outer.PublicKey
	}
	if err := json.Unmarshal(options, into); err != nil {
		return fmt.Errorf("webauthntest: reading the options: %w", err)
	}
	return nil
}

// rpIDOf is the RP ID of options, else the origin's host, as browsers default it.
func rpIDOf(rpID, origin string) (string, error) {
	if rpID != "" {
		return rpID, nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("webauthntest: origin %q has no host", origin)
	}
	return u.Hostname(), nil
}

// Create makes a resident credential for the creation options (JSON) at
// origin and returns the PublicKeyCredential's toJSON().
func (a *Authenticator) Create(options []byte, origin string) ([]byte, error) {
	var o creationOptions
	if err := unwrap(options, &o); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(o.Params, func(p param) bool { return p.Alg == coseES256 }) {
		return nil, errors.New("webauthntest: the relying party does not accept ES256")
	}
	rpID, err := rpIDOf(o.RP.ID, origin)
	if err != nil {
		return nil, err
	}
	userHandle, err := base64.RawURLEncoding.DecodeString(o.User.ID)
	if err != nil {
		return nil, fmt.Errorf("webauthntest: user.id: %w", err)
	}
	for _, d := range o.Exclude {
		if a.find(rpID, d.ID) != nil {
			return nil, ErrExcluded
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	// A new credential of the same user replaces the old one, as
	// authenticators keep one resident credential per user and RP.
	a.creds = slices.DeleteFunc(a.creds, func(c *Credential) bool { return c.RPID == rpID && bytes.Equal(c.UserHandle, userHandle) })
	cred := &Credential{ID: id, RPID: rpID, UserHandle: userHandle, Key: key}
	a.creds = append(a.creds, cred)

	point, err := key.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		return nil, err
	}
	coseKey, err := cbor.Marshal(map[int]any{1: 2, 3: coseES256, -1: 1, -2: point[1:33], -3: point[33:]})
	if err != nil {
		return nil, err
	}
	attested := make([]byte, 0, 18+len(id)+len(coseKey))
	attested = append(attested, make([]byte, 16)...) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(id)))
	attested = append(append(attested, id...), coseKey...)
	authData := a.authData(rpID, flagAT, attested)
	attObj, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		return nil, err
	}
	clientData, err := clientData("webauthn.create", o.Challenge, origin)
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	b64 := base64.RawURLEncoding.EncodeToString
	return json.Marshal(map[string]any{
		"id": b64(id), "rawId": b64(id), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64(clientData), "attestationObject": b64(attObj), "authenticatorData": b64(authData),
			"transports": []string{"internal"}, "publicKey": b64(spki), "publicKeyAlgorithm": coseES256,
		},
	})
}

// Get signs the request options' (JSON) challenge at origin with a
// credential of the allow list, or with the oldest resident credential of
// the relying party when the list is empty (a discoverable sign-in), and
// returns the PublicKeyCredential's toJSON().
func (a *Authenticator) Get(options []byte, origin string) ([]byte, error) {
	var o requestOptions
	if err := unwrap(options, &o); err != nil {
		return nil, err
	}
	rpID, err := rpIDOf(o.RPID, origin)
	if err != nil {
		return nil, err
	}
	var cred *Credential
	for _, d := range o.Allow {
		if cred = a.find(rpID, d.ID); cred != nil {
			break
		}
	}
	if len(o.Allow) == 0 {
		i := slices.IndexFunc(a.creds, func(c *Credential) bool { return c.RPID == rpID })
		if i >= 0 {
			cred = a.creds[i]
		}
	}
	if cred == nil {
		return nil, ErrNoCredential
	}
	if a.Counting {
		a.Counter++
	}
	authData := a.authData(rpID, 0, nil)
	clientData, err := clientData("webauthn.get", o.Challenge, origin)
	if err != nil {
		return nil, err
	}
	clientHash := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(slices.Clone(authData), clientHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, cred.Key, digest[:])
	if err != nil {
		return nil, err
	}
	b64 := base64.RawURLEncoding.EncodeToString
	return json.Marshal(map[string]any{
		"id": b64(cred.ID), "rawId": b64(cred.ID), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64(clientData), "authenticatorData": b64(authData), "signature": b64(sig),
			"userHandle": b64(cred.UserHandle),
		},
	})
}

// find is the credential of rpID whose base64url id is id.
func (a *Authenticator) find(rpID, id string) *Credential {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return nil
	}
	for _, c := range a.creds {
		if c.RPID == rpID && bytes.Equal(c.ID, raw) {
			return c
		}
	}
	return nil
}

// authData is the authenticator data: the RP ID's hash, the flags, the
// counter and what follows (the attested credential data).
func (a *Authenticator) authData(rpID string, flags byte, rest []byte) []byte {
	if a.RPID != "" {
		rpID = a.RPID
	}
	for _, f := range []struct {
		on   bool
		flag byte
	}{{a.UP, flagUP}, {a.UV, flagUV}, {a.BE, flagBE}, {a.BS, flagBS}} {
		if f.on {
			flags |= f.flag
		}
	}
	h := sha256.Sum256([]byte(rpID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, a.Counter)
	return append(out, rest...)
}

// clientData is the client data JSON a browser hashes into the signature.
func clientData(typ, challenge, origin string) ([]byte, error) {
	return json.Marshal(struct {
		Type        string `json:"type"`
		Challenge   string `json:"challenge"`
		Origin      string `json:"origin"`
		CrossOrigin bool   `json:"crossOrigin"`
	}{typ, challenge, origin, false})
}
