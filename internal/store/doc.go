// Package store defines the storage interface every GenAuth backend implements.
//
// Operations that must happen once (redeem a code, refresh from a token that
// may be revoked concurrently) are single methods that each backend makes
// atomic. The conformance suite in storetest is the definition of correct
// behaviour; sqlite and postgres are the implementations.
package store
