package idtoken

import "testing"

func TestACR(t *testing.T) {
	pwd, twoFactors, passkey, key := []string{"pwd"}, []string{"otp", "pwd", "mfa"}, []string{"hwk", "user", "mfa"}, []string{"hwk"}
	loa1, loa2, phr := ACROneFactor, ACRTwoFactors, ACRPhishingResistant
	for _, tt := range []struct {
		name      string
		amr       []string
		requested []string
		acr       string
		stepUp    bool
	}{
		{"one factor, nothing asked", pwd, nil, loa1, false},
		{"two factors, nothing asked", twoFactors, nil, loa2, false},
		{"no amr (a session from before)", nil, nil, loa1, false},
		{"one factor, loa:2 asked", pwd, []string{loa2}, loa1, true},
		{"one factor, phr asked", pwd, []string{phr}, loa1, true},
		{"one factor, loa:1 asked", pwd, []string{loa1}, loa1, false},
		{"one factor, loa:2 preferred, loa:1 accepted", pwd, []string{loa2, loa1}, loa1, false},
		{"one factor, unknown value", pwd, []string{"urn:other:gold"}, loa1, false},
		{"two factors, loa:2 asked", twoFactors, []string{loa2}, loa2, false},
		{"two factors, loa:1 asked first", twoFactors, []string{loa1, loa2}, loa1, false},
		{"two factors, phr asked but not met: the session stands", twoFactors, []string{phr}, loa2, false},
		{"two factors, phr preferred", twoFactors, []string{phr, loa2}, loa2, false},
		{"passkey with verification, phr asked", passkey, []string{phr, loa2}, phr, false},
		{"passkey with verification, nothing asked", passkey, nil, loa2, false},
		{"passkey without verification, phr asked", key, []string{phr}, phr, false},
		{"passkey without verification, loa:2 asked", key, []string{loa2}, loa1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ACR(tt.amr, tt.requested); got != tt.acr {
				t.Errorf("ACR(%q, %q) = %q, want %q", tt.amr, tt.requested, got, tt.acr)
			}
			if got := WantsSecondFactor(tt.amr, tt.requested); got != tt.stepUp {
				t.Errorf("WantsSecondFactor(%q, %q) = %v, want %v", tt.amr, tt.requested, got, tt.stepUp)
			}
		})
	}
}
