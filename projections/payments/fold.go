package payments

import "slices"

// Fold is what c does to p, the payment as a store holds it (the zero
// Payment when it holds none): p with c booked (summary and ledger line) and
// true; p unchanged and false when p already reflects c; ErrOutOfOrder when
// an earlier revision is missing. Adapters in other packages (sqlitestore)
// that fold a batch in memory call it, so they decide exactly as Memory does.
func Fold(p Payment, c Change) (Payment, bool, error) {
	if ok, err := guard(p.Version, c.Entry.Revision); !ok {
		return p, false, err
	}
	p.Ledger = append(slices.Clip(p.Ledger), c.Entry)
	fold(&p, c)
	return p, true, nil
}
