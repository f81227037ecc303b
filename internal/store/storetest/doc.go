// Package storetest is the conformance suite of GenAuth's storage. Each
// package that keeps data declares the store interface it needs
// (oauth.TokenStore, sessions.Store, throttle.Store, ...); the suite fixes
// what their operations do, in one test group per interface, named after it
// (see groups). Every backend runs it from its own tests with Run; a
// behaviour the suite fixes is part of the contract, including edge cases
// the interface comments leave open.
//
// SeedUsers and BenchUserPages are the million-user benchmark of the user
// lists (issue 18), which each backend runs from its own benchmark.
package storetest
