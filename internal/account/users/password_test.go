package users

import (
	"errors"
	"strings"
	"testing"

	"github.com/opengenauth/genauth/internal/account/users/commonpw"
	"github.com/opengenauth/genauth/internal/model"
)

// TestValidatePassword: besides the length limits, the most common
// passwords (in any case), white space alone and one character repeated are
// refused (NIST SP 800-63B section 3.1.1.2).
func TestValidatePassword(t *testing.T) {
	tests := []struct {
		pw, wantErr string // "": accepted
	}{
		{"12345678", "too common"},
		{"password", "too common"},
		{"PassWord", "too common"},
		{"password1", "too common"},
		{"qwertyuiop", "too common"},
		{"iloveyou1", "too common"},
		{"        ", "too common"}, // eight spaces
		{"\t \u00a0\u3000    ", "too common"},
		{"aaaaaaaaaa", "too common"},
		{"ßßßßßßßß", "too common"},
		{"1234567", "at least 8"},
		{strings.Repeat("x", MaxPasswordLen) + "y", "at most"},
		{"\xff\xfe long enough", "UTF-8"},
		{"correct horse battery staple", ""},
		{"aaaaaaab", ""},
		{"tr0ub4dor&3-xk", ""},
		{"密码很长也很安全的一句话", ""},
	}
	for _, tt := range tests {
		err := ValidatePassword(tt.pw)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ValidatePassword(%q) = %v; want it accepted", tt.pw, err)
		case tt.wantErr != "" && (!errors.Is(err, model.ErrInvalidInput) || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ValidatePassword(%q) = %v; want invalid input saying %q", tt.pw, err, tt.wantErr)
		}
	}
}

// TestCommonList: the embedded list is there, large, and holds no entry
// shorter than the shortest password allowed (those are refused anyway).
func TestCommonList(t *testing.T) {
	if n := commonpw.Len(); n < 15000 {
		t.Errorf("the common password list holds %d entries; want the whole list of at least 8 characters", n)
	}
	if commonpw.MinLen > MinPasswordLen {
		t.Errorf("the list drops passwords shorter than %d characters, but %d-character passwords are allowed", commonpw.MinLen, MinPasswordLen)
	}
}
