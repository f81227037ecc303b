// Command genauth is the GenAuth identity server and its administration CLI:
// serve, migrate, app create/list, user create/list and version.
//
// This package only wires flags and environment variables to the services in
// internal/account/apps, internal/account/users, internal/store/sqlite and internal/server;
// the rules about what makes a valid application or user live there.
package main
