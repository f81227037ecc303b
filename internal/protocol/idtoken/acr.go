package idtoken

import "slices"

// Authentication context class references (the "acr" claim, OpenID Connect
// Core 2): how strongly the user was authenticated, as the amr says.
const (
	// ACROneFactor: one factor.
	ACROneFactor = "urn:genauth:loa:1"
	// ACRTwoFactors: two factors (amr has "mfa").
	ACRTwoFactors = "urn:genauth:loa:2"
	// ACRPhishingResistant is "phr" of OpenID EAP ACR Values 1.0: a passkey
	// was used (amr has "hwk").
	ACRPhishingResistant = "phr"
)

// ACRValues are the acr values GenAuth issues, for discovery's
// acr_values_supported.
var ACRValues = []string{ACROneFactor, ACRTwoFactors, ACRPhishingResistant}

// Satisfies says whether a sign-in by amr meets acr value v; an unknown
// value is never met.
func Satisfies(amr []string, v string) bool {
	switch v {
	case ACROneFactor:
		return true
	case ACRTwoFactors:
		return slices.Contains(amr, "mfa")
	case ACRPhishingResistant:
		return slices.Contains(amr, "hwk")
	}
	return false
}

// ACR is the acr of a sign-in by amr asked for requested (the request's
// acr_values, in order of preference): the first requested value it
// satisfies, else what amr shows.
func ACR(amr, requested []string) string {
	for _, v := range requested {
		if Satisfies(amr, v) {
			return v
		}
	}
	if slices.Contains(amr, "mfa") {
		return ACRTwoFactors
	}
	return ACROneFactor
}

// WantsSecondFactor says whether a sign-in by amr must prove a second
// factor to meet requested: it meets none of them, one of them takes two
// factors, and it has proven only one. A session with two factors that
// still misses phr stands: acr_values is voluntary, and the acr claim says
// what was achieved.
func WantsSecondFactor(amr, requested []string) bool {
	if slices.Contains(amr, "mfa") {
		return false
	}
	strong := false
	for _, v := range requested {
		if Satisfies(amr, v) {
			return false
		}
		strong = strong || v == ACRTwoFactors || v == ACRPhishingResistant
	}
	return strong
}
