package orders

import "fmt"

// Fold is what c does to o, the order as a store holds it (exists false and
// o zero when it holds none): o with c applied and true; o unchanged and
// false when o already reflects c; ErrOutOfOrder when an earlier revision is
// missing. Adapters in other packages (sqlitestore) that fold a batch in
// memory before writing it call it, so they decide exactly as Memory does.
func Fold(o Order, exists bool, c Change) (Order, bool, error) {
	ok, err := guard(o.Version, exists, c.Revision)
	if !ok {
		return o, false, err
	}
	if !exists && c.Placed == nil {
		return o, false, fmt.Errorf("%w: %s has no OrderPlaced", ErrOutOfOrder, c.OrderID)
	}
	o = clone(o)
	applyTo(&o, c)
	return o, true, nil
}
