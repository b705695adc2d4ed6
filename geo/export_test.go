package geo

// StretchBuffers returns the number of stretch buffers a holds (for the
// tests of ReuseFrom).
func StretchBuffers(a *Atlas) int {
	a.crisis.buffers.mu.Lock()
	defer a.crisis.buffers.mu.Unlock()
	return len(a.crisis.buffers.buffers)
}
