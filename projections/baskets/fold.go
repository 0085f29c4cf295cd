package baskets

// FoldBatch applies ups in order to views (the stored views of the baskets
// ups touch; missing ones are zero) and returns the views that changed and
// the highest position seen, or ErrOutOfOrder for the whole batch. Adapters
// in other packages (sqlitestore) call it, so they decide exactly as Memory
// does.
func FoldBatch(views map[string]View, ups []Update) (changed map[string]View, top uint64, err error) {
	return foldBatch(views, ups)
}
