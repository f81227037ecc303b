// Package i18n owns the languages of the hosted pages: the message catalogs
// (English and Simplified Chinese, one key per user-visible string) and the
// choice of language for a request, from the lang query parameter, the
// language cookie, then Accept-Language, else English.
package i18n
