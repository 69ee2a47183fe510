package graph

import "testing"

func TestNewRejectsBadSizes(t *testing.T) {
	for _, n := range []int{-1, 0, 1, MaxUsers + 1} {
		if _, err := New(1, n); err == nil {
			t.Errorf("New(1, %d): want error", n)
		}
	}
}

func TestDeterministicAndSkewed(t *testing.T) {
	a, _ := New(42, 1000)
	b, _ := New(42, 1000)
	c, _ := New(43, 1000)
	same, differ := true, false
	zero, max := 0, 0
	for u := 0; u < 1000; u++ {
		fa, _ := a.Followers(u)
		fb, _ := b.Followers(u)
		fc, _ := c.Followers(u)
		if len(fa) != len(fb) {
			same = false
		}
		for i := range fa {
			if i < len(fb) && fa[i] != fb[i] {
				same = false
			}
			if fa[i] == u {
				t.Fatalf("user %d follows itself", u)
			}
			if i > 0 && fa[i] <= fa[i-1] {
				t.Fatalf("followers of %d not strictly ascending", u)
			}
		}
		if len(fa) != len(fc) {
			differ = true
		}
		if len(fa) == 0 {
			zero++
		}
		if len(fa) > max {
			max = len(fa)
		}
	}
	if !same {
		t.Fatal("same seed gave different graphs")
	}
	if !differ {
		t.Fatal("different seeds gave the same follower counts")
	}
	if zero == 0 || max < 100 {
		t.Fatalf("graph not skewed: %d authors without followers, max %d followers", zero, max)
	}
	if _, ok := a.Followers(1000); ok {
		t.Fatal("unknown author reported ok")
	}
}
