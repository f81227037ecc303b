package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints the results as an aligned table, then the error samples.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "%s, %d clients, %s per scenario, %d live tokens; %d CPUs (GOMAXPROCS %d), %s, %s\n",
		r.Database, r.Concurrency, r.Duration, r.Tokens, r.Machine.CPUs, r.Machine.GOMAXPROCS,
		r.Machine.CPUModel, r.Machine.GoVersion)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trequests/s\tp50 ms\tp99 ms\trequests\terrors\trefused\tratio\tCPU µs/req\t")
	for _, res := range r.Results {
		ratio := "-"
		if res.Ratio > 0 {
			ratio = fmt.Sprintf("%.3f", res.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%d\t%d\t%d\t%s\t%.0f\t\n",
			res.Scenario, res.RPS, res.P50ms, res.P99ms, res.Requests, res.Errors, res.Refused, ratio, res.CPUPerOp)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.PeakRSSBytes >= 0 {
		fmt.Fprintf(w, "peak RSS %.1f MB (server and load generator)\n", float64(r.PeakRSSBytes)/(1<<20))
	}
	for _, res := range r.Results {
		for _, s := range res.ErrorSamples {
			fmt.Fprintf(w, "%s error: %s\n", res.Scenario, s)
		}
	}
	return nil
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
