package eventstore

import (
	"fmt"

	"github.com/google/uuid"
)

// CanonicalID parses an event id, which must be a UUID, and returns it in its
// canonical lower-case hyphenated form. Adapters store and compare ids in that
// form so that a retry spelled in upper case is still recognised as the same
// event, and so that every adapter (the Postgres uuid column, EventStoreDB)
// accepts the same ids.
func CanonicalID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", fmt.Errorf("%w: event id %q is not a UUID", ErrInvalidEvent, id)
	}
	return u.String(), nil
}
