// Package envelope is the layer every /api/v3 surface shares (the management
// API and the authentication API): the envelope every answer travels in
// (always HTTP 200, the outcome in statusCode), its one error type, the
// request body rules (a JSON object, no repeated keys, a size bound), the
// lenient reading of parameters the SDKs send, and the Mux that owns the
// /api/v3/ prefix: the text refusal and the catch-all (unknown path: 404,
// known path with another method: 405) over the routes of every surface.
package envelope
