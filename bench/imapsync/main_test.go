package main

import (
	"testing"
	"time"
)

func TestMedianAndVersion(t *testing.T) {
	if got := medianDuration([]float64{3, 1, 2}); got != 2*time.Second {
		t.Errorf("median of 3 = %v", got)
	}
	if got := medianDuration([]float64{4, 1, 2, 3}); got != 2500*time.Millisecond {
		t.Errorf("median of 4 = %v", got)
	}
	for v, want := range map[string]bool{"isync 1.4.4": true, "isync 1.3.0": false, "isync 2.0": true, "garbage": false} {
		if got := isyncAtLeast(v, 1, 4); got != want {
			t.Errorf("isyncAtLeast(%q) = %v", v, got)
		}
	}
}
