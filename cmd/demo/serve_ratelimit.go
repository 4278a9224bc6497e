package main

import (
	"math"
	"sync"
	"time"
)

// tokenBucket limits a key's requests: it holds up to burst tokens, gains rate
// tokens per second, and each request takes one. It is safe for concurrent use.
type tokenBucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second, > 0
	burst  float64 // most tokens held
	tokens float64
	last   time.Time // when tokens was last brought up to date
}

// newTokenBucket returns a full bucket.
func newTokenBucket(rate float64, burst int, now time.Time) *tokenBucket {
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// take takes a token at time now if there is one; otherwise it reports how long
// until there is.
func (b *tokenBucket) take(now time.Time) (ok bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}
