package edge

import (
	"fmt"
	"net/http"
	"net/url"
)

// SameOrigin returns the protection of a form that only GenAuth's own pages
// may post (sign-in, consent, the sign-out question): cross-origin browser
// posts are refused with deny. The public URL's origin is trusted too, since
// behind a proxy that rewrites Host browsers still send the public origin.
func SameOrigin(publicURL string, deny http.Handler) (*http.CrossOriginProtection, error) {
	pub, err := url.Parse(publicURL)
	if err != nil || pub.Host == "" {
		return nil, fmt.Errorf("public URL %q is not an absolute URL", publicURL)
	}
	p := http.NewCrossOriginProtection()
	if err := p.AddTrustedOrigin(pub.Scheme + "://" + pub.Host); err != nil {
		return nil, fmt.Errorf("public URL: %w", err)
	}
	p.SetDenyHandler(deny)
	return p, nil
}
