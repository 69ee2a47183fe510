//go:build mutants

package feed

// The contract itself (catalogue class contract): workers that break a
// clause every harness relies on, so that make conformance, and every
// spec's contract check, can be seen to fail naming the clause.

func init() {
	register("stdout-noise", func() mutation {
		return quirky{named{name: "stdout-noise"}, Quirks{StdoutNoise: "feedworker: starting (a plain log line on stdout)"}}
	})
	register("worded-dead-letters", func() mutation {
		return quirky{named{name: "worded-dead-letters"}, Quirks{WordedDeadLetters: true}}
	})
	register("exit-1-on-term", func() mutation {
		return quirky{named{name: "exit-1-on-term"}, Quirks{ExitOnTerm: true}}
	})
}

// quirky breaks the contract clauses its Quirks name and nothing else.
type quirky struct {
	named
	q Quirks
}

func (m quirky) quirks() Quirks { return m.q }
