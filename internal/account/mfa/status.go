package mfa

import (
	"context"

	"github.com/opengenauth/genauth/internal/model"
)

// Status is what an administrator may see of a user's second factors:
// the factors (their secrets stay sealed in Factor.Sealed, which callers
// must not show) and how many recovery codes are left unused.
type Status struct {
	Factors       []*model.Factor
	RecoveryCodes int
}

// Status returns the user's factors, oldest first, and unused recovery codes.
func (s *Service) Status(ctx context.Context, userID string) (*Status, error) {
	list, err := s.Store.ListFactors(ctx, userID)
	if err != nil {
		return nil, err
	}
	n, err := s.Store.CountRecoveryCodes(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &Status{Factors: list, RecoveryCodes: n}, nil
}
