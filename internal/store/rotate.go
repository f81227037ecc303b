package store

import (
	"fmt"

	"github.com/opengenauth/genauth/internal/model"
)

// SuccessorID checks the tokens issued by a refresh token rotation: exactly
// one refresh token, child of refreshID. Backends call it before writing.
func SuccessorID(refreshID string, issued []*model.Token) (string, error) {
	var id string
	for _, t := range issued {
		if t.Kind != model.TokenRefresh {
			continue
		}
		if id != "" || t.ParentID != refreshID || t.ID == "" {
			return "", fmt.Errorf("store: a rotation issues one refresh token whose parent is %s", refreshID)
		}
		id = t.ID
	}
	if id == "" {
		return "", fmt.Errorf("store: a rotation must issue a refresh token")
	}
	return id, nil
}
