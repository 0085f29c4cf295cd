package export

import (
	"bytes"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

func TestScratch(t *testing.T) {
	schema := parquet.NewSchema("ev", parquet.Group{
		"position": parquet.Leaf(parquet.Int64Type),
		"time":     parquet.Timestamp(parquet.Microsecond),
		"stream":   parquet.String(),
		"data": parquet.Optional(parquet.Group{
			"amount": parquet.Optional(parquet.Leaf(parquet.Int64Type)),
			"ok":     parquet.Optional(parquet.Leaf(parquet.BooleanType)),
			"total": parquet.Optional(parquet.Group{
				"amount":   parquet.Optional(parquet.Leaf(parquet.Int64Type)),
				"currency": parquet.Optional(parquet.String()),
			}),
			"at": parquet.Optional(parquet.Timestamp(parquet.Microsecond)),
		}),
	})
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[map[string]any](&buf, schema)
	rows := []map[string]any{
		{"position": int64(1), "time": time.Now(), "stream": "a", "data": map[string]any{"amount": int64(5), "ok": true, "total": map[string]any{"amount": int64(7), "currency": "EUR"}, "at": time.Now()}},
		{"position": int64(2), "time": time.Now(), "stream": "b", "data": map[string]any{"amount": nil, "total": nil}},
		{"position": int64(3), "time": time.Now(), "stream": "c", "data": nil},
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(f.Schema())
	r := parquet.NewGenericReader[map[string]any](bytes.NewReader(buf.Bytes()), f.Schema())
	out := make([]map[string]any, 3)
	n, err := r.Read(out)
	t.Log(n, err, out)
}
