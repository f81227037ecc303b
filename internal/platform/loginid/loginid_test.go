package loginid

import "testing"

// TestUsernameKey: the variants of one username share its key; different
// usernames do not; what the profile refuses is only ever equal to itself.
func TestUsernameKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"henry", "henry"},
		{"HENRY", "henry"},
		{"Henry", "henry"},
		{" henry", "henry"},
		{"henry ", "henry"},
		{"\thenry\n", "henry"},
		{"\u00a0henry", "henry"}, // no-break space
		{"henry\u00a0", "henry"},
		{"\u3000henry\u2003", "henry"}, // ideographic and em spaces
		{"ｈｅｎｒｙ", "henry"},             // fullwidth
		{"ＨＥＮＲＹ", "henry"},             // fullwidth capitals
		{"\u00a0ＨｅＮｒＹ ", "henry"},
		{"Élise", "élise"},
		{"E\u0301lise", "élise"}, // decomposed: NFC
		{"ΣΑΣ", "σασ"},
		{"ada@Example.COM", "ada@example.com"},
		{"ada.lovelace_1-2", "ada.lovelace_1-2"},
		// Refused by the profile: kept as they are, trimmed.
		{"he nry", "he nry"},
		{"\u200bhenry", "\u200bhenry"}, // zero-width space is no white space
		{" ﬁnn ", "ﬁnn"},
		{"", ""},
		{" \u00a0 ", ""},
	}
	for _, tt := range tests {
		if got := UsernameKey(tt.in); got != tt.want {
			t.Errorf("UsernameKey(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	// No refused string may equal the key of a valid username.
	for _, refused := range []string{"he nry", "\u200bhenry", "ﬁnn"} {
		if _, err := Username(refused); err == nil {
			t.Errorf("Username(%q) is accepted; the table above assumes the profile refuses it", refused)
		}
	}
}

func TestUsername(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Henry", "Henry", true},
		{" Henry\u00a0", "Henry", true},
		{"ＨＥＮＲＹ", "HENRY", true},
		{"E\u0301lise", "Élise", true},
		{"ada_1.x-y", "ada_1.x-y", true},
		{"he nry", "", false},
		{"henry\u200b", "", false},
		{"abc\u05d0", "", false}, // mixed directions
		{"ᾼ", "", false},         // titlecase: refused when case is preserved
		{" \u00a0", "", true},    // no username at all: the caller decides
	}
	for _, tt := range tests {
		got, err := Username(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Username(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err == nil && UsernameKey(got) != UsernameKey(tt.in) {
			t.Errorf("the stored form of %q has another key than the input", tt.in)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		want Login
	}{
		{" Ada@Example.COM\u00a0", Login{Username: "ada@example.com", Email: "ada@example.com", Phone: "Ada@Example.COM"}},
		{"\u3000+8613800000000 ", Login{Username: "+8613800000000", Email: "+8613800000000", Phone: "+8613800000000"}},
		{"ＨＥＮＲＹ", Login{Username: "henry", Email: "ｈｅｎｒｙ", Phone: "ＨＥＮＲＹ"}},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %+v; want %+v", tt.in, got, tt.want)
		}
	}
}
