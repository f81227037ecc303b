// Package claims owns the user claims GenAuth releases: which claim each
// scope releases, in which order, and in which format (OpenID Connect's
// standard shapes or GenAuth's), for userinfo and id tokens alike.
package claims
