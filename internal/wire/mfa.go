package wire

import "encoding/json"

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

// FactorType is one kind of factor a user may enroll (list-factors-to-enroll).
type FactorType struct {
	FactorType string `json:"factorType"`
}

// EnrollRequest is the data of send-enroll-factor-request: the token that
// enroll-factor takes and, for OTP, the secret to scan.
type EnrollRequest struct {
	EnrollmentToken string   `json:"enrollmentToken"`
	OTPData         *OTPData `json:"otpData,omitempty"`
}

// OTPData is a TOTP secret offered for enrollment: its otpauth URI, that URI
// as a PNG QR code data URL, and the first of the user's new recovery codes.
type OTPData struct {
	QRCodeURI     string `json:"qrCodeUri"`
	QRCodeDataURL string `json:"qrCodeDataUrl"`
	RecoveryCode  string `json:"recoveryCode"`
}

// Factor is an enrolled factor (list-enrolled-factors, get-factor).
type Factor struct {
	FactorID   string        `json:"factorId"`
	FactorType string        `json:"factorType"`
	Profile    FactorProfile `json:"profile"`
}

// FactorProfile is where an SMS or EMAIL factor sends its codes, or a
// passkey's name and credential id (base64url); empty for the others.
type FactorProfile struct {
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	Email        string `json:"email,omitempty"`
	Name         string `json:"name,omitempty"`
	CredentialID string `json:"credentialId,omitempty"`
}

// PasskeyRegistration is GET webauthn/registration's data: the options for
// navigator.credentials.create (its publicKey object) and the ticket that
// POST webauthn/registration takes back.
type PasskeyRegistration struct {
	Ticket              string          `json:"ticket"`
	RegistrationOptions json.RawMessage `json:"registrationOptions"`
}

// PasskeyAuthentication is GET webauthn/authentication's data: the options
// for navigator.credentials.get and the ticket.
type PasskeyAuthentication struct {
	Ticket                string          `json:"ticket"`
	AuthenticationOptions json.RawMessage `json:"authenticationOptions"`
}

// PasskeyVerified is the data of POST webauthn/registration and
// webauthn/authentication: whether the credential passed and, when a
// sign-in ended, its token set (contract 6.2).
type PasskeyVerified struct {
	Verified bool          `json:"verified"`
	TokenSet *SignInTokens `json:"tokenSet,omitempty"`
}
