package projectionstest

import "github.com/evshop/shop/eventstore"

// Batching is one way of cutting a history into batches.
type Batching struct {
	Name    string
	Batches [][]eventstore.RecordedEvent
}

// Batchings are the cuts of evs every projector's batch path must treat as
// one-by-one delivery does: all at once, each event twice in one batch, the
// whole batch applied twice, and the overlapping batches given (each batch
// re-delivering some of the previous one).
func Batchings(evs []eventstore.RecordedEvent, overlapping ...[]eventstore.RecordedEvent) []Batching {
	dup := make([]eventstore.RecordedEvent, 0, 2*len(evs))
	for _, ev := range evs {
		dup = append(dup, ev, ev)
	}
	return []Batching{
		{"one batch", [][]eventstore.RecordedEvent{evs}},
		{"a batch containing duplicates", [][]eventstore.RecordedEvent{dup}},
		{"a batch re-applied", [][]eventstore.RecordedEvent{evs, evs}},
		{"batches overlapping earlier ones", overlapping},
	}
}
