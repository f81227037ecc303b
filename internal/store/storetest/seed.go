package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/opengenauth/genauth/internal/model"
	"github.com/opengenauth/genauth/internal/store/storecopy"
)

// seedFirst and seedLast make the seeded users' names: 64 × 64 pairs.
var (
	seedFirst = []string{"olivia", "liam", "emma", "noah", "amelia", "oliver", "ava", "elijah", "sophia", "james",
		"isabella", "william", "mia", "benjamin", "charlotte", "lucas", "harper", "henry", "evelyn", "theodore",
		"luna", "jack", "camila", "levi", "gianna", "alexander", "elizabeth", "jackson", "eleanor", "mateo",
		"ella", "daniel", "abigail", "michael", "sofia", "mason", "avery", "sebastian", "scarlett", "ethan",
		"emily", "logan", "aria", "owen", "penelope", "samuel", "chloe", "jacob", "layla", "asher",
		"wei", "fang", "jing", "lei", "min", "hui", "jun", "yan", "ming", "xiu", "hao", "lin", "yu", "chen"}
	seedLast = []string{"smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
		"martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson",
		"martin", "lee", "perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis",
		"robinson", "walker", "young", "allen", "king", "wright", "scott", "torres", "nguyen", "hill", "flores",
		"green", "adams", "nelson", "baker", "hall", "rivera", "campbell", "mitchell", "carter", "roberts",
		"wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu"}
	seedDomains = []string{"example.com", "example.org", "example.net", "mail.example.cn"}
)

// SeedUser is the i-th user SeedUsers stores, the same on every call: a
// random-looking id (hex, as token.Source makes them), a username
// first.last<i>, an email on one of four domains (none for every seventh
// user), a phone +86138<i, 8 digits> (none for every fifth), created i
// seconds after start.
func SeedUser(i int, start time.Time) *model.User {
	sum := sha256.Sum256([]byte(strconv.Itoa(i)))
	first, last := seedFirst[i%len(seedFirst)], seedLast[i/len(seedFirst)%len(seedLast)]
	name := first + "." + last + strconv.Itoa(i)
	u := user(hex.EncodeToString(sum[:12]), name, "", "", start.Add(time.Duration(i)*time.Second))
	if i%7 != 0 {
		u.Email = name + "@" + seedDomains[i%len(seedDomains)]
		u.EmailVerified = i%3 != 0
	}
	if i%5 != 0 {
		u.Phone = fmt.Sprintf("+86138%08d", i)
	}
	u.Name = first + " " + last
	u.SourceType = model.UserSourceRegister
	return u
}

// SeedUsers stores SeedUser(0) .. SeedUser(n-1): the users a benchmark of
// user lists needs, on any backend. A store that imports (PostgreSQL's
// Import, which COPYs) gets them that way and must be empty; any other
// through CreateUsers, 10,000 to a transaction.
func SeedUsers(ctx context.Context, s interface {
	CreateUsers(ctx context.Context, users []*model.User) error
}, n int, start time.Time) error {
	if imp, ok := s.(interface {
		Import(ctx context.Context, src storecopy.Source) (storecopy.Counts, error)
	}); ok {
		_, err := imp.Import(ctx, seedSource{n, start})
		return err
	}
	const batch = 10_000
	users := make([]*model.User, 0, batch)
	for i := range n {
		users = append(users, SeedUser(i, start))
		if len(users) == batch || i == n-1 {
			if err := s.CreateUsers(ctx, users); err != nil {
				return fmt.Errorf("seed users %d..%d: %w", i+1-len(users), i, err)
			}
			users = users[:0]
		}
	}
	return nil
}

// seedSource is a copy source holding SeedUser(0) .. SeedUser(n-1) and
// nothing else.
type seedSource struct {
	n     int
	start time.Time
}

func (s seedSource) Users(context.Context) iter.Seq2[*model.User, error] {
	return func(yield func(*model.User, error) bool) {
		for i := range s.n {
			if !yield(SeedUser(i, s.start), nil) {
				return
			}
		}
	}
}

func none[T any]() iter.Seq2[T, error] { return func(func(T, error) bool) {} }

func (seedSource) Applications(context.Context) iter.Seq2[*model.Application, error] {
	return none[*model.Application]()
}
func (seedSource) Sessions(context.Context) iter.Seq2[*model.Session, error] {
	return none[*model.Session]()
}
func (seedSource) AuthCodes(context.Context) iter.Seq2[*storecopy.AuthCode, error] {
	return none[*storecopy.AuthCode]()
}
func (seedSource) Tokens(context.Context) iter.Seq2[*storecopy.Token, error] {
	return none[*storecopy.Token]()
}
func (seedSource) SigningKeys(context.Context) iter.Seq2[*model.SigningKey, error] {
	return none[*model.SigningKey]()
}
func (seedSource) Consents(context.Context) iter.Seq2[*model.Consent, error] {
	return none[*model.Consent]()
}
func (seedSource) AccessKeys(context.Context) iter.Seq2[*model.AccessKey, error] {
	return none[*model.AccessKey]()
}
func (seedSource) PasswordKeys(context.Context) iter.Seq2[*model.PasswordKey, error] {
	return none[*model.PasswordKey]()
}
func (seedSource) Logins(context.Context) iter.Seq2[*model.LoginRecord, error] {
	return none[*model.LoginRecord]()
}
func (seedSource) Nonces(context.Context) iter.Seq2[*storecopy.Nonce, error] {
	return none[*storecopy.Nonce]()
}
func (seedSource) Throttles(context.Context) iter.Seq2[*model.Throttle, error] {
	return none[*model.Throttle]()
}
func (seedSource) AuditEvents(context.Context) iter.Seq2[*model.AuditEvent, error] {
	return none[*model.AuditEvent]()
}
func (seedSource) Outbox(context.Context) iter.Seq2[*model.OutboxMessage, error] {
	return none[*model.OutboxMessage]()
}
func (seedSource) Passcodes(context.Context) iter.Seq2[*model.Passcode, error] {
	return none[*model.Passcode]()
}
func (seedSource) Factors(context.Context) iter.Seq2[*model.Factor, error] {
	return none[*model.Factor]()
}
func (seedSource) RecoveryCodes(context.Context) iter.Seq2[*storecopy.RecoveryCode, error] {
	return none[*storecopy.RecoveryCode]()
}
func (seedSource) Settings(context.Context) iter.Seq2[*storecopy.Setting, error] {
	return none[*storecopy.Setting]()
}
func (seedSource) ExtIdps(context.Context) iter.Seq2[*model.ExtIdp, error] {
	return none[*model.ExtIdp]()
}
func (seedSource) ExtIdpConns(context.Context) iter.Seq2[*model.ExtIdpConn, error] {
	return none[*model.ExtIdpConn]()
}
func (seedSource) ConnEnablements(context.Context) iter.Seq2[*storecopy.ConnEnablement, error] {
	return none[*storecopy.ConnEnablement]()
}
func (seedSource) Identities(context.Context) iter.Seq2[*model.Identity, error] {
	return none[*model.Identity]()
}

func (seedSource) Roles(context.Context) iter.Seq2[*storecopy.Role, error] {
	return none[*storecopy.Role]()
}
