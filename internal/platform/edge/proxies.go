package edge

import (
	"fmt"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies whose forwarding headers are believed.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of CIDRs or single addresses,
// such as "10.0.0.0/8, 192.168.1.7, ::1".
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR such as 10.0.0.0/8 nor an IP address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// String lists the prefixes as ParseProxies reads them.
func (p Proxies) String() string {
	s := make([]string, len(p))
	for i, x := range p {
		s[i] = x.String()
	}
	return strings.Join(s, ",")
}

// Contains reports whether addr is one of the proxies.
func (p Proxies) Contains(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, x := range p {
		if x.Contains(addr) {
			return true
		}
	}
	return false
}

// clientAddr walks X-Forwarded-For from the right: each trusted proxy
// appended the address it received from, so the right-most entry that is not
// a trusted proxy is the client. Entries to its left were written by the
// client itself and prove nothing. ok is false when the header holds no
// usable address (then the peer stays the client).
func (p Proxies) clientAddr(xff []string) (netip.Addr, bool) {
	var hops []string
	for _, h := range xff {
		hops = append(hops, strings.Split(h, ",")...)
	}
	var last netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := parseHop(strings.TrimSpace(hops[i]))
		if err != nil {
			// A malformed entry ends what can be believed.
			break
		}
		last = a
		if !p.Contains(a) {
			return a, true
		}
	}
	// Every entry is a proxy: the left-most one believed is the client.
	return last, last.IsValid()
}

// parseHop reads an address as proxies write it: bare, or with a port, or
// an IPv6 address in brackets.
func parseHop(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, err
	}
	return a.Unmap(), nil
}
