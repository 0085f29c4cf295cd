package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/evshop/shop/eventstore"
)

// parquetNode maps an inferred field to a Parquet node. Every data column
// is optional: an event type may omit a field, and null is a value.
func parquetNode(f *Field) parquet.Node {
	switch f.Kind {
	case KindBool:
		return parquet.Optional(parquet.Leaf(parquet.BooleanType))
	case KindInt:
		return parquet.Optional(parquet.Int(64))
	case KindFloat:
		return parquet.Optional(parquet.Leaf(parquet.DoubleType))
	case KindTime:
		return parquet.Optional(parquet.Timestamp(parquet.Microsecond))
	case KindObject:
		g := parquet.Group{}
		for _, n := range f.Names() {
			g[n] = parquetNode(f.children[n])
		}
		return parquet.Optional(g)
	default: // string, JSON text, and fields only ever null
		return parquet.Optional(parquet.String())
	}
}

// ParquetSchema is the schema of one event type's file: the envelope as
// required columns, the data as an optional group of typed columns
// (nested objects are nested groups, read by DuckDB as STRUCTs; arrays
// and mixed-kind fields are JSON text).
func ParquetSchema(typ string, data *Field) *parquet.Schema {
	root := parquet.Group{
		"position":      parquet.Int(64),
		"id":            parquet.String(),
		"stream":        parquet.String(),
		"revision":      parquet.Int(64),
		"type":          parquet.String(),
		"time":          parquet.Timestamp(parquet.Microsecond),
		"correlationId": parquet.Optional(parquet.String()),
		"causationId":   parquet.Optional(parquet.String()),
		"userId":        parquet.Optional(parquet.String()),
	}
	if data != nil && len(data.children) > 0 {
		root["data"] = parquetNode(data)
	}
	return parquet.NewSchema(typ, root)
}

// parquetValue converts a decoded JSON value to the Go value its column
// expects.
func parquetValue(f *Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch f.Kind {
	case KindBool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("not a bool: %v", v)
		}
		return b, nil
	case KindInt, KindFloat:
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("not a number: %v", v)
		}
		if f.Kind == KindInt {
			return strconv.ParseInt(string(n), 10, 64)
		}
		return strconv.ParseFloat(string(n), 64)
	case KindTime:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("not a time: %v", v)
		}
		return time.Parse(time.RFC3339Nano, s)
	case KindObject:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("not an object: %v", v)
		}
		return parquetObject(f, m)
	case KindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func parquetObject(f *Field, m map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(f.children))
	for name, c := range f.children {
		v, err := parquetValue(c, m[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// parquetFile is the writer of one event type.
type parquetFile struct {
	out  io.WriteCloser
	w    *parquet.GenericWriter[map[string]any]
	data *Field
	rows []map[string]any
}

// parquetSet writes one file per event type, opened on its first event.
type parquetSet struct {
	sink      Sink
	schema    *Schema
	scrub     scrubber
	groupRows int
	files     map[string]*parquetFile
}

func newParquetSet(sink Sink, schema *Schema, scrub scrubber, groupRows int) *parquetSet {
	return &parquetSet{sink: sink, schema: schema, scrub: scrub, groupRows: groupRows, files: map[string]*parquetFile{}}
}

// bufferedRows is how many rows are handed to the writer at once.
const bufferedRows = 512

func (s *parquetSet) Write(ev eventstore.RecordedEvent) error {
	f, ok := s.files[ev.Type]
	if !ok {
		data, known := s.schema.Types[ev.Type]
		if !known {
			return fmt.Errorf("export: type %s appeared after the schema pass", ev.Type)
		}
		out, err := s.sink.Open(ev.Type)
		if err != nil {
			return err
		}
		f = &parquetFile{out: out, data: data, w: parquet.NewGenericWriter[map[string]any](out, ParquetSchema(ev.Type, data),
			parquet.MaxRowsPerRowGroup(int64(s.groupRows)), parquet.Compression(&parquet.Zstd),
			parquet.CreatedBy("evshop shopctl", "1", ""))}
		s.files[ev.Type] = f
	}
	decoded, err := decodeData(ev.Data)
	if err != nil {
		return err
	}
	s.scrub.value(ev.Type, decoded)
	md := ev.Metadata
	row := map[string]any{
		"position": int64(ev.Position), "id": ev.ID, "stream": ev.Stream, "revision": int64(ev.Revision), "type": ev.Type,
		"time": ev.Time.UTC(), "correlationId": nullable(md.CorrelationID), "causationId": nullable(md.CausationID),
		"userId": nullable(md.UserID),
	}
	if len(f.data.children) > 0 {
		obj, err := parquetObject(f.data, decoded)
		if err != nil {
			return fmt.Errorf("export: %s/%d: %w", ev.Stream, ev.Revision, err)
		}
		row["data"] = obj
	}
	f.rows = append(f.rows, row)
	if len(f.rows) >= bufferedRows {
		return f.flush()
	}
	return nil
}

func (f *parquetFile) flush() error {
	if len(f.rows) == 0 {
		return nil
	}
	_, err := f.w.Write(f.rows)
	clear(f.rows)
	f.rows = f.rows[:0]
	return err
}

func (s *parquetSet) Close() error {
	var errs []error
	for _, f := range s.files {
		errs = append(errs, f.flush(), f.w.Close(), f.out.Close())
	}
	return errors.Join(errs...)
}
