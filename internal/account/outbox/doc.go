// Package outbox owns the delivery of email and SMS: messages are written
// to the database (the outbox) before the answer that announces them, and a
// Sender drains them through a Provider per kind, retrying with a bounded
// exponential back-off and giving up after MaxAttempts with an audit event.
// A crash between the write and the send loses nothing; an unreachable SMTP
// server or webhook delays messages but never fails a request.
//
// A message's recipient and content (a verification code) are sealed under
// the server secret in the table and never logged.
package outbox
