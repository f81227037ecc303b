package console

import "context"

// Notify is the server's outgoing email and SMS as the settings page shows
// them. cmd/genauth implements it from serve's delivery flags and the
// database's outbox (Config.Notify); nil means neither is configured.
type Notify interface {
	// Delivery says how messages leave, never with a password or secret.
	Delivery() Delivery
	// SendTest queues a test message of kind (model.MessageEmail or
	// model.MessageSMS) to the address or phone number to, in lang ("en" or
	// "zh"), in the outbox exactly as `genauth notify test-email` and
	// `test-sms` do (template "test"; an SMS with channel CHANNEL_TEST and a
	// random code), and returns the message's id: the server's sender
	// delivers it through the configured provider. to is valid already.
	SendTest(ctx context.Context, kind, to, lang string) (id string, err error)
}

// Delivery is how email and SMS leave; "" is not configured.
type Delivery struct {
	// SMTP is the SMTP server as mail.Config.String writes it (scheme,
	// user name, host and port; no password); From the address email
	// comes from.
	SMTP, From string
	// SMSWebhook is the scheme and host of the SMS webhook: its path or
	// query may hold a gateway's token.
	SMSWebhook string
}
