// Package webhooktest runs a real HTTP receiver for GenAuth's SMS webhook:
// it verifies each request's signature as the README tells receivers to,
// and hands over the payloads it accepted.
package webhooktest
