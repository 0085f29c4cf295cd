package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/evshop/shop/eventstore"
)

// Format is an output format.
type Format string

// Formats.
const (
	FormatJSONL   Format = "jsonl"
	FormatCSV     Format = "csv"
	FormatParquet Format = "parquet"
)

// ParseFormat validates a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatJSONL, FormatCSV, FormatParquet:
		return f, nil
	}
	return "", fmt.Errorf("export: format %q is not one of jsonl, csv, parquet", s)
}

// Sink opens the outputs of an export. JSON Lines and CSV open one output
// (typ ""); Parquet opens one per event type, since each type has its own
// columns.
type Sink interface {
	Open(typ string) (io.WriteCloser, error)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(typ string) (io.WriteCloser, error)

// Open implements Sink.
func (f SinkFunc) Open(typ string) (io.WriteCloser, error) { return f(typ) }

// Progress is reported while exporting.
type Progress struct {
	Pass      int    // 1 learns the columns (CSV, Parquet), 2 writes; JSON Lines has only pass 2
	Passes    int    // 1 or 2
	Events    uint64 // events written (pass 2) or scanned (pass 1) so far
	Position  uint64 // last position read
	From, To  uint64 // the position range being read
	StartedAt time.Time
}

// Fraction is how far the export is, 0..1, over both passes.
func (p Progress) Fraction() float64 {
	f := 1.0
	if p.To > p.From {
		f = min(1, float64(p.Position-min(p.Position, p.From))/float64(p.To-p.From))
	}
	return min(1, (float64(max(p.Pass, 1)-1)+f)/float64(max(p.Passes, 1)))
}

// Options configure an export.
type Options struct {
	Query  Query
	Format Format
	// Redact lists data keys whose values are replaced (every key
	// containing one, in any case); nil means DefaultRedact. AlwaysRedact
	// is added in any case, so an empty slice still hides payment and
	// sealed tokens.
	Redact []string
	// IncludePersonalData keeps personal data (redact.Personal: names,
	// emails, addresses, card last digits, VAT ids); by default it is
	// replaced, since analysts rarely need it.
	IncludePersonalData bool
	// Progress is called every few thousand events and at the end.
	Progress func(Progress)
	// RowGroupRows bounds the rows a Parquet writer buffers; default 50000.
	RowGroupRows int
}

// Result summarises an export.
type Result struct {
	Events  uint64            `json:"events"`
	PerType map[string]uint64 `json:"perType"`
	Last    uint64            `json:"lastPosition"`
}

const progressEvery = 2000

// Export streams the selected events to sink. Memory stays constant: one
// store page, one CSV record, one Parquet row group per type.
func Export(ctx context.Context, r Reader, sink Sink, opts Options) (Result, error) {
	if err := opts.Query.Validate(); err != nil {
		return Result{}, err
	}
	if _, err := ParseFormat(string(opts.Format)); err != nil {
		return Result{}, err
	}
	scrub := newScrubber(opts)
	if opts.RowGroupRows <= 0 {
		opts.RowGroupRows = 50_000
	}
	head, err := r.HeadPosition(ctx)
	if err != nil {
		return Result{}, err
	}
	prog := Progress{Pass: 1, Passes: 2, From: opts.Query.FromPosition, To: head, StartedAt: time.Now()}
	if opts.Query.ToPosition != 0 {
		prog.To = min(head, opts.Query.ToPosition)
	}
	report := func(force bool) {
		if opts.Progress != nil && (force || prog.Events%progressEvery == 0) {
			opts.Progress(prog)
		}
	}
	q := opts.Query
	var schema *Schema
	if opts.Format == FormatJSONL {
		prog.Pass, prog.Passes = 1, 1
		q.ToPosition = prog.To // a stable end, like the two-pass formats
	} else {
		schema = newSchema()
		for ev, err := range Events(ctx, r, q) {
			if err != nil {
				return Result{}, err
			}
			if ev.Position > prog.To {
				break
			}
			data, err := decodeData(ev.Data)
			if err != nil {
				return Result{}, fmt.Errorf("export: %s/%d: %w", ev.Stream, ev.Revision, err)
			}
			scrub.value(ev.Type, data)
			schema.observe(ev.Type, data)
			schema.Last = ev.Position
			prog.Events++
			prog.Position = ev.Position
			report(false)
		}
		report(true)
		prog.Pass, prog.Events = 2, 0
		q.ToPosition = schema.Last
		if schema.Last == 0 {
			q.ToPosition = prog.To
		}
	}

	var w eventWriter
	switch opts.Format {
	case FormatJSONL:
		out, err := sink.Open("")
		if err != nil {
			return Result{}, err
		}
		w = &jsonlWriter{out: out, buf: bufio.NewWriterSize(out, 64<<10), scrub: scrub}
	case FormatCSV:
		out, err := sink.Open("")
		if err != nil {
			return Result{}, err
		}
		w, err = newCSVWriter(out, schema.Union(), scrub)
		if err != nil {
			out.Close()
			return Result{}, err
		}
	case FormatParquet:
		w = newParquetSet(sink, schema, scrub, opts.RowGroupRows)
	}
	res := Result{PerType: map[string]uint64{}}
	if schema == nil || schema.Last > 0 {
		for ev, err := range Events(ctx, r, q) {
			if err != nil {
				w.Close() //nolint:errcheck // the read error wins
				return res, err
			}
			if err := w.Write(ev); err != nil {
				w.Close() //nolint:errcheck
				return res, err
			}
			res.Events++
			res.PerType[ev.Type]++
			res.Last = ev.Position
			prog.Events, prog.Position = res.Events, ev.Position
			report(false)
		}
	}
	prog.Position = max(prog.Position, prog.To)
	report(true)
	return res, w.Close()
}

type eventWriter interface {
	Write(ev eventstore.RecordedEvent) error
	Close() error
}

// jsonlWriter writes the stored envelope, one JSON object per line.
type jsonlWriter struct {
	out   io.WriteCloser
	buf   *bufio.Writer
	scrub scrubber
}

func (w *jsonlWriter) Write(ev eventstore.RecordedEvent) error {
	data, err := w.scrub.raw(ev.Type, ev.Data)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	ev.Data = data
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.buf.Write(b)
	return err
}

func (w *jsonlWriter) Close() error {
	return errors.Join(w.buf.Flush(), w.out.Close())
}

// envelopeColumns start every CSV record.
var envelopeColumns = []string{"position", "id", "stream", "revision", "type", "time", "correlationId", "causationId", "userId"}

// csvWriter writes one header (envelope, then the union of every selected
// type's data fields flattened to dotted names) and one record per event;
// a field an event does not have stays empty.
type csvWriter struct {
	out   io.WriteCloser
	cw    *csv.Writer
	cols  []Column
	rec   []string
	scrub scrubber
}

func newCSVWriter(out io.WriteCloser, fields *Field, scrub scrubber) (*csvWriter, error) {
	w := &csvWriter{out: out, cw: csv.NewWriter(out), cols: fields.Columns(), scrub: scrub}
	header := append([]string(nil), envelopeColumns...)
	for _, c := range w.cols {
		header = append(header, "data."+c.Name)
	}
	w.rec = make([]string, len(header))
	return w, w.cw.Write(header)
}

func (w *csvWriter) Write(ev eventstore.RecordedEvent) error {
	data, err := decodeData(ev.Data)
	if err != nil {
		return err
	}
	w.scrub.value(ev.Type, data)
	md := ev.Metadata
	copy(w.rec, []string{strconv.FormatUint(ev.Position, 10), ev.ID, ev.Stream, strconv.FormatUint(ev.Revision, 10), ev.Type,
		ev.Time.UTC().Format(time.RFC3339Nano), md.CorrelationID, md.CausationID, md.UserID})
	for i, c := range w.cols {
		w.rec[len(envelopeColumns)+i] = cellText(c.Kind, lookup(data, c.Path))
	}
	return w.cw.Write(w.rec)
}

func (w *csvWriter) Close() error {
	w.cw.Flush()
	return errors.Join(w.cw.Error(), w.out.Close())
}
