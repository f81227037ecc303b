// Package users owns user accounts: validating and creating them (hosted
// registration page, CLI, management API) and checking a login and password.
package users
