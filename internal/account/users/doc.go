// Package users owns user accounts: validating, creating, changing,
// suspending and deleting them (hosted registration page, CLI, management
// API), checking a login and password, signing a user out everywhere
// (backend logout) and their login history.
package users
