// Package sms owns SMS delivery through a webhook: a signed JSON POST that
// any SMS gateway (or a small adapter in front of one) can receive. Vendor
// providers can follow as other outbox.Providers.
package sms
