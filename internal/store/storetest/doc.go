// Package storetest is the conformance suite for store.Store. Every backend
// runs it from its own tests with Run; a behaviour the suite fixes is part of
// the contract, including edge cases the interface comments leave open.
package storetest
