package delivery

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Poison posts among steady load: dead-lettered with reason, partition and
// offset; the workers move on. Short and fault-free: part of the smoke set.
var _ = specs.DeadLetterSpec(func() specs.DeadLetterInput {
	return specs.DeadLetterInput{Combo: specs.ClassicRange, Labels: []string{"smoke"}}
})
