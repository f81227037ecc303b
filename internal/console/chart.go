package console

import (
	"time"

	"github.com/opengenauth/genauth/internal/model"
)

// chartDays is how many days the overview's chart shows, today last.
const chartDays = 14

// What the chart counts: a sign-in is a password, code or passkey sign-in
// or one through an upstream provider; a failure a refused sign-in.
var (
	signInTypes  = []string{model.AuditLoginSuccess, model.AuditIdPSignIn}
	failureTypes = []string{model.AuditLoginFailure}
)

// The chart's drawing area (SVG user units) and its margins for the axes.
const (
	chartWidth, chartHeight = 640, 240
	plotLeft, plotRight     = 44, 8
	plotTop, plotBottom     = 12, 36
	barWidth                = 14
)

// chartDay is one day's numbers.
type chartDay struct {
	Date              string // 2006-01-02, UTC
	SignIns, Failures int
}

// chart is the overview's bar chart of sign-ins and failures per day, drawn
// by the server: every shape's position is computed here, the template only
// writes them out as SVG presentation attributes (the policy forbids
// inline styles).
type chart struct {
	Days                []chartDay
	SignIns, Failures   int // totals
	Width, Height       int
	PlotLeft, PlotRight int // x of the plot's edges
	Bars                []chartBar
	Ticks               []chartTick
	Labels              []chartLabel
	FirstDate, LastDate string
	BaselineY           int
	TickX, LabelY       int // where the axes' numbers and days are written
}

type chartBar struct {
	X, Y, W, H int
	Failure    bool
}

// chartTick is a horizontal grid line at Y for the value N.
type chartTick struct{ Y, N int }

// chartLabel is a day's label under its bars, centred on X.
type chartLabel struct {
	X    int
	Text string
}

// newChart lays out the chartDays days ending with today (UTC) from counts
// (day -> type -> events, as CountAuditByDay gives them).
func newChart(today time.Time, counts map[string]map[string]int) chart {
	c := chart{Width: chartWidth, Height: chartHeight, PlotLeft: plotLeft, PlotRight: chartWidth - plotRight,
		BaselineY: chartHeight - plotBottom, TickX: plotLeft - 6, LabelY: chartHeight - 14}
	first := today.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-chartDays)
	peak := 0
	for i := range chartDays {
		d := chartDay{Date: first.AddDate(0, 0, i).Format(time.DateOnly)}
		for _, t := range signInTypes {
			d.SignIns += counts[d.Date][t]
		}
		for _, t := range failureTypes {
			d.Failures += counts[d.Date][t]
		}
		c.SignIns, c.Failures = c.SignIns+d.SignIns, c.Failures+d.Failures
		peak = max(peak, d.SignIns, d.Failures)
		c.Days = append(c.Days, d)
	}
	c.FirstDate, c.LastDate = c.Days[0].Date, c.Days[chartDays-1].Date
	top := niceCeil(peak)
	plotH := c.BaselineY - plotTop
	height := func(n int) int {
		h := n * plotH / top
		if n > 0 && h == 0 {
			h = 1 // a day with events is never drawn as none
		}
		return h
	}
	c.Ticks = append(c.Ticks, chartTick{Y: c.BaselineY, N: 0})
	if top%2 == 0 {
		c.Ticks = append(c.Ticks, chartTick{Y: c.BaselineY - plotH/2, N: top / 2})
	}
	c.Ticks = append(c.Ticks, chartTick{Y: plotTop, N: top})
	slot := (c.PlotRight - c.PlotLeft) / chartDays
	for i, d := range c.Days {
		mid := c.PlotLeft + i*slot + slot/2
		for _, b := range []chartBar{{X: mid - barWidth, H: height(d.SignIns)}, {X: mid, H: height(d.Failures), Failure: true}} {
			if b.H > 0 {
				b.W, b.Y = barWidth, c.BaselineY-b.H
				c.Bars = append(c.Bars, b)
			}
		}
		c.Labels = append(c.Labels, chartLabel{X: mid, Text: d.Date[5:]})
	}
	return c
}

// niceCeil is the least of 1, 2, 5, 10, 20, 50, ... that is at least n.
func niceCeil(n int) int {
	for step := 1; ; step *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*step >= n {
				return m * step
			}
		}
	}
}
