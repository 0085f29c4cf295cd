package messaging

// CommandMarshaler exposes the bus's command marshaler to the external fuzz
// target of the command handlers (which import this package, so they cannot
// be imported by an internal test).
var CommandMarshaler = commandMarshaler
