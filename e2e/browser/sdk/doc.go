// Package sdk runs the end-to-end tests of GenAuth's Node SDK
// (authing-node-sdk 4.0.1: the authentication and management clients) that
// live with the browser tests in e2e/browser/tests, against a GenAuth
// server started in the test process.
package sdk
