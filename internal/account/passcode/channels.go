package passcode

// The channels of verification codes (contract 3.1): what a code is for.
// A code is good only on its own channel.
const (
	ChannelLogin                = "CHANNEL_LOGIN"
	ChannelRegister             = "CHANNEL_REGISTER"
	ChannelResetPassword        = "CHANNEL_RESET_PASSWORD"
	ChannelBindPhone            = "CHANNEL_BIND_PHONE"
	ChannelUnbindPhone          = "CHANNEL_UNBIND_PHONE"
	ChannelBindMFA              = "CHANNEL_BIND_MFA"
	ChannelVerifyMFA            = "CHANNEL_VERIFY_MFA"
	ChannelUnbindMFA            = "CHANNEL_UNBIND_MFA"
	ChannelCompletePhone        = "CHANNEL_COMPLETE_PHONE"
	ChannelCompleteEmail        = "CHANNEL_COMPLETE_EMAIL"
	ChannelIdentityVerification = "CHANNEL_IDENTITY_VERIFICATION"
	ChannelDeleteAccount        = "CHANNEL_DELETE_ACCOUNT"
	ChannelVerifyEmailLink      = "CHANNEL_VERIFY_EMAIL_LINK"
	ChannelUpdateEmail          = "CHANNEL_UPDATE_EMAIL"
	ChannelBindEmail            = "CHANNEL_BIND_EMAIL"
	ChannelUnbindEmail          = "CHANNEL_UNBIND_EMAIL"
	ChannelUnlockAccount        = "CHANNEL_UNLOCK_ACCOUNT"
)
