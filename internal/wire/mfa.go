package wire

// MFARequired is the data of a sign-in that needs a second factor
// (contract 6.3): the token that finishes it and what the user can prove.
type MFARequired struct {
	MFAToken       string      `json:"mfaToken"`
	ApplicationMFA []MFAPolicy `json:"applicationMfa"`
	// The addresses of the user's SMS and EMAIL factors, masked.
	MFAPhone       string `json:"mfaPhone,omitempty"`
	MFAEmail       string `json:"mfaEmail,omitempty"`
	TOTPMFAEnabled bool   `json:"totpMfaEnabled"`
	FaceMFAEnabled bool   `json:"faceMfaEnabled"`
}

// MFAPolicy is one kind of second factor an application offers.
type MFAPolicy struct {
	MFAPolicy string `json:"mfaPolicy"`
	Status    int    `json:"status"`
	Sort      int    `json:"sort"`
}

// MFAVerified is the data of the MFA verify endpoints: whether the proof
// was right and, when it finished a pending sign-in, the token set.
type MFAVerified struct {
	Verified bool `json:"verified"`
	*SignInTokens
}
