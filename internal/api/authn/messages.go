package authn

import (
	"net/http"
	"strings"

	"github.com/opengenauth/genauth/internal/model"
)

// lang is the language of an answer's message: x-authing-lang or
// x-genauth-lang, zh-CN or en-US; anything else is en-US.
type lang int

const (
	enUS lang = iota
	zhCN
)

func langOf(r *http.Request) lang {
	for _, h := range []string{"X-Authing-Lang", "X-Genauth-Lang"} {
		if strings.EqualFold(strings.TrimSpace(r.Header.Get(h)), "zh-CN") {
			return zhCN
		}
	}
	return enUS
}

// message is a business failure's text in each language.
type message [2]string

var (
	msgAppRequired   = message{"the application is not named: send the x-authing-app-id header", "缺少应用 ID：请发送 x-authing-app-id 请求头"}
	msgAppNotFound   = message{"application not found", "应用不存在"}
	msgBadLogin      = message{"Account not exists or password is incorrect.", "账号不存在或密码错误"}
	msgLocked        = message{"Too many failed attempts: the account is locked for now, try again later.", "登录失败次数过多，账号已被暂时锁定，请稍后再试"}
	msgSuspended     = message{"The account is suspended.", "账号已被停用"}
	msgThrottled     = message{"Too many requests, please try again later", "请求过于频繁，请稍后再试"}
	msgUnauthorized  = message{"Unauthorized", "尚未登录，无权限访问此资源"}
	msgDecrypt       = message{"error decrypting the client password: it is not base64", "密码解密失败：不是 base64 编码"}
	msgSecretWrong   = message{"the app secret is wrong", "应用密钥错误"}
	msgWrongCode     = message{"The verification code is wrong or has been used.", "验证码不正确或已被使用"}
	msgCodeExpired   = message{"The verification code has expired.", "验证码已过期"}
	msgMFARequired   = message{"MFA required", "需要进行多因素认证"}
	msgNotRecent     = message{"Sign in again first: changing second factors needs a sign-in within the last 15 minutes.", "请先重新登录：更改多因素认证需要在 15 分钟内登录过"}
	msgFactorExists  = message{"The account already has a factor of this type.", "账号已绑定此类型的认证因素"}
	msgNoFactor      = message{"No such factor.", "认证因素不存在"}
	msgTOTPWrong     = message{"The TOTP code is wrong.", "TOTP 验证码错误"}
	msgPasskeysOff   = message{"Passkeys are off: they need a public URL whose host is a domain name (localhost included), not an IP address.", "未启用通行密钥：公开地址的主机须为域名（含 localhost），不能是 IP 地址"}
	msgNoPasskey     = message{"The account has no passkey.", "账号未绑定通行密钥"}
	msgPasskeyExists = message{"This passkey is registered already.", "该通行密钥已注册"}
	// A CHANNEL_VERIFY_MFA code asked for an address that is not the user's factor's.
	msgNotFactorAddress = message{"That is not the address of one of the account's second factors.", "该地址不是账号已绑定的多因素认证地址"}
	// A reset token that is wrong, used, replaced, or whose user is gone; one that expired.
	msgResetToken        = message{"The password reset token is invalid or has been used.", "重置密码令牌无效或已被使用"}
	msgResetTokenExpired = message{"The password reset token has expired.", "重置密码令牌已过期"}
	// msgChannelUnsupported is followed by the channel's name.
	msgChannelUnsupported = message{"this channel is not supported: ", "不支持此验证码类型："}
	msgWrongPassword      = message{"The old password is incorrect.", "原密码错误"}
	msgUserExists         = message{"The username, email or phone number is already taken.", "用户名、邮箱或手机号已被占用"}
	msgRegistrationClosed = message{"This application does not allow registration.", "此应用不允许注册"}
	msgAlreadyBound       = message{"The account already has one: change it with the update flow instead.", "账号已绑定，请使用更换流程"}
	msgNothingToUnbind    = message{"The account has none to unbind.", "账号未绑定，无法解绑"}
	msgLastLoginMethod    = message{"It is the account's only remaining way to sign in.", "这是账号唯一的登录方式，无法解绑"}
	msgSameAddress        = message{"The new address is the account's current one.", "新地址与当前地址相同"}
	msgNotYourAddress     = message{"That is not the account's current address.", "该地址不是账号当前的地址"}
	msgGrantInvalid       = message{"The token is invalid, used or expired: verify again.", "令牌无效、已使用或已过期，请重新验证"}
	msgPasswordNotAllowed = message{"The account has an email or a phone number: verify with a code sent to it.", "账号已绑定邮箱或手机号，请使用验证码验证"}
	// Upstream identity providers (contract 7 and signin's LDAP and AD).
	msgNoDirectory      = message{"invalid LDAP connection: no LDAP or AD connection of this kind is enabled for the application", "无效的 LDAP 连接：此应用未启用该类型的 LDAP 或 AD 身份源连接"}
	msgUpstreamDown     = message{"Could not reach the identity provider: try again later.", "无法连接身份源，请稍后再试"}
	msgUpstreamNo       = message{"The identity provider refused the sign-in.", "身份源拒绝了此次登录"}
	msgEmailTaken       = message{"An account with this email address exists: sign in to it, then link this identity from the account page.", "已有使用此邮箱的账号：请先登录该账号，再在账号页面关联此身份"}
	msgNoAccount        = message{"No account is linked to this identity, and this connection does not create accounts.", "此身份未关联账号，且该身份源连接不创建账号"}
	msgIdentityLast     = message{"The identity is the account's only remaining way to sign in: add a password or another way first.", "这是账号唯一的登录方式：请先设置密码或其他登录方式"}
	msgNotLinked        = message{"The account has no identity at this provider.", "账号未关联此身份源"}
	msgNoConnection     = message{"No such connection.", "身份源连接不存在"}
	msgLinkWebOnly      = message{"Only OpenID Connect and OAuth 2.0 connections are linked through a browser.", "仅 OpenID Connect 和 OAuth 2.0 身份源连接可通过浏览器关联"}
	msgBadIDToken       = message{"The id_token is not a valid, unexpired id token of this server for this application.", "id_token 不是本服务器为此应用签发的有效 id token，或已过期"}
	msgEmailVerifyFirst = message{"This application requires a verified email address: send a CHANNEL_COMPLETE_EMAIL code to it and pass it as options.emailPassCodeForInformationCompletion.", "此应用要求先验证邮箱：请向该邮箱发送 CHANNEL_COMPLETE_EMAIL 验证码，并以 options.emailPassCodeForInformationCompletion 提交"}
)

// msgNotConfigured is the answer of a code that no provider could deliver, by message kind.
var msgNotConfigured = map[string]message{
	model.MessageEmail: {"email is not configured", "未配置邮件服务"},
	model.MessageSMS:   {"SMS is not configured", "未配置短信服务"},
}

func (m message) in(l lang) string { return m[l] }
