// Package mail owns email: the messages' templates (HTML and plain text,
// English and Simplified Chinese, embedded) and their delivery over SMTP
// with github.com/wneessen/go-mail, configured by one URL
// (smtp://user:pass@host:port, STARTTLS when the server offers it;
// smtps:// for implicit TLS).
package mail
